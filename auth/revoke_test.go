package auth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevokeParsesWhatConfigurationAndTheAdminAPIGive: one parser for
// both, so a revocation means the same wherever it is written.
func TestRevokeParsesWhatConfigurationAndTheAdminAPIGive(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	r := NewRevocations(RevocationConfig{Now: clk.Now, Horizon: time.Hour})
	until := clk.Now().Add(30 * time.Minute)

	require.NoError(t, r.Revoke(ctx, Revocation{JTI: "a"}))
	require.NoError(t, r.Revoke(ctx, Revocation{JTI: "b", Until: until.Format(time.RFC3339)}))
	require.NoError(t, r.Revoke(ctx, Revocation{Client: "dinas"}))
	require.NoError(t, r.Revoke(ctx, Revocation{Client: "badan", Before: clk.Now().Add(-time.Minute).Format(time.RFC3339)}))
	l := r.List()
	assert.True(t, clk.Now().Add(time.Hour).Equal(l.Tokens["a"]), "without until, kept for the horizon")
	assert.True(t, until.Equal(l.Tokens["b"]), "until is the key's expiry")
	assert.True(t, clk.Now().Equal(l.Clients["dinas"].Before), "without before, the cut-off is now")
	assert.True(t, clk.Now().Add(-time.Minute).Equal(l.Clients["badan"].Before))

	for name, rv := range map[string]Revocation{
		"neither":                 {},
		"both":                    {JTI: "a", Client: "dinas"},
		"a jti with a cut-off":    {JTI: "a", Before: "2026-01-01T00:00:00Z"},
		"a client with an expiry": {Client: "dinas", Until: "2026-01-01T00:00:00Z"},
		"until not RFC 3339":      {JTI: "c", Until: "tomorrow"},
		"before not RFC 3339":     {Client: "dinas", Before: "2026-01-01"},
	} {
		err := r.Revoke(ctx, rv)
		assert.Error(t, err, name)
	}
	assert.ErrorContains(t, r.Revoke(ctx, Revocation{Client: "dinas", Before: "2026-01-01"}), "before: want an RFC 3339 time")
	assert.NotContains(t, r.List().Tokens, "c", "nothing stored for a refused revocation")
	assert.ErrorIs(t, r.Revoke(ctx, Revocation{JTI: "d", Until: clk.Now().Add(-time.Minute).Format(time.RFC3339)}), ErrRevokesNothing)
}
