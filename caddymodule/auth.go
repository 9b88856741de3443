package caddymodule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/auth"
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
	// SigningKey is the kid that signs new keys. Default: the first key
	// that can sign.
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

// keyService is the gateway's view of auth: the authority plus the glue
// that serves JWKS and answers in envelopes.
type keyService struct {
	authority *auth.Authority
	jwksPath  string
	jwks      []byte
	// checked remembers the servers whose header filter was looked at.
	checked sync.Map
}

// liveKeys are the key services of the running config, for the admin API:
// a revocation made there is seen at once by the instance that made it.
var liveKeys = struct {
	sync.Mutex
	set map[*keyService]struct{}
}{set: map[*keyService]struct{}{}}

func newKeyService(ctx caddy.Context, cfg *AuthConfig, table *pia.Table, logger *zap.Logger) (*keyService, error) {
	repl := caddy.NewReplacer()
	ac := auth.Config{
		Issuer:   cfg.Issuer,
		Audience: cfg.Audience,
		TTL:      time.Duration(cfg.TTL),
		Headers:  cfg.TokenHeaders,
		Table:    table,
		Logger:   logger,
		Now:      now,
	}
	if cfg.Lockout != nil {
		ac.Lockout = auth.LockoutConfig{MaxFailures: cfg.Lockout.MaxFailures,
			Window: time.Duration(cfg.Lockout.Window), CoolDown: time.Duration(cfg.Lockout.Cooldown)}
	}
	signer := cfg.SigningKey
	for _, k := range cfg.Keys {
		if k == nil || k.ID == "" {
			return nil, errors.New("every key needs an id (kid)")
		}
		key := auth.Key{ID: k.ID, Algorithm: strings.ToUpper(k.Algorithm)}
		if key.Algorithm == "" {
			key.Algorithm = "HS256"
		}
		if key.Algorithm == "EDDSA" {
			key.Algorithm = "EdDSA"
		}
		if k.Secret != "" {
			key.Secret = []byte(repl.ReplaceAll(k.Secret, ""))
		}
		var err error
		if k.PrivateKeyFile != "" {
			if key.PrivateKeyPEM, err = os.ReadFile(repl.ReplaceAll(k.PrivateKeyFile, "")); err != nil {
				return nil, fmt.Errorf("key %s: %w", k.ID, err)
			}
		}
		if k.PublicKeyFile != "" {
			if key.PublicKeyPEM, err = os.ReadFile(repl.ReplaceAll(k.PublicKeyFile, "")); err != nil {
				return nil, fmt.Errorf("key %s: %w", k.ID, err)
			}
		}
		canSign := key.Secret != nil || key.PrivateKeyPEM != nil
		if signer == "" && canSign {
			signer = k.ID
		}
		key.Sign = k.ID == signer
		if key.Sign && !canSign {
			return nil, fmt.Errorf("key %s signs but has no secret or private key", k.ID)
		}
		ac.Keys = append(ac.Keys, key)
	}
	if cfg.SigningKey != "" {
		found := false
		for _, k := range ac.Keys {
			found = found || k.ID == cfg.SigningKey
		}
		if !found {
			return nil, fmt.Errorf("signing_key %q: no such key", cfg.SigningKey)
		}
	}
	for _, c := range cfg.Clients {
		if c == nil {
			continue
		}
		cl := auth.Client{Name: c.Name, UserAkses: c.UserAkses, PasswordHash: c.PasswordHash,
			Methods: c.Methods, KdInstansi: c.KdInstansi}
		if c.Version != "" {
			v, err := pia.ParseVersion(c.Version)
			if err != nil {
				return nil, fmt.Errorf("client %s: %w", c.Name, err)
			}
			cl.PIAVersion = v
		}
		ac.Clients = append(ac.Clients, cl)
	}
	ac.Revocation = auth.RevocationConfig{
		Storage:         ctx.Storage(),
		RefreshInterval: time.Duration(cfg.RevocationRefresh),
		Logger:          logger,
	}
	if ac.Revocation.RefreshInterval <= 0 {
		ac.Revocation.RefreshInterval = auth.DefaultRefreshInterval
	}
	a, err := auth.New(ac)
	if err != nil {
		return nil, err
	}
	if err := a.Revocations().Refresh(ctx); err != nil {
		return nil, fmt.Errorf("reading revocations: %w", err)
	}
	for _, rv := range cfg.Revoke {
		if err := applyRevocation(ctx, a, rv); err != nil && !errors.Is(err, auth.ErrRevokesNothing) {
			return nil, err
		}
	}
	ks := &keyService{authority: a, jwksPath: cfg.JWKSPath, jwks: a.JWKS()}
	if ks.jwksPath != "" && ks.jwks == nil {
		return nil, errors.New("jwks: only asymmetric keys (RS256, ES256, EdDSA) have a public key set to serve")
	}
	liveKeys.Lock()
	liveKeys.set[ks] = struct{}{}
	liveKeys.Unlock()
	return ks, nil
}

