package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// clock is an injectable time source that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at 10:00 WIB on a working day, far from midnight.
func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 14, 10, 0, 0, 0, Jakarta)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Test keys, generated once per test binary (built by hand, not fixtures
// of the PIA).
var (
	keysOnce  sync.Once
	rsaPriv   *rsa.PrivateKey
	ecPriv    *ecdsa.PrivateKey
	edPriv    ed25519.PrivateKey
	hsSecret  = []byte("0123456789abcdef0123456789abcdef-test-secret")
	hsSecret2 = []byte("another-32-byte-secret-for-rotation-tests!!")
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		rsaPriv, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ecPriv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		_, edPriv, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
	})
}

func privPEM(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func pubPEM(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Passwords of the test clients, hashed at bcrypt's minimum cost so tests
// stay quick; the cost does not change the logic under test.
const (
	pwdDinas  = "rahasia-dinas-123"
	pwdBadan  = "rahasia-badan-456"
	instDinas = "1234"
)

var (
	hashOnce             sync.Once
	hashDinas, hashBadan string
)

func testClients(t testing.TB) []Client {
	t.Helper()
	hashOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte(pwdDinas), bcrypt.MinCost)
		if err != nil {
			panic(err)
		}
		hashDinas = string(h)
		h, err = bcrypt.GenerateFromPassword([]byte(pwdBadan), bcrypt.MinCost)
		if err != nil {
			panic(err)
		}
		hashBadan = string(h)
	})
	return []Client{
		{Name: "dinas", UserAkses: "dinas-user", PasswordHash: hashDinas,
			Methods:    []string{"receiveLicense", "receiveLicenseStatus", "checkLisenseStatus"},
			PIAVersion: pia.MustVersion("4.3.20"), KdInstansi: instDinas},
		{Name: "badan", UserAkses: "badan-user", PasswordHash: hashBadan, Methods: []string{"*"}},
	}
}

// newAuthority builds an Authority signing with HS256 on clk, sharing
// storage st (nil: its own), refreshing before every check (a negative
// interval).
func newAuthority(t testing.TB, clk *clock, st Storage, mutate ...func(*Config)) *Authority {
	t.Helper()
	cfg := Config{
		Keys:       []Key{{ID: "hs1", Algorithm: HS256, Secret: hsSecret}},
		Clients:    testClients(t),
		Table:      pia.NewTable(),
		Now:        clk.Now,
		Revocation: RevocationConfig{Storage: st, RefreshInterval: -1},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := New(cfg)
	require.NoError(t, err)
	return a
}

// methodOf is the PIA method of that name, or a custom method the PIA does
// not have, as the gateway's table gives them.
func methodOf(name string) *pia.Method {
	if m, ok := pia.NewTable().Lookup(name); ok {
		return m
	}
	return &pia.Method{Name: name, Side: pia.SideKLD, Custom: true}
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
