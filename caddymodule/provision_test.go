package caddymodule

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/auth"
)

// provisionGateway provisions a pia handler from its JSON in a context
// whose storage is the directory dir, as a config load does, without
// serving it; the test cleans it up as Caddy does when the config stops.
func provisionGateway(t testing.TB, dir, handler string) *Gateway {
	t.Helper()
	ctx, err := caddy.ProvisionContext(&caddy.Config{StorageRaw: json.RawMessage(fmt.Sprintf(`{"module":"file_system","root":%q}`, dir))})
	require.NoError(t, err)
	g := &Gateway{logger: zap.NewNop()}
	require.NoError(t, json.Unmarshal([]byte(handler), g))
	require.NoError(t, g.Provision(ctx))
	t.Cleanup(func() { _ = g.Cleanup() })
	return g
}

// authHandler is a pia handler with keys for client demo, refreshing
// revocations every refresh.
func authHandler(refresh string) string {
	return `{"upstreams":{"oss":{"proxy":{"handler":"static_response"}}},
	"auth":{"keys":[{"id":"k1","secret":"` + testSecret + `"}],
		"clients":[{"name":"demo","user_akses":"demo","password_hash":"` + demoHash + `"}],
		"revocation_refresh":"` + refresh + `"}}`
}

func TestOverlappingConfigsShareOneRevocationList(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// During a reload the new config is provisioned while the old one
	// still serves; revocations are read from storage only hourly.
	old := provisionGateway(t, dir, authHandler("1h"))
	next := provisionGateway(t, dir, authHandler("1h"))
	require.Same(t, old.keys.authority.Revocations(), next.keys.authority.Revocations(), "one list, from the pool")

	issued, err := next.keys.authority.Issue("demo", "demo-secret", "")
	require.NoError(t, err)
	require.NoError(t, old.keys.authority.Revocations().Revoke(ctx, auth.Revocation{JTI: issued.Claims.ID}))
	_, err = next.keys.authority.Verify(ctx, issued.Token)
	assert.ErrorIs(t, err, auth.ErrRevoked, "revoked through the old config, refused by the new one at once")

	other := provisionGateway(t, dir, authHandler("2h"))
	assert.NotSame(t, old.keys.authority.Revocations(), other.keys.authority.Revocations(), "other settings, another list")
	require.NoError(t, other.Cleanup())

	assert.False(t, clientKnown("nobody"), "the running configs have clients: an unknown one is refused")
	assert.True(t, clientKnown("demo"))
	require.NoError(t, old.Cleanup()) // the old config stops
	refs, ok := revocationPool.References(next.keys.revocations)
	assert.True(t, ok && refs == 1, "the new config keeps the list: %d", refs)
	_, err = next.keys.authority.Verify(ctx, issued.Token)
	assert.ErrorIs(t, err, auth.ErrRevoked)
	require.NoError(t, next.Cleanup())
	_, ok = revocationPool.References(next.keys.revocations)
	assert.False(t, ok, "released with the last config using it")
	assert.True(t, clientKnown("nobody"), "no running config has clients to say")
}

func TestOverlappingConfigsShareTheFailureCounts(t *testing.T) {
	dir := t.TempDir()
	old := provisionGateway(t, dir, authHandler("1h"))
	next := provisionGateway(t, dir, authHandler("1h")) // a reload: the old config still serves
	for i := range auth.DefaultMaxFailures {
		_, err := old.keys.authority.Issue("demo", "wrong", "192.0.2.7")
		require.ErrorIs(t, err, auth.ErrBadCredentials, "attempt %d", i+1)
	}
	_, err := next.keys.authority.Issue("demo", "demo-secret", "")
	assert.ErrorIs(t, err, auth.ErrLocked, "locked out through the old config, by the new one too")

	stricter := provisionGateway(t, dir, strings.Replace(authHandler("1h"), `"revocation_refresh"`, `"lockout":{"max_failures":3},"revocation_refresh"`, 1))
	_, err = stricter.keys.authority.Issue("demo", "demo-secret", "")
	assert.NoError(t, err, "other lockout settings, other counts")
	require.NoError(t, stricter.Cleanup())

	require.NoError(t, old.Cleanup()) // the old config stops
	_, err = next.keys.authority.Issue("demo", "demo-secret", "")
	assert.ErrorIs(t, err, auth.ErrLocked, "the new config keeps the counts")
	key := *next.keys.lockout
	require.NoError(t, next.Cleanup())
	_, ok := lockoutPool.References(key)
	assert.False(t, ok, "released with the last config using them")
}