func applyRevocation(ctx context.Context, a *auth.Authority, rv *RevocationConfig) error {
	switch {
	case rv == nil:
		return nil
	case rv.JTI != "" && rv.Client == "":
		return a.Revocations().RevokeToken(ctx, rv.JTI, time.Time{})
	case rv.Client != "" && rv.JTI == "":
		var before time.Time
		if rv.Before != "" {
			t, err := time.Parse(time.RFC3339, rv.Before)
			if err != nil {
				return fmt.Errorf("revoke client %s: before: %w", rv.Client, err)
			}
			before = t
		}
		return a.Revocations().RevokeClient(ctx, rv.Client, before)
	}
	return errors.New("revoke: give either jti, or client (with an optional before)")
}

func (k *keyService) close() {
	liveKeys.Lock()
	delete(liveKeys.set, k)
	liveKeys.Unlock()
}

func (k *keyService) servesJWKS(r *http.Request) bool {
	return k.jwksPath != "" && r.URL.Path == k.jwksPath && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

func (k *keyService) serveJWKS(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=300")
	_, err := w.Write(k.jwks)
	return err
}

// authenticate verifies the security key of a call to a method OSS serves
// and that it grants the method. Without auth, nothing is checked.
func (g *Gateway) authenticate(x *exchange, r *http.Request) (*auth.Claims, *refusal) {
	if g.keys == nil || x.method.Side != pia.SideOSS {
		return nil, nil
	}
	g.warnDroppedHeaders(r)
	claims, err := g.keys.authority.Authenticate(r.Context(), r.Header)
	if err == nil {
		err = g.keys.authority.Authorize(claims, x.method.Name, nil)
	}
	if err != nil {
		return nil, g.authRefusal(err)
	}
	x.client = claims.Client
	if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		repl.Set("http.auth.user.id", claims.Client)
		repl.Set("http.auth.user.pia_version", claims.PIAVersion)
		repl.Set("http.auth.user.kd_instansi", claims.KdInstansi)
		repl.Set("http.auth.user.jti", claims.ID)
	}
	return claims, nil
}

// warnDroppedHeaders logs, once per server, that Caddy will drop a key
// header spelled with an underscore (user_key, the PIA's own) unless the
// server lists it in expected_underscore_headers: otherwise every client
// using it is refused with "key missing" and nobody knows why.
func (g *Gateway) warnDroppedHeaders(r *http.Request) {
	srv, ok := r.Context().Value(caddyhttp.ServerCtxKey).(*caddyhttp.Server)
	if !ok {
		return
	}
	if _, seen := g.keys.checked.LoadOrStore(srv, true); seen {
		return
	}
	for _, h := range g.keys.authority.Headers() {
		if strings.Contains(h, "_") && !underscoreAllowed(srv.ExpectedUnderscoreHeaders, h) {
			g.logger.Warn("Caddy drops this key header before the gateway sees it: add it to the server's expected_underscore_headers (global option servers { expected_underscore_headers "+h+" })",
				zap.String("header", h))
		}
	}
}

func underscoreAllowed(allow []string, header string) bool {
	for _, a := range allow {
		if strings.EqualFold(a, header) ||
			strings.HasSuffix(a, "*") && len(header) >= len(a)-1 && strings.EqualFold(header[:len(a)-1], a[:len(a)-1]) {
			return true
		}
	}
	return false
}

