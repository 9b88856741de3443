package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJWKSPublishesTheAsymmetricKeysSoOthersCanVerify(t *testing.T) {
	testKeys(t)
	clk := newClock()
	keys := []Key{
		{ID: "hs", Algorithm: HS256, Secret: hsSecret},
		{ID: "rs", Algorithm: RS256, PrivateKeyPEM: privPEM(t, rsaPriv)},
		{ID: "es", Algorithm: ES256, PrivateKeyPEM: privPEM(t, ecPriv)},
		{ID: "ed", Algorithm: EdDSA, PrivateKeyPEM: privPEM(t, edPriv)},
	}
	signers := map[string]struct {
		m   jwt.SigningMethod
		key any
	}{
		"rs": {jwt.SigningMethodRS256, rsaPriv}, "es": {jwt.SigningMethodES256, ecPriv}, "ed": {jwt.SigningMethodEdDSA, edPriv},
	}
	for i := range keys {
		a := newAuthority(t, clk, nil, func(c *Config) { c.Keys, c.SigningKey = keys, keys[i].ID })

		var set struct {
			Keys []map[string]string `json:"keys"`
		}
		require.NoError(t, json.Unmarshal(a.JWKS(), &set))
		require.Len(t, set.Keys, 3, "the HS256 secret is never published")
		for _, k := range set.Keys {
			assert.Equal(t, "sig", k["use"])
			s, ok := signers[k["kid"]]
			require.True(t, ok, "unexpected kid %q", k["kid"])
			assert.Equal(t, s.m.Alg(), k["alg"])
			pub := publicFromJWK(t, k)
			tok := forge(t, clk, s.m, s.key, k["kid"], nil)
			_, err := jwt.NewParser(jwt.WithTimeFunc(clk.Now)).Parse(tok, func(*jwt.Token) (any, error) { return pub, nil })
			assert.NoError(t, err, "a token of %s verifies with the published key", k["kid"])
		}
	}

	hsOnly := newAuthority(t, clk, nil)
	assert.Nil(t, hsOnly.JWKS(), "no JWKS when every key is a shared secret")
}

// publicFromJWK rebuilds a public key from its JWK members (RFC 7518 §6,
// RFC 8037), independently of the code under test.
func publicFromJWK(t *testing.T, k map[string]string) any {
	t.Helper()
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		require.NoError(t, err)
		return v
	}
	switch k["kty"] {
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(b(k["n"])), E: int(new(big.Int).SetBytes(b(k["e"])).Int64())}
	case "EC":
		require.Equal(t, "P-256", k["crv"])
		x, y := b(k["x"]), b(k["y"])
		require.Len(t, x, 32)
		require.Len(t, y, 32)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		require.NoError(t, err)
		return pub
	case "OKP":
		require.Equal(t, "Ed25519", k["crv"])
		return ed25519.PublicKey(b(k["x"]))
	}
	t.Fatalf("unknown kty %q", k["kty"])
	return nil
}

func TestKeysAreCheckedAtProvisioning(t *testing.T) {
	testKeys(t)
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(ecPriv)
	require.NoError(t, err)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaPriv)})

	tests := []struct {
		name string
		keys []Key
		want string // "" means accepted
	}{
		{"an HS256 secret of 32 bytes", []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret[:32]}}, ""},
		{"an HS256 secret of 31 bytes", []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret[:31]}}, "at least 32"},
		{"an empty HS256 secret, as an unset {env.VAR} gives", []Key{{ID: "k", Algorithm: HS256}}, "variable is not set"},
		{"HS256 given a PEM", []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret, PublicKeyPEM: pubPEM(t, &rsaPriv.PublicKey)}}, "not PEM"},
		{"an empty kid", []Key{{Algorithm: HS256, Secret: hsSecret}}, "kid is empty"},
		{"a kid twice", []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret}, {ID: "k", Algorithm: HS256, Secret: hsSecret2}}, "twice"},
		{"an unknown algorithm", []Key{{ID: "k", Algorithm: "HS512", Secret: hsSecret}}, "want HS256"},
		{"alg none", []Key{{ID: "k", Algorithm: "none"}}, "want HS256"},
		{"an RSA key as ES256", []Key{{ID: "k", Algorithm: ES256, PrivateKeyPEM: privPEM(t, rsaPriv)}}, "RSA key cannot be ES256"},
		{"an EC key as RS256", []Key{{ID: "k", Algorithm: RS256, PublicKeyPEM: pubPEM(t, &ecPriv.PublicKey)}}, "ECDSA key cannot be RS256"},
		{"an Ed25519 key as ES256", []Key{{ID: "k", Algorithm: ES256, PrivateKeyPEM: privPEM(t, edPriv)}}, "Ed25519 key cannot be ES256"},
		{"RSA of 1024 bits", []Key{{ID: "k", Algorithm: RS256, PrivateKeyPEM: privPEM(t, smallRSA)}}, "1024 bits"},
		{"ES256 on P-384", []Key{{ID: "k", Algorithm: ES256, PrivateKeyPEM: privPEM(t, p384)}}, "P-256"},
		{"a public key that is not the private key's", []Key{{ID: "k", Algorithm: ES256, PrivateKeyPEM: privPEM(t, ecPriv), PublicKeyPEM: pubPEM(t, &otherEC.PublicKey)}}, "not the private key's"},
		{"no PEM at all", []Key{{ID: "k", Algorithm: EdDSA}}, "needs a private or a public key"},
		{"text that is not PEM", []Key{{ID: "k", Algorithm: EdDSA, PrivateKeyPEM: []byte("-----BEGIN nothing")}}, "no PEM block"},
		{"a PEM of the wrong kind", []Key{{ID: "k", Algorithm: RS256, PrivateKeyPEM: pubPEM(t, &rsaPriv.PublicKey)}}, "want PRIVATE KEY"},
		{"a SEC 1 EC private key", []Key{{ID: "k", Algorithm: ES256, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})}}, ""},
		{"a PKCS#1 RSA private key", []Key{{ID: "k", Algorithm: RS256, PrivateKeyPEM: pkcs1}}, ""},
		{"a PKCS#1 RSA public key", []Key{{ID: "k", Algorithm: RS256, PublicKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaPriv.PublicKey)})}}, ""},
		{"a damaged DER body", []Key{{ID: "k", Algorithm: RS256, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")})}}, "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newKeyring(tt.keys, "")
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), string(hsSecret[:16]))
			assert.NotContains(t, err.Error(), "garbage")
		})
	}
}
