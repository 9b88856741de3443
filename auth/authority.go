package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Defaults of Config.
const (
	DefaultIssuer   = "caddy-pia"
	DefaultAudience = "pia"
	DefaultTTL      = 24 * time.Hour
	// DefaultLeeway tolerates clock differences between gateway instances
	// in exp, nbf and iat.
	DefaultLeeway = 30 * time.Second
)

// Jakarta is Asia/Jakarta (WIB, UTC+7, no daylight saving), fixed so that no
// tzdata is needed.
var Jakarta = time.FixedZone("WIB", 7*3600)

// MasaBerlakuLayout is how sendSecurityKey writes masa_berlaku, in Jakarta
// time.
const MasaBerlakuLayout = "2006-01-02 15:04:05"

// bcryptMaxPassword is the length bcrypt reads; longer passwords would match
// on their first 72 bytes alone.
const bcryptMaxPassword = 72

// Client is a K/L/D system allowed to ask for a security key.
type Client struct {
	// Name identifies the client in tokens (sub, client), logs and
	// revocations.
	Name string
	// UserAkses is the user_akses it sends to sendSecurityKey.
	UserAkses string
	// PasswordHash is the bcrypt hash of its pwd_akses, as printed by
	// `caddy hash-password` (or base64 of it). Never the password.
	PasswordHash string
	// Methods it may call; empty or "*" means every method.
	Methods []string
	// PIAVersion is the PIA version it speaks; zero when unset.
	PIAVersion pia.Version
	// KdInstansi is its agency code; set, it may only send its own
	// kd_instansi (CheckInstansi).
	KdInstansi string
}

// Config is the authentication setup of a gateway, filled by the Caddy glue.
type Config struct {
	// Issuer (iss) and Audience (aud) of the tokens issued and accepted;
	// empty means DefaultIssuer and DefaultAudience.
	Issuer   string
	Audience string
	// TTL is how long an issued key is valid; zero means DefaultTTL.
	TTL time.Duration
	// Keys sign and verify.
	Keys []Key
	// SigningKey is the kid of the key new keys are signed with; empty
	// means the first key that can sign (a secret or a private key). The
	// others only verify, which is how a key is rotated: add the new key
	// as the signing key, keep the old one until the keys it signed have
	// expired.
	SigningKey string
	// Clients may obtain keys. With none, the gateway only verifies keys
	// another instance issues.
	Clients []Client
	// Headers the key is read from, in order; empty means DefaultHeaders.
	Headers []string
	// Lockout limits password guessing at sendSecurityKey.
	Lockout LockoutConfig
	// Failures, when set, are the failure counts to keep instead of new
	// ones: counts shared by several authorities, as the gateway keeps
	// them across config reloads. Make them with NewLockout from
	// LockoutInForce.
	Failures *Lockout
	// Revocation says where revocations are shared. Its Horizon and Now
	// default to this config's (RevocationInForce).
	Revocation RevocationConfig
	// Revocations, when set, is the list to check instead of one made from
	// Revocation: a list shared by several authorities, as the gateway
	// shares one across config reloads. Make it from RevocationInForce.
	Revocations *Revocations
	// Table, when set, checks client method names and turns aliases into
	// canonical names.
	Table *pia.Table
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *zap.Logger
}

// Authority issues and verifies the security keys of one gateway.
type Authority struct {
	issuer, audience string
	ttl              time.Duration
	leeway           time.Duration
	headers          []string
	keys             *keyring
	parser           *jwt.Parser
	clientsByUser    map[string]*client
	clientsByName    map[string]*client
	dummy            []byte
	maxCost          int
	// maxCompare is how long a comparison at maxCost took last
	// (nanoseconds): a failure against a cheaper hash is padded to it.
	maxCompare  atomic.Int64
	logger      *zap.Logger
	lockout     *Lockout
	revocations *Revocations
	now         func() time.Time
	verified    verified
	config      Config
}

type client struct {
	Client
	hash []byte
}

// withDefaults is the configuration with every zero value replaced by the
// default its field documents.
func (cfg Config) withDefaults() Config {
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if len(cfg.Headers) == 0 {
		cfg.Headers = DefaultHeaders
	}
	cfg.Headers = append([]string(nil), cfg.Headers...)
	cfg.Keys = append([]Key(nil), cfg.Keys...)
	for i := range cfg.Keys {
		cfg.Keys[i].Algorithm = CanonicalAlgorithm(cfg.Keys[i].Algorithm)
	}
	cfg.Lockout = cfg.Lockout.withDefaults()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Revocation.Horizon <= 0 {
		cfg.Revocation.Horizon = cfg.TTL + DefaultLeeway
	}
	if cfg.Revocation.Now == nil {
		cfg.Revocation.Now = cfg.Now
	}
	if cfg.Revocation.Logger == nil {
		cfg.Revocation.Logger = cfg.Logger
	}
	cfg.Revocation = cfg.Revocation.withDefaults()
	return cfg
}

