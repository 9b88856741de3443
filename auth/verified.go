package auth

import (
	"sync"
	"time"
)

// maxVerified bounds the keys remembered as verified: far more clients
// than a gateway has, each calling with its current key.
const maxVerified = 4096

// verified remembers the keys whose signature and claims checked out, so
// that a client calling again with the same key costs a map lookup rather
// than a parse and a signature check. Only what the key itself proves is
// remembered: the client's current grant and the revocations are checked
// on every call (Verify), and a key is used from here only while the
// parser would still accept it.
type verified struct {
	mu      sync.RWMutex
	entries map[string]verifiedKey
}

type verifiedKey struct {
	claims Claims // as the key carries them, before narrow
	// at is when the key was verified. Its validity is one interval of
	// time, [nbf, exp) widened by the leeway, which held at at: it still
	// holds at any later time before exp plus the leeway.
	at time.Time
}

// get returns a copy of the claims of token, verified earlier and still
// in force at now.
func (v *verified) get(token string, now time.Time, leeway time.Duration) (*Claims, bool) {
	v.mu.RLock()
	e, ok := v.entries[token]
	v.mu.RUnlock()
	if !ok || now.Before(e.at) || e.claims.ExpiresAt == nil || !now.Before(e.claims.ExpiresAt.Add(leeway)) {
		return nil, false
	}
	c := e.claims
	c.Methods = append([]string(nil), c.Methods...)
	return &c, true
}

// put remembers the claims of a key that was verified at now. When full,
// it forgets every key rather than keep a clock per entry: the clients'
// next calls verify once more.
func (v *verified) put(token string, c *Claims, now time.Time) {
	e := verifiedKey{claims: *c, at: now}
	e.claims.Methods = append([]string(nil), c.Methods...)
	v.mu.Lock()
	if v.entries == nil || len(v.entries) >= maxVerified {
		v.entries = make(map[string]verifiedKey)
	}
	v.entries[token] = e
	v.mu.Unlock()
}