func TestProvisionWritesTheDefaultsInForceIntoTheConfig(t *testing.T) {
	t.Setenv("PIA_TEST_SECRET", testSecret)
	g := provisionGateway(t, t.TempDir(), `{"upstreams":{"oss":{"proxy":{"handler":"static_response"}}},
		"auth":{"keys":[{"id":"k1","algorithm":"hs256","secret":"{env.PIA_TEST_SECRET}"}]},
		"oss_token":{"username":"u","password":"p"}}`)
	assert.Equal(t, DefaultPrefixes, g.Prefixes)
	assert.Equal(t, int64(DefaultMaxBodySize), g.MaxBodySize)
	assert.Equal(t, DefaultMaxElements, g.MaxElements)
	assert.Equal(t, "id", g.Lang)
	assert.Equal(t, "4.3.20", g.Upstreams["oss"].Version)
	a := g.Auth
	assert.Equal(t, auth.DefaultIssuer, a.Issuer)
	assert.Equal(t, auth.DefaultAudience, a.Audience)
	assert.Equal(t, caddy.Duration(auth.DefaultTTL), a.TTL)
	assert.Equal(t, "k1", a.SigningKey)
	assert.Equal(t, auth.DefaultHeaders, a.TokenHeaders)
	assert.Equal(t, &LockoutConfig{MaxFailures: 5, Window: caddy.Duration(5 * time.Minute), Cooldown: caddy.Duration(15 * time.Minute)}, a.Lockout)
	assert.Equal(t, caddy.Duration(auth.DefaultRefreshInterval), a.RevocationRefresh, "no refresh given is the default, 5s")
	assert.Equal(t, "HS256", a.Keys[0].Algorithm)
	assert.Equal(t, "{env.PIA_TEST_SECRET}", a.Keys[0].Secret, "a secret stays a placeholder")
	assert.Equal(t, caddy.Duration(auth.DefaultOSSTokenSkew), g.OSSToken.Skew)
}

func TestNegativeRevocationRefreshFailsTheLoad(t *testing.T) {
	ctx, err := caddy.ProvisionContext(&caddy.Config{StorageRaw: json.RawMessage(fmt.Sprintf(`{"module":"file_system","root":%q}`, t.TempDir()))})
	require.NoError(t, err)
	g := &Gateway{logger: zap.NewNop()}
	require.NoError(t, json.Unmarshal([]byte(authHandler("-1s")), g))
	err = g.Provision(ctx)
	_ = g.Cleanup()
	assert.ErrorContains(t, err, "revocation_refresh must not be negative")
}

// TestConfigurationRevocationsTakeTheAdminAPIsMembers: the configuration's
// revoke entries and POST /pia/revocations are read by one parser.
func TestConfigurationRevocationsTakeTheAdminAPIsMembers(t *testing.T) {
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	g := provisionGateway(t, t.TempDir(), `{"upstreams":{"oss":{"proxy":{"handler":"static_response"}}},
		"auth":{"keys":[{"id":"k1","secret":"`+testSecret+`"}],
		"revoke":[{"jti":"j1","until":"`+until.Format(time.RFC3339)+`"},{"client":"demo"}]}}`)
	l := g.keys.authority.Revocations().List()
	assert.True(t, until.Equal(l.Tokens["j1"]), "until is the key's expiry: %v", l.Tokens["j1"])
	assert.Contains(t, l.Clients, "demo")
}
