package auth

// Fixtures: the request bodies and claims written out in this file are built
// by hand, each the smallest that shows its test's behaviour; the RSA, EC
// and Ed25519 keys are generated when the tests run (testKeys), the secrets
// and passwords are made up (helpers_test.go, osstoken_test.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// plainStorage hides MemoryStorage's Locker, counts loads and can run a
// hook before a store, to play the races a lock-less storage allows.
type plainStorage struct {
	m           *MemoryStorage
	loads       atomic.Int64
	failLoads   atomic.Bool
	beforeStore func()
}

func (p *plainStorage) Load(ctx context.Context, key string) ([]byte, error) {
	p.loads.Add(1)
	if p.failLoads.Load() {
		return nil, errors.New("storage unreachable")
	}
	return p.m.Load(ctx, key)
}

func (p *plainStorage) Store(ctx context.Context, key string, value []byte) error {
	if h := p.beforeStore; h != nil {
		p.beforeStore = nil
		h()
	}
	return p.m.Store(ctx, key, value)
}

func TestRevokedTokenIsRefusedByASecondInstanceSharingTheStorage(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := NewMemoryStorage()
	a := newAuthority(t, clk, st)
	b := newAuthority(t, clk, st)
	require.NoError(t, b.Revocations().Refresh(ctx))

	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	other, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	_, err = b.Verify(ctx, iss.Token)
	require.NoError(t, err)

	require.NoError(t, a.Revocations().RevokeToken(ctx, iss.Claims.ID, iss.ExpiresAt))
	_, err = a.Verify(ctx, iss.Token)
	assert.ErrorIs(t, err, ErrRevoked, "refused at once by the instance that revoked")
	_, err = b.Verify(ctx, iss.Token)
	assert.ErrorIs(t, err, ErrRevoked, "refused by the other instance after its refresh")
	status, text := Describe(err, pia.Indonesian)
	assert.Equal(t, 401, status)
	assert.Equal(t, pia.Indonesian.Text(pia.MsgKeyRevoked), text)
	_, err = b.Verify(ctx, other.Token)
	assert.NoError(t, err, "only that jti is revoked")
}

func TestRevokingAClientRefusesItsKeysIssuedBefore(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := NewMemoryStorage()
	a := newAuthority(t, clk, st)
	b := newAuthority(t, clk, st)

	old, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	badan, err := a.Issue("badan-user", pwdBadan, "")
	require.NoError(t, err)
	clk.Add(10 * time.Second)
	require.NoError(t, a.Revocations().RevokeClient(ctx, "dinas", time.Time{}))
	clk.Add(time.Second)
	fresh, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)

	for name, inst := range map[string]*Authority{"revoking instance": a, "other instance": b} {
		t.Run(name, func(t *testing.T) {
			_, err := inst.Verify(ctx, old.Token)
			assert.ErrorIs(t, err, ErrRevoked)
			_, err = inst.Verify(ctx, fresh.Token)
			assert.NoError(t, err, "keys issued after the cut-off are accepted")
			_, err = inst.Verify(ctx, badan.Token)
			assert.NoError(t, err, "other clients are not affected")
		})
	}
	assert.Error(t, a.Revocations().RevokeClient(ctx, "dinas", clk.Now().Add(time.Hour)), "a cut-off in the future is refused")
}

func TestRevocationsAreNotReloadedOnEveryRequest(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := &plainStorage{m: NewMemoryStorage()}
	a := newAuthority(t, clk, st)
	b := newAuthority(t, clk, st, func(c *Config) { c.Revocation.RefreshInterval = DefaultRefreshInterval })
	require.NoError(t, b.Revocations().Refresh(ctx))
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)

	loads := st.loads.Load()
	for range 100 {
		_, err := b.Verify(ctx, iss.Token)
		require.NoError(t, err)
	}
	assert.Equal(t, loads, st.loads.Load(), "no storage I/O within the refresh interval")

	require.NoError(t, a.Revocations().RevokeToken(ctx, iss.Claims.ID, iss.ExpiresAt))
	clk.Add(DefaultRefreshInterval - time.Millisecond)
	_, err = b.Verify(ctx, iss.Token)
	assert.NoError(t, err, "b has not refreshed yet")
	clk.Add(time.Millisecond)
	_, err = b.Verify(ctx, iss.Token)
	assert.ErrorIs(t, err, ErrRevoked, "b refused it after its next refresh")
}

