package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// The algorithms a key may be pinned to.
const (
	HS256 = "HS256"
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// MinSecretLength is the shortest HS256 secret accepted: RFC 7518 §3.2
// asks for a key at least as long as the hash output.
const MinSecretLength = 32

// minRSABits is the smallest RSA modulus accepted (NIST SP 800-57).
const minRSABits = 2048

// Key is one signing or verification key as configuration declares it. The
// glue fills PEM fields with file contents and Secret from the environment.
type Key struct {
	// ID is the kid written into tokens and JWKS; unique among the keys.
	ID string
	// Algorithm pins the key to HS256, RS256, ES256 or EdDSA, in any case;
	// empty means HS256. A token naming this kid with any other alg is
	// refused.
	Algorithm string
	// Secret is the HS256 shared secret, at least MinSecretLength bytes.
	Secret []byte
	// PrivateKeyPEM (PKCS#8, PKCS#1 or SEC 1) is needed to sign; its public
	// half verifies.
	PrivateKeyPEM []byte
	// PublicKeyPEM (PKIX, PKCS#1 or a certificate) is enough to verify
	// tokens another instance signs.
	PublicKeyPEM []byte
}

// CanonicalAlgorithm spells an algorithm name as Key.Algorithm documents
// it (hs256 → HS256, eddsa → EdDSA; empty → HS256); a name it does not
// know is returned as given, for New to refuse.
func CanonicalAlgorithm(alg string) string {
	if alg == "" {
		return HS256
	}
	for _, known := range []string{HS256, RS256, ES256, EdDSA} {
		if strings.EqualFold(alg, known) {
			return known
		}
	}
	return alg
}

// key is a Key made ready for use.
type key struct {
	id     string
	method jwt.SigningMethod
	sign   any // []byte, *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey; nil: verify only
	verify any // []byte, *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey
}

// keyring holds every active key by kid, the signing key and the JWKS
// document of the public ones.
type keyring struct {
	byID    map[string]*key
	signer  *key
	methods []string // distinct algorithms, for jwt.WithValidMethods
	jwks    []byte
}

// newKeyring prepares the keys; signer is the kid that signs, empty for the
// first key that can (with a secret or a private key).
func newKeyring(keys []Key, signer string) (*keyring, error) {
	kr := &keyring{byID: make(map[string]*key, len(keys))}
	var jwks []jwk
	for i, k := range keys {
		k.Algorithm = CanonicalAlgorithm(k.Algorithm)
		if k.ID == "" {
			return nil, fmt.Errorf("key %d: kid is empty", i)
		}
		if _, dup := kr.byID[k.ID]; dup {
			return nil, fmt.Errorf("key %s: kid is declared twice", k.ID)
		}
		pk, err := parseKey(k)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.ID, err)
		}
		if signer == "" && pk.sign != nil {
			signer = k.ID
		}
		if k.ID == signer {
			if pk.sign == nil {
				return nil, fmt.Errorf("key %s: a signing key needs its private key", k.ID)
			}
			kr.signer = pk
		}
		kr.byID[k.ID] = pk
		if !contains(kr.methods, k.Algorithm) {
			kr.methods = append(kr.methods, k.Algorithm)
		}
		if k.Algorithm != HS256 {
			j, err := newJWK(pk)
			if err != nil {
				return nil, fmt.Errorf("key %s: %w", k.ID, err)
			}
			jwks = append(jwks, j)
		}
	}
	if signer != "" && kr.signer == nil {
		return nil, fmt.Errorf("signing key %q: no such key", signer)
	}
	if len(jwks) > 0 {
		b, err := json.Marshal(struct {
			Keys []jwk `json:"keys"`
		}{jwks})
		if err != nil {
			return nil, err
		}
		kr.jwks = b
	}
	return kr, nil
}

