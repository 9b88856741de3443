package auth

// Fixtures: keys issued by the test Authority (helpers_test.go).

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key verified once is remembered, but never past what the parser would
// accept, and never past a revocation.
func TestARememberedKeyIsStillCheckedOnEveryCall(t *testing.T) {
	ctx := context.Background()
	// remembered is an Authority on its own clock, with a key it has
	// verified once.
	remembered := func(t *testing.T) (*Authority, *clock, string, *Claims) {
		t.Helper()
		clk := newClock()
		a := newAuthority(t, clk, nil)
		iss, err := a.Issue("dinas-user", pwdDinas, "")
		require.NoError(t, err)
		c, err := a.Verify(ctx, iss.Token)
		require.NoError(t, err)
		return a, clk, iss.Token, c
	}

	t.Run("the same claims, a copy each time", func(t *testing.T) {
		a, _, token, first := remembered(t)
		first.Methods[0] = "changed by the caller"
		second, err := a.Verify(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, "receiveLicense", second.Methods[0], "a caller's change does not reach the next call")
		second.Methods[0] = first.Methods[0]
		assert.Equal(t, first, second)
	})

	t.Run("refused once expired", func(t *testing.T) {
		a, clk, token, _ := remembered(t)
		clk.Add(DefaultTTL + DefaultLeeway + time.Second)
		_, err := a.Verify(ctx, token)
		assert.ErrorIs(t, err, ErrExpired)
	})

	t.Run("refused once revoked", func(t *testing.T) {
		a, _, token, c := remembered(t)
		require.NoError(t, a.Revocations().RevokeToken(ctx, c.ID, c.ExpiresAt.Time))
		_, err := a.Verify(ctx, token)
		assert.ErrorIs(t, err, ErrRevoked)
	})

	t.Run("a clock set back verifies afresh", func(t *testing.T) {
		a, clk, token, _ := remembered(t)
		clk.Add(-time.Hour)
		_, err := a.Verify(ctx, token)
		assert.ErrorIs(t, err, ErrNotYetValid, "issued in the future of the clock now")
	})
}

func TestRememberedKeysAreBounded(t *testing.T) {
	var v verified
	now := time.Now()
	for i := 0; i < 3*maxVerified; i++ {
		v.put(strconv.Itoa(i), &Claims{}, now)
		require.LessOrEqual(t, len(v.entries), maxVerified)
	}
}
