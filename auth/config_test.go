package auth

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

func TestZeroConfigValuesMeanTheDocumentedDefaults(t *testing.T) {
	a := newAuthority(t, newClock(), nil, func(c *Config) {
		c.Keys = []Key{{ID: "hs1", Secret: hsSecret}}
		c.Revocation.RefreshInterval = 0
	})
	got := a.Config()
	assert.Equal(t, DefaultIssuer, got.Issuer)
	assert.Equal(t, DefaultAudience, got.Audience)
	assert.Equal(t, DefaultTTL, got.TTL)
	assert.Equal(t, DefaultHeaders, got.Headers)
	assert.Equal(t, HS256, got.Keys[0].Algorithm, "a key without an algorithm is HS256")
	assert.Equal(t, "hs1", got.SigningKey, "the only key that can sign signs")
	assert.Equal(t, LockoutConfig{MaxFailures: DefaultMaxFailures, Window: DefaultWindow, CoolDown: DefaultCoolDown, MaxEntries: DefaultMaxEntries}, got.Lockout)
	assert.Equal(t, DefaultRefreshInterval, got.Revocation.RefreshInterval, "a zero refresh interval is the default, not a reload on every check")
	assert.Equal(t, DefaultTTL+DefaultLeeway, got.Revocation.Horizon)
	assert.Same(t, a.Revocations(), got.Revocations)
}

func TestZeroRefreshIntervalReadsOtherInstancesRevocationsAtTheDefaultPace(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := &plainStorage{m: NewMemoryStorage()}
	a := newAuthority(t, clk, st)
	b := newAuthority(t, clk, st, func(c *Config) { c.Revocation.RefreshInterval = 0 })
	require.NoError(t, b.Revocations().Refresh(ctx))
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	require.NoError(t, a.Revocations().RevokeToken(ctx, iss.Claims.ID, iss.ExpiresAt))

	loads := st.loads.Load()
	_, err = b.Verify(ctx, iss.Token)
	assert.NoError(t, err, "within the default interval b uses its copy")
	assert.Equal(t, loads, st.loads.Load(), "no storage I/O within the default interval")
	clk.Add(DefaultRefreshInterval)
	_, err = b.Verify(ctx, iss.Token)
	assert.ErrorIs(t, err, ErrRevoked, "b refused it after the default interval")
}

func TestAlgorithmsInAnyCase(t *testing.T) {
	testKeys(t)
	for given, want := range map[string]string{"": HS256, "hs256": HS256, "Rs256": RS256, "es256": ES256, "EDDSA": EdDSA, "eddsa": EdDSA, "hs512": "hs512"} {
		assert.Equal(t, want, CanonicalAlgorithm(given), "%q", given)
	}
	a := newAuthority(t, newClock(), nil, func(c *Config) {
		c.Keys = []Key{{ID: "ed", Algorithm: "eddsa", PrivateKeyPEM: privPEM(t, edPriv)}}
	})
	assert.Equal(t, EdDSA, a.Config().Keys[0].Algorithm)
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	_, err = a.Verify(context.Background(), iss.Token)
	assert.NoError(t, err)
}

func TestSigningKeyChoice(t *testing.T) {
	testKeys(t)
	pubOnly := Key{ID: "pub", Algorithm: ES256, PublicKeyPEM: pubPEM(t, &ecPriv.PublicKey)}
	hs := Key{ID: "hs", Secret: hsSecret}
	hs2 := Key{ID: "hs2", Secret: hsSecret2}

	a := newAuthority(t, newClock(), nil, func(c *Config) { c.Keys = []Key{pubOnly, hs, hs2} })
	assert.Equal(t, "hs", a.Config().SigningKey, "unset, the first key that can sign signs")
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	assert.Equal(t, "hs", headerKID(t, iss.Token))

	a = newAuthority(t, newClock(), nil, func(c *Config) { c.Keys, c.SigningKey = []Key{pubOnly, hs, hs2}, "hs2" })
	iss, err = a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	assert.Equal(t, "hs2", headerKID(t, iss.Token), "the named key signs")

	_, err = New(Config{Keys: []Key{pubOnly, hs}, SigningKey: "pub"})
	assert.ErrorContains(t, err, "a signing key needs its private key")
	_, err = New(Config{Keys: []Key{hs}, SigningKey: "k9"})
	assert.ErrorContains(t, err, `signing key "k9": no such key`)

	verifyOnly, err := New(Config{Keys: []Key{pubOnly}})
	require.NoError(t, err, "without clients no key need sign")
	assert.Empty(t, verifyOnly.Config().SigningKey)
}

func headerKID(t *testing.T, token string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(token, &Claims{})
	require.NoError(t, err)
	kid, _ := tok.Header["kid"].(string)
	return kid
}

// TestRootsComeFromTheMethod: where the NIB and the kd_instansi sit follows
// the method's pia.Method.RequestRoot, not a table of this package.
func TestRootsComeFromTheMethod(t *testing.T) {
	renamed := &pia.Method{Name: "receiveNIB", Side: pia.SideKLD, RequestRoot: "dataNIBBaru", OSSToken: true}
	assert.Equal(t, []string{"dataNIBBaru", "nib"}, NIBPath(renamed))
	assert.Equal(t, nib, NIBOf(renamed, map[string]any{"dataNIBBaru": map[string]any{"nib": nib}}))
	assert.Equal(t, []string{"*", "nib"}, NIBPath(&pia.Method{Name: "receiveCustom", Side: pia.SideKLD, Custom: true}), "no documented Token: the only root's nib")

	own := &Claims{Client: "dinas", KdInstansi: "1234"}
	licence := &pia.Method{Name: "receiveLicense", Side: pia.SideOSS, RequestRoot: "IZINFINALBARU"}
	err := CheckInstansi(own, licence, map[string]any{"IZINFINALBARU": map[string]any{"kd_instansi": "5678"}})
	assert.ErrorIs(t, err, ErrForbiddenInstansi)
	assert.NoError(t, CheckInstansi(own, licence, map[string]any{"IZINFINAL": map[string]any{"kd_instansi": "5678"}}), "the old root is no longer the method's")
}