func parseKey(k Key) (*key, error) {
	pk := &key{id: k.ID}
	switch k.Algorithm {
	case HS256:
		if len(k.PrivateKeyPEM) > 0 || len(k.PublicKeyPEM) > 0 {
			return nil, errors.New("HS256 takes a secret, not PEM keys")
		}
		if len(k.Secret) == 0 {
			// Almost always an {env.VAR} placeholder whose variable is not
			// set: say so, since "0 bytes" sends people looking elsewhere.
			return nil, fmt.Errorf("HS256 secret is empty (an {env.…} placeholder whose variable is not set? the example reads PIA_JWT_SECRET; try caddy run --envfile)")
		}
		if len(k.Secret) < MinSecretLength {
			return nil, fmt.Errorf("HS256 secret is %d bytes, want at least %d", len(k.Secret), MinSecretLength)
		}
		secret := bytes.Clone(k.Secret)
		pk.method, pk.sign, pk.verify = jwt.SigningMethodHS256, secret, secret
		return pk, nil
	case RS256:
		pk.method = jwt.SigningMethodRS256
	case ES256:
		pk.method = jwt.SigningMethodES256
	case EdDSA:
		pk.method = jwt.SigningMethodEdDSA
	default:
		return nil, fmt.Errorf("algorithm %q, want HS256, RS256, ES256 or EdDSA", k.Algorithm)
	}
	if len(k.Secret) > 0 {
		return nil, fmt.Errorf("%s takes PEM keys, not a secret", k.Algorithm)
	}
	var pub crypto.PublicKey
	if len(k.PrivateKeyPEM) > 0 {
		priv, err := parsePrivatePEM(k.PrivateKeyPEM)
		if err != nil {
			return nil, err
		}
		pk.sign = priv
		pub = priv.Public()
	}
	if len(k.PublicKeyPEM) > 0 {
		p, err := parsePublicPEM(k.PublicKeyPEM)
		if err != nil {
			return nil, err
		}
		if pub != nil && !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(p) {
			return nil, errors.New("the public key is not the private key's")
		}
		pub = p
	}
	if pub == nil {
		return nil, fmt.Errorf("%s needs a private or a public key PEM", k.Algorithm)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if k.Algorithm != RS256 {
			return nil, fmt.Errorf("an RSA key cannot be %s", k.Algorithm)
		}
		if p.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key has %d bits, want at least %d", p.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		if k.Algorithm != ES256 {
			return nil, fmt.Errorf("an ECDSA key cannot be %s", k.Algorithm)
		}
		if p.Curve != elliptic.P256() {
			return nil, errors.New("ES256 needs a P-256 key")
		}
	case ed25519.PublicKey:
		if k.Algorithm != EdDSA {
			return nil, fmt.Errorf("an Ed25519 key cannot be %s", k.Algorithm)
		}
	default:
		return nil, fmt.Errorf("unsupported key type %T", pub)
	}
	pk.verify = pub
	return pk, nil
}

// parsePrivatePEM reads the first PEM block. Errors never quote the input.
func parsePrivatePEM(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("private key: no PEM block found")
	}
	if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // detecting, not decrypting, legacy encrypted PEM
		return nil, errors.New("private key: encrypted PEM is not supported")
	}
	var (
		k   any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("private key: PEM block %q, want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, errors.New("private key: cannot parse the " + block.Type + " block")
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key: unsupported type %T", k)
	}
	return s, nil
}

func parsePublicPEM(b []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("public key: no PEM block found")
	}
	var (
		k   any
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(block.Bytes); err == nil {
			k = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("public key: PEM block %q, want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", block.Type)
	}
	if err != nil {
		return nil, errors.New("public key: cannot parse the " + block.Type + " block")
	}
	return k, nil
}

// jwk is one public key of the JWKS document (RFC 7517, 7518 §6, 8037).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func newJWK(k *key) (jwk, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	j := jwk{Kid: k.id, Alg: k.method.Alg(), Use: "sig"}
	switch p := k.verify.(type) {
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64(p.N.Bytes()), b64(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		pt, err := p.Bytes() // 0x04 || X || Y, each 32 bytes on P-256
		if err != nil {
			return jwk{}, err
		}
		n := (len(pt) - 1) / 2
		j.Kty, j.Crv, j.X, j.Y = "EC", "P-256", b64(pt[1:1+n]), b64(pt[1+n:])
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64(p)
	default:
		return jwk{}, fmt.Errorf("no JWK for %T", p)
	}
	return j, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
