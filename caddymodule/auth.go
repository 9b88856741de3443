package caddymodule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
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
	// are read from storage. Default 5s; never negative.
	RevocationRefresh caddy.Duration `json:"revocation_refresh,omitempty"`
	// Revoke lists revocations applied at provision: the same members
	// as the admin API's POST /pia/revocations takes.
	Revoke []auth.Revocation `json:"revoke,omitempty"`
}

// KeyConfig is one signing or verification key.
type KeyConfig struct {
	// ID is the key's kid.
	ID string `json:"id"`
	// Algorithm pins the key to HS256 (default), RS256, ES256 or EdDSA, in
	// any case.
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
	// revocations is its key in revocationPool while pooled is set;
	// clients, its names in clientPool; lockout, the key of its failure
	// counts in lockoutPool once taken.
	revocations revocationKey
	pooled      bool
	clients     []string
	lockout     *auth.LockoutConfig
	// checked remembers the servers whose header filter was looked at.
	checked sync.Map
}

// revocationPool holds the revocation lists of the running configs, one
// per storage document and settings, shared across config reloads: while
// an old and a new config overlap, a revocation made through either is
// refused by both at once. The admin API acts on them.
var revocationPool = caddy.NewUsagePool()

// clientPool holds the names of the clients the running configs know, for
// the admin API to refuse a revocation of a client none has.
var clientPool = caddy.NewUsagePool()

// lockoutPool holds the sendSecurityKey failure counts of the running
// configs, one per lockout settings, shared by every pia site of the process
// with those settings and across config reloads (policy
// lockout-kept-across-reloads): a reload must not give a guesser fresh
// attempts.
var lockoutPool = caddy.NewUsagePool()

// pooledLockout is failure counts in lockoutPool; they hold no resource to
// release.
type pooledLockout struct{ *auth.Lockout }

func (pooledLockout) Destruct() error { return nil }

// revocationKey identifies a revocation list in revocationPool: where it is
// stored and the settings it is kept with.
type revocationKey struct {
	storage any
	refresh time.Duration
	horizon time.Duration
}

// pooledRevocations is a revocation list in revocationPool; it holds no
// resource to release.
type pooledRevocations struct{ *auth.Revocations }

func (pooledRevocations) Destruct() error { return nil }

// storageIdentity names a storage for revocationPool: Caddy's file storage
// says where it is (String), another storage is itself when comparable;
// one that is neither shares with nothing.
func storageIdentity(s any) any {
	if str, ok := s.(fmt.Stringer); ok {
		return fmt.Sprintf("%T %s", s, str)
	}
	if s != nil && reflect.TypeOf(s).Comparable() {
		return s
	}
	return new(byte)
}