// RevocationInForce is the revocation configuration an Authority made from
// cfg uses: Revocation with its defaults, the horizon being the longest a
// key lives (TTL plus leeway).
func (cfg Config) RevocationInForce() RevocationConfig {
	return cfg.withDefaults().Revocation
}

// LockoutInForce is the lockout configuration an Authority made from cfg
// uses: Lockout with its defaults.
func (cfg Config) LockoutInForce() LockoutConfig {
	return cfg.withDefaults().Lockout
}

// New checks the configuration and prepares everything the request path
// needs. It does no storage I/O: call Revocations().Refresh next.
func New(cfg Config) (*Authority, error) {
	cfg = cfg.withDefaults()
	if cfg.TTL < 0 {
		return nil, errors.New("auth: TTL is negative")
	}
	a := &Authority{issuer: cfg.Issuer, audience: cfg.Audience, ttl: cfg.TTL, leeway: DefaultLeeway,
		headers: cfg.Headers, now: cfg.Now, logger: cfg.Logger}
	kr, err := newKeyring(cfg.Keys, cfg.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	if len(kr.byID) == 0 {
		return nil, errors.New("auth: no key configured")
	}
	a.keys = kr
	if kr.signer != nil {
		cfg.SigningKey = kr.signer.id
	}
	if err := a.addClients(cfg.Clients, cfg.Table); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	if len(a.clientsByName) > 0 && kr.signer == nil {
		return nil, errors.New("auth: clients are configured but no key can sign (a secret or a private key)")
	}
	a.parser = jwt.NewParser(
		jwt.WithValidMethods(kr.methods),
		jwt.WithIssuer(a.issuer),
		jwt.WithAudience(a.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(a.leeway),
		jwt.WithTimeFunc(a.now),
		jwt.WithStrictDecoding(),
	)
	a.lockout = cfg.Failures
	if a.lockout == nil {
		a.lockout = NewLockout(cfg.Lockout, a.now)
	} else if a.lockout.cfg != cfg.Lockout {
		return nil, errors.New("auth: the failure counts given are kept under other lockout settings")
	}
	cfg.Failures = a.lockout
	a.revocations = cfg.Revocations
	if a.revocations == nil {
		a.revocations = NewRevocations(cfg.Revocation)
	}
	cfg.Revocations = a.revocations
	a.config = cfg
	return a, nil
}

// Config is the configuration in force: the one New was given, with the
// defaults it applied and the signing key it chose.
func (a *Authority) Config() Config {
	c := a.config
	c.Headers, c.Keys, c.Clients = slices.Clone(c.Headers), slices.Clone(c.Keys), slices.Clone(c.Clients)
	return c
}

func (a *Authority) addClients(clients []Client, table *pia.Table) error {
	a.clientsByUser = make(map[string]*client, len(clients))
	a.clientsByName = make(map[string]*client, len(clients))
	maxCost, minCost := 0, 0
	for i, c := range clients {
		switch {
		case c.Name == "":
			return fmt.Errorf("client %d: name is empty", i)
		case c.UserAkses == "":
			return fmt.Errorf("client %s: user_akses is empty", c.Name)
		case a.clientsByName[c.Name] != nil:
			return fmt.Errorf("client %s: declared twice", c.Name)
		case a.clientsByUser[c.UserAkses] != nil:
			return fmt.Errorf("client %s: user_akses is already client %s's", c.Name, a.clientsByUser[c.UserAkses].Name)
		}
		hash, err := parsePasswordHash(c.PasswordHash)
		if err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		cost, _ := bcrypt.Cost(hash) // parsePasswordHash checked it
		maxCost = max(maxCost, cost)
		if minCost == 0 || cost < minCost {
			minCost = cost
		}
		cl := &client{Client: c, hash: hash}
		cl.Methods = nil
		for _, m := range c.Methods {
			if m != "*" && table != nil {
				pm, ok := table.Lookup(m)
				if !ok {
					return fmt.Errorf("client %s: unknown method %s", c.Name, m)
				}
				m = pm.Name
			}
			if !contains(cl.Methods, m) {
				cl.Methods = append(cl.Methods, m)
			}
		}
		a.clientsByName[c.Name] = cl
		a.clientsByUser[c.UserAkses] = cl
	}
	if maxCost > 0 {
		a.dummy = dummyHash(maxCost)
		a.maxCost = maxCost
	}
	if minCost != maxCost {
		a.logger.Warn("clients' password hashes have different bcrypt costs: failures are padded to the highest; rehash them at one cost",
			zap.Int("lowest", minCost), zap.Int("highest", maxCost))
	}
	return nil
}

// Issued is a security key just issued.
type Issued struct {
	Token     string
	Claims    *Claims
	ExpiresAt time.Time
}

// MasaBerlaku is the expiry as sendSecurityKey answers it: Jakarta time,
// YYYY-MM-DD HH:MM:SS.
func (i *Issued) MasaBerlaku() string {
	return i.ExpiresAt.In(Jakarta).Format(MasaBerlakuLayout)
}

// Members are the members sendSecurityKey's answer carries after kode and
// keterangan: key and masa_berlaku.
func (i *Issued) Members() []pia.Member {
	return []pia.Member{{Key: "key", Value: i.Token}, {Key: "masa_berlaku", Value: i.MasaBerlaku()}}
}

// IssueRequest is sendSecurityKey from its body: ParseKeyRequest, then
// Issue. ip is the client's address, for the lockout.
func (a *Authority) IssueRequest(body []byte, ip string) (*Issued, error) {
	user, pwd, err := ParseKeyRequest(body)
	if err != nil {
		return nil, err
	}
	return a.Issue(user, pwd, ip)
}

// Issue checks user_akses and pwd_akses and signs a key for the client.
// While the user_akses or ip is locked out, or has as many attempts in
// flight as the lockout allows failures, it answers *LockedError without
// looking at the password.
func (a *Authority) Issue(user, pwd, ip string) (*Issued, error) {
	if err := a.lockout.Begin(user, ip); err != nil {
		return nil, err
	}
	defer a.lockout.End(user, ip)
	c := a.clientsByUser[user]
	hash := a.dummy
	if c != nil {
		hash = c.hash
	}
	ok := false
	if hash != nil {
		// The comparison runs for unknown users and over-long passwords
		// too, so the time taken does not tell them apart.
		start := time.Now()
		ok = compareHash(hash, []byte(pwd)) == nil && c != nil && len(pwd) <= bcryptMaxPassword
		took := time.Since(start)
		if cost, _ := bcrypt.Cost(hash); cost == a.maxCost {
			a.maxCompare.Store(int64(took))
		} else if !ok {
			// A cheaper client's failure would tell it exists: it takes
			// as long as the dummy comparison of an unknown user.
			if est := time.Duration(a.maxCompare.Load()); est > 0 {
				time.Sleep(est - took)
			} else {
				_ = compareHash(a.dummy, []byte(pwd))
			}
		}
	}
	if !ok {
		a.lockout.Fail(user, ip)
		return nil, ErrBadCredentials
	}
	a.lockout.Succeed(user)
	return a.sign(c)
}

func (a *Authority) sign(c *client) (*Issued, error) {
	if a.keys.signer == nil {
		return nil, errors.New("auth: no signing key")
	}
	jti, err := newJTI()
	if err != nil {
		return nil, err
	}
	now := a.now().Truncate(time.Second)
	exp := now.Add(a.ttl)
	claims := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    a.issuer,
			Subject:   c.Name,
			Audience:  jwt.ClaimStrings{a.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        jti,
		},
		Client:     c.Name,
		Methods:    c.Methods,
		PIAVersion: c.PIAVersion.String(),
		KdInstansi: c.KdInstansi,
	}
	t := jwt.NewWithClaims(a.keys.signer.method, claims)
	t.Header["kid"] = a.keys.signer.id
	s, err := t.SignedString(a.keys.signer.sign)
	if err != nil {
		return nil, fmt.Errorf("auth: signing: %w", err)
	}
	return &Issued{Token: s, Claims: claims, ExpiresAt: exp}, nil
}

func newJTI() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Authenticate reads the key from the configured headers and verifies it.
func (a *Authority) Authenticate(ctx context.Context, h http.Header) (*Claims, error) {
	tok, _, ok := Extract(h, a.headers)
	if !ok {
		return nil, &MissingError{Headers: a.headers}
	}
	return a.Verify(ctx, tok)
}

// Verify checks a key: signature with the key its kid names and that key's
// algorithm only, issuer, audience, validity times, the claims this
// package requires, that its client is still configured (when this
// gateway has clients) and that it is not revoked.
func (a *Authority) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > MaxTokenLength {
		return nil, ErrMalformed
	}
	now := a.now()
	c, ok := a.verified.get(token, now, a.leeway)
	if !ok {
		c = &Claims{}
		t, err := a.parser.ParseWithClaims(token, c, a.keyFor)
		if err != nil {
			return nil, a.classify(t, err)
		}
		// A key living longer than this gateway issues them was signed
		// under a longer ttl or by someone else: refused, so that no key
		// outlives the revocations, which are kept for ttl plus leeway
		// (policy key-lifetime-and-current-grant).
		if c.ExpiresAt.Sub(c.IssuedAt.Time) > a.ttl+a.leeway {
			return nil, ErrExpired
		}
		// Verified at the parser's time or later: now was read before it.
		a.verified.put(token, c, a.now())
	}
	if len(a.clientsByName) > 0 {
		cl := a.clientsByName[c.Client]
		if cl == nil {
			return nil, ErrRevoked
		}
		if !a.narrow(c, cl) {
			return nil, ErrRevoked
		}
	}
	if err := a.revocations.Check(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// narrow intersects the grant a key carries with its client's current
// configuration, so narrowing a client's methods or giving it a
// kd_instansi takes effect on the keys already issued. It reports false
// when nothing is left: the key names another agency than the client now
// has.
func (a *Authority) narrow(c *Claims, cl *client) bool {
	if !mayCall(cl.Methods, "*") || len(c.Methods) > 0 && !mayCall(c.Methods, "*") {
		var both []string
		if mayCall(c.Methods, "*") {
			both = append(both, cl.Methods...)
		} else {
			for _, m := range c.Methods {
				if mayCall(cl.Methods, m) {
					both = append(both, m)
				}
			}
		}
		if len(both) == 0 {
			both = []string{noMethod}
		}
		c.Methods = both
	}
	switch {
	case cl.KdInstansi == "":
	case c.KdInstansi == "":
		c.KdInstansi = cl.KdInstansi
	case c.KdInstansi != cl.KdInstansi:
		return false
	}
	return true
}

// noMethod is the grant of a key whose methods the client no longer has:
// a name no method can have, so MayCall refuses everything with 403.
const noMethod = "\x00"

// keyFor pins each kid to its key's algorithm, so a token cannot pick the
// verification: HS256 with an RSA public key as the secret, or alg none,
// is refused before any signature check.
func (a *Authority) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	k := a.keys.byID[kid]
	if k == nil {
		return nil, ErrUnknownKID
	}
	if t.Method == nil || t.Method.Alg() != k.method.Alg() {
		return nil, ErrAlgorithm
	}
	return k.verify, nil
}

// classify turns the parser's error into one of ours, dropping its text:
// it can quote decoded parts of the token. As in keyFor, an unknown kid is
// reported before a wrong alg, so a key rotated out reads as such.
func (a *Authority) classify(t *jwt.Token, err error) error {
	for _, own := range []error{ErrUnknownKID, ErrAlgorithm, ErrMalformed} {
		if errors.Is(err, own) {
			return own
		}
	}
	// The parser refuses an unknown or unlisted alg before asking keyFor.
	badAlg := func() error {
		if t != nil {
			if kid, _ := t.Header["kid"].(string); a.keys.byID[kid] != nil {
				return ErrAlgorithm
			}
		}
		return ErrUnknownKID
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// alg unknown or absent (the keyfunc's own errors returned above).
		return badAlg()
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if t == nil || t.Method == nil || !contains(a.keys.methods, t.Method.Alg()) {
			return badAlg()
		}
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ErrIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ErrAudience
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ErrNotYetValid
	}
	return ErrMalformed
}

// Authorize checks that the claims grant the method (its canonical name).
// The payload is checked apart, once decoded (CheckInstansi).
func (a *Authority) Authorize(c *Claims, method string) error {
	if !c.MayCall(method) {
		return &ForbiddenMethodError{Client: c.Client, Method: method}
	}
	return nil
}

// JWKS is the JSON Web Key Set of the asymmetric keys, for the glue to
// serve (Content-Type application/jwk-set+json); nil when every key is
// HS256, whose secret must never be published.
func (a *Authority) JWKS() []byte { return a.keys.jwks }

// Revocations is the revocation list, for the admin API and provisioning.
func (a *Authority) Revocations() *Revocations { return a.revocations }

// Client returns the configured client of that name.
func (a *Authority) Client(name string) (Client, bool) {
	c, ok := a.clientsByName[name]
	if !ok {
		return Client{}, false
	}
	return c.Client, true
}

// HasClients reports whether this authority issues keys to configured
// clients (otherwise it only verifies keys issued elsewhere).
func (a *Authority) HasClients() bool { return len(a.clientsByName) > 0 }

// StripTokens removes the security key headers before the request goes on
// upstream (see Strip).
func (a *Authority) StripTokens(h http.Header) { Strip(h, a.headers) }

// Headers are the headers Authenticate reads, in order.
func (a *Authority) Headers() []string { return append([]string(nil), a.headers...) }