// checksData reports whether the payload must be decoded for the
// kd_instansi check.
func (k *keyService) checksData(c *auth.Claims, method string) bool {
	return auth.InstansiNeedsPayload(c, method)
}

func (g *Gateway) checkData(c *auth.Claims, method string, doc any) *refusal {
	if err := auth.CheckInstansi(c, method, doc); err != nil {
		return g.authRefusal(err)
	}
	return nil
}

// authRefusal turns an auth error into the envelope it is answered with.
func (g *Gateway) authRefusal(err error) *refusal {
	status, text := auth.Describe(err, g.lang)
	g.metrics.keyRefused(auth.MetricLabel(err))
	ref := &refusal{status: status, text: text}
	switch status {
	case http.StatusForbidden:
		ref.outcome = outcomeForbidden
	case http.StatusTooManyRequests:
		ref.outcome = outcomeRateLimited
		var locked *auth.LockedError
		if errors.As(err, &locked) {
			ref.header = http.Header{"Retry-After": {strconv.Itoa(locked.Seconds())}}
		}
	case http.StatusBadRequest:
		ref.outcome = outcomeBadRequest
	case http.StatusUnauthorized:
		ref.outcome = outcomeUnauthorized
	default:
		ref.outcome = outcomeInternalError
		g.logger.Error("auth failed", zap.Error(err))
	}
	return ref
}

// issueKey serves sendSecurityKey.
func (g *Gateway) issueKey(x *exchange, w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return g.answer(x, w, http.StatusUnsupportedMediaType, outcomeMediaType, pia.MsgUnsupportedMediaType, ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return g.answer(x, w, http.StatusBadRequest, outcomeBadRequest, pia.MsgBadKeyRequest, "body")
	}
	issued, err := g.keys.authority.IssueRequest(body, clientIP(r))
	if err != nil {
		return g.refuse(x, w, g.authRefusal(err))
	}
	x.client = issued.Claims.Client
	x.outcome = outcomeKeyIssued
	g.metrics.keyIssued(issued.Claims.Client)
	env := pia.Envelope{Shape: x.method.Envelope, Kode: http.StatusOK, Keterangan: g.lang.Text(pia.MsgKeyIssued), Members: issued.Members()}
	w.Header().Set("Cache-Control", "no-store")
	return env.Write(w)
}

// ossTokenService checks the Token OSS sends with its calls.
type ossTokenService struct {
	token *auth.OSSToken
}

func newOSSTokenService(cfg *OSSTokenConfig) (*ossTokenService, error) {
	repl := caddy.NewReplacer()
	t := &auth.OSSToken{
		Username: repl.ReplaceAll(cfg.Username, ""),
		Password: repl.ReplaceAll(cfg.Password, ""),
		Skew:     time.Duration(cfg.Skew),
		Now:      now,
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &ossTokenService{token: t}, nil
}

// findOSSToken finds OSS's Token on a call to a K/L/D method (Token
// header, Authorization: Bearer, ?token=), refusing the call without one
// (policy oss-token-every-kld-method).
// A Token in the query is taken out of the URL at once, so it neither
// travels upstream nor reaches any later handler or log.
func (g *Gateway) findOSSToken(r *http.Request) (string, *refusal) {
	tok, inQuery := g.ossToken.token.Find(r.Header, r.URL.RawQuery)
	if inQuery {
		r.URL.RawQuery = auth.StripQueryToken(r.URL.RawQuery)
		r.URL.ForceQuery = false
		r.RequestURI = r.URL.RequestURI()
	}
	if tok == "" {
		return "", g.authRefusal(auth.ErrTokenMissing)
	}
	return tok, nil
}

// verifyOSSToken checks the Token against the NIB of the body, found by
// pia.ScanString; a NIB named twice is refused, as the decoder refuses it.
func (g *Gateway) verifyOSSToken(method, tok string, body []byte) *refusal {
	nib, _, err := pia.ScanString(body, auth.NIBPath(method)...)
	if err != nil {
		return g.decodeRefusal(err)
	}
	if err := g.ossToken.token.Verify(tok, nib); err != nil {
		return g.authRefusal(err)
	}
	return nil
}