func newKeyService(ctx caddy.Context, cfg *AuthConfig, table *pia.Table, logger *zap.Logger) (*keyService, error) {
	if cfg.RevocationRefresh < 0 {
		return nil, errors.New("revocation_refresh must not be negative")
	}
	repl := caddy.NewReplacer()
	ac := auth.Config{
		Issuer:     cfg.Issuer,
		Audience:   cfg.Audience,
		TTL:        time.Duration(cfg.TTL),
		SigningKey: cfg.SigningKey,
		Headers:    cfg.TokenHeaders,
		Table:      table,
		Logger:     logger,
		Now:        now,
		Revocation: auth.RevocationConfig{Storage: ctx.Storage(), RefreshInterval: time.Duration(cfg.RevocationRefresh), Logger: logger},
	}
	if cfg.Lockout != nil {
		ac.Lockout = auth.LockoutConfig{MaxFailures: cfg.Lockout.MaxFailures,
			Window: time.Duration(cfg.Lockout.Window), CoolDown: time.Duration(cfg.Lockout.Cooldown)}
	}
	for _, k := range cfg.Keys {
		if k == nil {
			k = new(KeyConfig)
		}
		key := auth.Key{ID: k.ID, Algorithm: k.Algorithm}
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
		ac.Keys = append(ac.Keys, key)
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

	rc := ac.RevocationInForce()
	ks := &keyService{jwksPath: cfg.JWKSPath, revocations: revocationKey{storage: storageIdentity(rc.Storage),
		refresh: rc.RefreshInterval, horizon: rc.Horizon}}
	shared, _, err := revocationPool.LoadOrNew(ks.revocations, func() (caddy.Destructor, error) {
		return pooledRevocations{auth.NewRevocations(rc)}, nil
	})
	if err != nil {
		return nil, err
	}
	ks.pooled = true
	ac.Revocations = shared.(pooledRevocations).Revocations
	lc := ac.LockoutInForce()
	failures, _, err := lockoutPool.LoadOrNew(lc, func() (caddy.Destructor, error) {
		return pooledLockout{auth.NewLockout(lc, now)}, nil
	})
	if err != nil {
		ks.close()
		return nil, err
	}
	ks.lockout = &lc
	ac.Failures = failures.(pooledLockout).Lockout
	if ks.authority, err = auth.New(ac); err != nil {
		ks.close()
		return nil, err
	}
	for _, c := range ks.authority.Config().Clients {
		clientPool.LoadOrStore(c.Name, struct{}{})
		ks.clients = append(ks.clients, c.Name)
	}
	if err := ks.provision(ctx, cfg); err != nil {
		ks.close()
		return nil, err
	}
	return ks, nil
}

// provision reads the stored revocations, applies the configured ones and
// writes the defaults in force back into cfg, as Caddy's modules do.
func (k *keyService) provision(ctx context.Context, cfg *AuthConfig) error {
	a := k.authority
	if err := a.Revocations().Refresh(ctx); err != nil {
		return fmt.Errorf("reading revocations: %w", err)
	}
	for _, rv := range cfg.Revoke {
		if err := a.Revocations().Revoke(ctx, rv); err != nil && !errors.Is(err, auth.ErrRevokesNothing) {
			return err
		}
	}
	k.jwks = a.JWKS()
	if k.jwksPath != "" && k.jwks == nil {
		return errors.New("jwks: only asymmetric keys (RS256, ES256, EdDSA) have a public key set to serve")
	}
	in := a.Config()
	cfg.Issuer, cfg.Audience, cfg.TTL = in.Issuer, in.Audience, caddy.Duration(in.TTL)
	cfg.SigningKey, cfg.TokenHeaders = in.SigningKey, in.Headers
	cfg.Lockout = &LockoutConfig{MaxFailures: in.Lockout.MaxFailures,
		Window: caddy.Duration(in.Lockout.Window), Cooldown: caddy.Duration(in.Lockout.CoolDown)}
	cfg.RevocationRefresh = caddy.Duration(in.Revocation.RefreshInterval)
	for i, key := range cfg.Keys {
		if key != nil {
			key.Algorithm = in.Keys[i].Algorithm
		}
	}
	return nil
}

// close gives back what newKeyService took from the pools.
func (k *keyService) close() {
	if k.pooled {
		_, _ = revocationPool.Delete(k.revocations)
		k.pooled = false
	}
	if k.lockout != nil {
		_, _ = lockoutPool.Delete(*k.lockout)
		k.lockout = nil
	}
	for _, name := range k.clients {
		_, _ = clientPool.Delete(name)
	}
	k.clients = nil
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
	claims, err := g.keys.authority.Authenticate(r.Context(), r.Header)
	if errors.Is(err, auth.ErrMissing) {
		g.warnDroppedHeaders(r)
	}
	if err == nil {
		err = g.keys.authority.Authorize(claims, x.method.Name)
	}
	if err != nil {
		return nil, g.authRefusal(err)
	}
	x.client, x.claims = claims.Client, claims // the placeholders (exchange.placeholder)
	return claims, nil
}

// warnDroppedHeaders logs, once per server, that Caddy will drop a key
// header spelled with an underscore (user_key, the PIA's own) unless the
// server lists it in expected_underscore_headers: otherwise every client
// using it is refused with "key missing" and nobody knows why. It is
// asked on such a refusal only: a call with its key costs nothing here.
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

// checkInstansi refuses a payload naming another agency's kd_instansi
// than the client's (auth.CheckInstansi).
func (g *Gateway) checkInstansi(c *auth.Claims, m *pia.Method, doc any) *refusal {
	if err := auth.CheckInstansi(c, m, doc); err != nil {
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

// maxKeyRequest bounds a sendSecurityKey body, whatever max_body_size.
const maxKeyRequest = 64 << 10

// issueKey serves sendSecurityKey.
func (g *Gateway) issueKey(x *exchange, w http.ResponseWriter, r *http.Request) error {
	body, ref := readBody(r, maxKeyRequest)
	if ref != nil {
		return g.refuse(x, w, ref)
	}
	// The same types and charsets as on every route: a client that sends
	// its JSON as a form (PHP's curl) or in windows-1252 gets its key as it
	// gets its calls through.
	ct := r.Header.Get("Content-Type")
	if body, _, ref = inUTF8(body, charset(ct)); ref != nil {
		return g.refuse(x, w, ref)
	}
	if !acceptedType(ct, body) {
		return g.answer(x, w, http.StatusUnsupportedMediaType, outcomeMediaType, pia.MsgUnsupportedMediaType, clipPath(ct))
	}
	// A body that is not JSON gets the answer it gets on every route
	// (policy one-broken-body-answer); auth judges the request's members.
	if len(bytes.TrimSpace(body)) == 0 {
		return g.answer(x, w, http.StatusBadRequest, outcomeBadJSON, pia.MsgEmptyBody)
	}
	if !jsonbody.Valid(body) {
		return g.refuse(x, w, g.brokenBody(body))
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

func newOSSToken(cfg *OSSTokenConfig) (*auth.OSSToken, error) {
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
	cfg.Skew = caddy.Duration(t.Skew)
	return t, nil
}

// findOSSToken finds OSS's Token on a call to a K/L/D method (Token
// header, Authorization: Bearer, ?token=), refusing the call without one
// (policy oss-token-every-kld-method).
// A Token in the query is taken out of the URL at once, so it neither
// travels upstream nor reaches any later handler or log.
func (g *Gateway) findOSSToken(r *http.Request) (string, *refusal) {
	tok, inQuery := g.ossToken.Find(r.Header, r.URL.RawQuery)
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
// jsonbody.ScanString; a NIB named twice is refused, as the decoder refuses
// it. A body that is not JSON is answered as broken whatever its Token, as
// on every other route (policy one-broken-body-answer): the Token is
// checked against what the body holds, and a broken body holds nothing.
func (g *Gateway) verifyOSSToken(m *pia.Method, tok string, body []byte) *refusal {
	nib, _, err := jsonbody.ScanString(body, auth.NIBPath(m)...)
	if err == nil {
		if err = g.ossToken.Verify(tok, nib); err == nil {
			return nil
		}
	}
	var syntax *jsonbody.SyntaxError
	if errors.As(err, &syntax) || m.HTTPMethod != http.MethodGet && !jsonbody.Valid(body) {
		return g.brokenBody(body)
	}
	var dup *jsonbody.DuplicateMemberError
	if errors.As(err, &dup) {
		return g.decodeRefusal(body, err) // the Token's NIB named twice
	}
	return g.authRefusal(err)
}
