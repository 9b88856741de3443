package caddymodule

import (
	"errors"
	"net/http"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// AuthConfig configures security keys: issuance through sendSecurityKey
// and verification on every method OSS serves.
type AuthConfig struct {
	// Issuer (iss) of the keys. Default caddy-pia.
	Issuer string `json:"issuer,omitempty"`
	// Audience (aud) of the keys. Default pia.
	Audience string `json:"audience,omitempty"`
	// TTL is how long a key is valid. Default 24h.
	TTL caddy.Duration `json:"ttl,omitempty"`
	// Keys sign and verify; several may verify at once (rotation).
	Keys []*KeyConfig `json:"keys,omitempty"`
	// SigningKey is the kid that signs new keys. Default: the first key.
	SigningKey string `json:"signing_key,omitempty"`
	// Clients allowed to get keys.
	Clients []*ClientConfig `json:"clients,omitempty"`
	// TokenHeaders are read for the key, in order. Default user_key,
	// OSS-API-KEY, Authorization (Bearer).
	TokenHeaders []string `json:"token_headers,omitempty"`
	// JWKSPath serves the public keys (asymmetric keys only).
	JWKSPath string `json:"jwks_path,omitempty"`
	// Lockout refuses key requests after repeated failures.
	Lockout *LockoutConfig `json:"lockout,omitempty"`
	// RevocationRefresh is how often revocations made by other instances
	// are read from storage. Default 5s.
	RevocationRefresh caddy.Duration `json:"revocation_refresh,omitempty"`
	// Revoke lists revocations applied at provision.
	Revoke []*RevocationConfig `json:"revoke,omitempty"`
}

// KeyConfig is one signing or verification key.
type KeyConfig struct {
	// ID is the key's kid.
	ID string `json:"id"`
	// Algorithm pins the key to HS256 (default), RS256, ES256 or EdDSA.
	Algorithm string `json:"algorithm,omitempty"`
	// Secret of an HS256 key, at least 32 bytes; placeholders such as
	// {env.PIA_JWT_SECRET} are resolved at provision.
	Secret string `json:"secret,omitempty"`
	// PrivateKeyFile holds a PEM private key (asymmetric keys that sign).
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// PublicKeyFile holds a PEM public key (asymmetric keys that only
	// verify).
	PublicKeyFile string `json:"public_key_file,omitempty"`
}

// ClientConfig is one K/L/D system allowed to get keys.
type ClientConfig struct {
	// Name identifies the client in logs, metrics and {http.auth.user.id}.
	Name string `json:"name"`
	// UserAkses is the user_akses the client sends.
	UserAkses string `json:"user_akses"`
	// PasswordHash is the bcrypt hash of its pwd_akses (caddy
	// hash-password makes one).
	PasswordHash string `json:"password_hash"`
	// Methods the client may call; empty or "*" means all.
	Methods []string `json:"methods,omitempty"`
	// Version of the PIA the client speaks.
	Version string `json:"version,omitempty"`
	// KdInstansi restricts the client to its own agency's data.
	KdInstansi string `json:"kd_instansi,omitempty"`
}

// LockoutConfig bounds failed key requests.
type LockoutConfig struct {
	// MaxFailures per user_akses or IP within Window. Default 5.
	MaxFailures int `json:"max_failures,omitempty"`
	// Window over which failures count. Default 5m.
	Window caddy.Duration `json:"window,omitempty"`
	// Cooldown during which requests are refused. Default 15m.
	Cooldown caddy.Duration `json:"cooldown,omitempty"`
}

// RevocationConfig revokes one key by jti, or every key of a client issued
// before a time.
type RevocationConfig struct {
	JTI    string `json:"jti,omitempty"`
	Client string `json:"client,omitempty"`
	// Before is RFC 3339.
	Before string `json:"before,omitempty"`
}

// OSSTokenConfig verifies Token: SHA1(USERNAME+PASSWORD+NIB+DATE(Ymd)) on
// the calls OSS makes to K/L/D methods.
type OSSTokenConfig struct {
	// Username and Password the K/L/D registered with OSS; placeholders
	// are resolved at provision.
	Username string `json:"username"`
	Password string `json:"password"`
	// Skew accepts the previous or next day's token this close to
	// midnight in Asia/Jakarta. Default 5m.
	Skew caddy.Duration `json:"skew,omitempty"`
}

// clientClaims is what a verified key says of its holder.
type clientClaims struct {
	client     string
	version    pia.Version
	kdInstansi string
}

type keyService struct{}

type ossTokenService struct{}

var errAuthPending = errors.New("auth is not available in this build yet")

func newKeyService(ctx caddy.Context, cfg *AuthConfig, t *pia.Table, c *pia.Catalog) (*keyService, error) {
	return nil, errAuthPending
}

func newOSSTokenService(cfg *OSSTokenConfig) (*ossTokenService, error) {
	return nil, errAuthPending
}

func (k *keyService) close()                                              {}
func (k *keyService) servesJWKS(r *http.Request) bool                     { return false }
func (k *keyService) serveJWKS(w http.ResponseWriter) error               { return nil }
func (k *keyService) checksData(c *clientClaims, method string) bool      { return false }
func (k *keyService) checkData(c *clientClaims, m string, d any) *refusal { return nil }
func (k *keyService) stripTokens(h http.Header)                           {}
func (o *ossTokenService) verify(r *http.Request, doc any) *refusal       { return nil }

func (g *Gateway) authenticate(x *exchange, r *http.Request) (*clientClaims, *refusal) {
	return nil, nil
}

func (g *Gateway) issueKey(x *exchange, w http.ResponseWriter, r *http.Request) error {
	return nil
}