func TestConcurrentRevocationsFromTwoInstancesAreAllKept(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := NewMemoryStorage() // has a Locker, as every certmagic storage
	a := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	b := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := a
			if i%2 == 1 {
				inst = b
			}
			assert.NoError(t, inst.RevokeToken(ctx, "jti-"+strconv.Itoa(i), time.Time{}))
		}()
	}
	wg.Wait()
	c := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	require.NoError(t, c.Refresh(ctx))
	assert.Len(t, c.List().Tokens, 40)
}

func TestARevocationLostToAConcurrentWriteIsWrittenAgain(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := &plainStorage{m: NewMemoryStorage()} // no Locker: the race is possible
	a := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	b := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})

	// a loads, then b revokes and stores, then a stores what it loaded
	// plus its own change: b's revocation is overwritten.
	st.beforeStore = func() { require.NoError(t, b.RevokeToken(ctx, "from-b", time.Time{})) }
	require.NoError(t, a.RevokeToken(ctx, "from-a", time.Time{}))
	lost := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	require.NoError(t, lost.Refresh(ctx))
	require.NotContains(t, lost.List().Tokens, "from-b", "precondition: the race lost b's write")

	require.NoError(t, b.Refresh(ctx))
	c := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
	require.NoError(t, c.Refresh(ctx))
	assert.Contains(t, c.List().Tokens, "from-a")
	assert.Contains(t, c.List().Tokens, "from-b", "b's refresh wrote back what the store lacked")
}

func TestExpiredRevocationsArePruned(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := NewMemoryStorage()
	r := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now, Horizon: time.Hour})
	require.NoError(t, r.RevokeToken(ctx, "short", clk.Now().Add(time.Minute)))
	require.NoError(t, r.RevokeToken(ctx, "unknown-expiry", time.Time{}))
	require.NoError(t, r.RevokeClient(ctx, "dinas", time.Time{}))
	clk.Add(2 * time.Minute)
	require.NoError(t, r.RevokeToken(ctx, "later", time.Time{}))

	var stored RevocationList
	b, err := st.Load(ctx, DefaultRevocationsKey)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &stored))
	assert.NotContains(t, stored.Tokens, "short", "pruned once its token expired")
	assert.Contains(t, stored.Tokens, "unknown-expiry", "kept for the horizon")
	assert.Contains(t, stored.Clients, "dinas")

	clk.Add(time.Hour)
	require.NoError(t, r.Refresh(ctx))
	assert.Empty(t, r.List().Tokens)
	assert.Empty(t, r.List().Clients)
}

func TestRevocationStorageFailures(t *testing.T) {
	ctx := context.Background()
	clk := newClock()

	t.Run("a missing document is an empty list", func(t *testing.T) {
		r := NewRevocations(RevocationConfig{Storage: NewMemoryStorage(), Now: clk.Now})
		require.NoError(t, r.Refresh(ctx))
		assert.Empty(t, r.List().Tokens)
	})

	t.Run("a document of a newer format is neither read nor overwritten", func(t *testing.T) {
		st := NewMemoryStorage()
		newer := []byte(`{"version":2,"tokens":{}}`)
		require.NoError(t, st.Store(ctx, DefaultRevocationsKey, newer))
		r := NewRevocations(RevocationConfig{Storage: st, Now: clk.Now})
		assert.ErrorContains(t, r.Refresh(ctx), "format 2")
		assert.Error(t, r.RevokeToken(ctx, "x", time.Time{}))
		b, err := st.Load(ctx, DefaultRevocationsKey)
		require.NoError(t, err)
		assert.Equal(t, newer, b)
	})

	t.Run("a failed refresh keeps the copy in memory", func(t *testing.T) {
		st := &plainStorage{m: NewMemoryStorage()}
		a := newAuthority(t, clk, st)
		iss, err := a.Issue("dinas-user", pwdDinas, "")
		require.NoError(t, err)
		require.NoError(t, a.Revocations().RevokeToken(ctx, iss.Claims.ID, iss.ExpiresAt))
		st.failLoads.Store(true)
		_, err = a.Verify(ctx, iss.Token)
		assert.ErrorIs(t, err, ErrRevoked)
	})

	t.Run("a jti out of bounds is refused", func(t *testing.T) {
		r := NewRevocations(RevocationConfig{Now: clk.Now})
		assert.Error(t, r.RevokeToken(ctx, "", time.Time{}))
		assert.Error(t, r.RevokeToken(ctx, fmt.Sprintf("%0300d", 1), time.Time{}))
	})
}
