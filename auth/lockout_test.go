package auth

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

func TestLockoutAfterRepeatedFailuresForOneUser(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	for i := range DefaultMaxFailures {
		_, err := a.Issue("dinas-user", "wrong", "10.0.0."+strconv.Itoa(i)) // a new IP each time
		require.ErrorIs(t, err, ErrBadCredentials, "attempt %d", i+1)
	}

	_, err := a.Issue("dinas-user", pwdDinas, "10.0.0.99")
	require.ErrorIs(t, err, ErrLocked, "the right password is refused during the cool-down")
	var le *LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, DefaultCoolDown, le.RetryAfter)
	assert.Equal(t, http.StatusTooManyRequests, Status(err))
	_, text := Describe(err, pia.English)
	assert.Equal(t, "Too many failed attempts, retry in 900 seconds", text)

	_, err = a.Issue("badan-user", pwdBadan, "10.0.0.99")
	assert.NoError(t, err, "other user_akses are not affected")

	clk.Add(DefaultCoolDown - time.Second)
	_, err = a.Issue("dinas-user", pwdDinas, "10.0.0.99")
	require.ErrorAs(t, err, &le)
	assert.Equal(t, time.Second, le.RetryAfter)

	clk.Add(time.Second)
	_, err = a.Issue("dinas-user", pwdDinas, "10.0.0.99")
	assert.NoError(t, err, "the lock expires after the cool-down")
}

func TestLockoutAfterRepeatedFailuresFromOneIP(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	for i := range DefaultMaxFailures {
		_, err := a.Issue("guess-"+strconv.Itoa(i), "wrong", "192.0.2.7")
		require.ErrorIs(t, err, ErrBadCredentials)
	}
	_, err := a.Issue("dinas-user", pwdDinas, "192.0.2.7")
	assert.ErrorIs(t, err, ErrLocked, "the IP is locked for every user_akses")
	_, err = a.Issue("dinas-user", pwdDinas, "192.0.2.8")
	assert.NoError(t, err, "another IP is not")
}

func TestLockoutCountsOnlyFailuresWithinTheWindow(t *testing.T) {
	clk := newClock()
	l := NewLockout(LockoutConfig{MaxFailures: 3, Window: time.Minute, CoolDown: 10 * time.Minute}, clk.Now)
	l.Fail("u", "")
	l.Fail("u", "")
	clk.Add(time.Minute)
	l.Fail("u", "")
	assert.NoError(t, l.Check("u", ""), "the first two failures fell out of the window")
	l.Fail("u", "")
	l.Fail("u", "")
	assert.ErrorIs(t, l.Check("u", ""), ErrLocked)
}

func TestLockoutSuccessForgetsTheUsersFailures(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	for range DefaultMaxFailures - 1 {
		_, err := a.Issue("dinas-user", "wrong", "")
		require.ErrorIs(t, err, ErrBadCredentials)
	}
	_, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	_, err = a.Issue("dinas-user", "wrong", "")
	require.ErrorIs(t, err, ErrBadCredentials)
	_, err = a.Issue("dinas-user", pwdDinas, "")
	assert.NoError(t, err, "the count started again after the success")
}

func TestLockoutMemoryIsBounded(t *testing.T) {
	clk := newClock()
	l := NewLockout(LockoutConfig{MaxFailures: 2, MaxEntries: 100}, clk.Now)
	l.Fail("victim", "")
	l.Fail("victim", "")
	require.ErrorIs(t, l.Check("victim", ""), ErrLocked)
	for i := range 1000 {
		l.Fail("flood-"+strconv.Itoa(i), "198.51.100."+strconv.Itoa(i%250))
	}
	assert.Equal(t, 100, l.users.len())
	assert.LessOrEqual(t, l.ips.len(), 100)
	assert.NoError(t, l.Check("victim", ""), "the least recently active entry was forgotten")
}

func TestLockoutOfAnUnknownUserLooksLikeAKnownOne(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	for range DefaultMaxFailures {
		_, err := a.Issue("nobody", "wrong", "")
		require.ErrorIs(t, err, ErrBadCredentials)
	}
	_, err := a.Issue("nobody", "wrong", "")
	assert.ErrorIs(t, err, ErrLocked, "unknown user_akses lock out too, or the lock would reveal which exist")
}

func TestLockoutCountsAttemptsInFlight(t *testing.T) {
	a := newAuthority(t, newClock(), nil, func(c *Config) { c.Lockout = LockoutConfig{MaxFailures: 5} })
	// Every comparison waits until all 40 attempts have had their chance
	// to begin: the burst of the adversarial review, made deterministic.
	const n = 40
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	orig := compareHash
	t.Cleanup(func() { compareHash = orig })
	compareHash = func(hash, pwd []byte) error {
		<-release
		return orig(hash, pwd)
	}
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		pwd := "wrong"
		if i == n-1 {
			pwd = pwdDinas
		}
		go func() {
			started.Done()
			_, err := a.Issue("dinas-user", pwd, "203.0.113.9")
			results <- err
		}()
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // let every goroutine reach Begin
	close(release)
	compared := 0
	for i := 0; i < n; i++ {
		err := <-results
		if !errors.Is(err, ErrLocked) {
			compared++
		}
	}
	assert.LessOrEqual(t, compared, 5, "no more attempts than the limit reach the password check")

	// Attempts that ended leave no trace in flight: the user is locked by
	// its failures alone, and another user from another IP is not.
	_, err := a.Issue("badan-user", "wrong", "198.51.100.1")
	assert.ErrorIs(t, err, ErrBadCredentials)
	assert.Empty(t, a.lockout.pendingUsers)
	assert.Empty(t, a.lockout.pendingIPs)
}

func TestAuthoritiesGivenTheSameFailureCountsLockTogether(t *testing.T) {
	clk := newClock()
	shared := NewLockout(Config{}.LockoutInForce(), clk.Now)
	withShared := func(c *Config) { c.Failures = shared }
	old, next := newAuthority(t, clk, nil, withShared), newAuthority(t, clk, nil, withShared)
	for i := range DefaultMaxFailures {
		_, err := old.Issue("dinas-user", "wrong", "")
		require.ErrorIs(t, err, ErrBadCredentials, "attempt %d", i+1)
	}
	_, err := next.Issue("dinas-user", pwdDinas, "")
	assert.ErrorIs(t, err, ErrLocked, "locked out through one, refused by the other")
	_, err = newAuthority(t, clk, nil).Issue("dinas-user", pwdDinas, "")
	assert.NoError(t, err, "an authority with counts of its own starts with none")

	_, err = New(Config{Keys: []Key{{ID: "hs1", Algorithm: HS256, Secret: hsSecret}}, Lockout: LockoutConfig{MaxFailures: 3}, Failures: shared})
	assert.ErrorContains(t, err, "other lockout settings", "counts kept under other settings are refused, not silently used")
}
