package auth

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// Lockout defaults.
const (
	DefaultMaxFailures = 5
	DefaultWindow      = 5 * time.Minute
	DefaultCoolDown    = 15 * time.Minute
	DefaultMaxEntries  = 10000
)

// LockoutConfig limits sendSecurityKey guessing. Zero fields take the
// defaults above.
type LockoutConfig struct {
	// MaxFailures within Window, for one user_akses or one client IP, lock
	// that user_akses or IP out.
	MaxFailures int
	Window      time.Duration
	// CoolDown is how long a lock lasts; the right password is refused too.
	CoolDown time.Duration
	// MaxEntries bounds the user_akses and the IPs remembered (each); the
	// least recently active are forgotten first.
	MaxEntries int
}

func (c LockoutConfig) withDefaults() LockoutConfig {
	if c.MaxFailures <= 0 {
		c.MaxFailures = DefaultMaxFailures
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.CoolDown <= 0 {
		c.CoolDown = DefaultCoolDown
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = DefaultMaxEntries
	}
	return c
}

// Lockout counts failed sendSecurityKey attempts per user_akses and per IP.
// Failures are counted for unknown user_akses as for known ones, or the
// lock itself would tell which exist.
type Lockout struct {
	cfg   LockoutConfig
	now   func() time.Time
	mu    sync.Mutex
	users failureTable
	ips   failureTable
	// Attempts begun and not yet ended, per hashed user_akses and IP: a
	// burst of concurrent guesses all pass Check before the first fails,
	// so attempts in flight count against the limit as failures do.
	pendingUsers, pendingIPs map[[sha256.Size]byte]int
}

// NewLockout returns an empty Lockout; now may be nil (time.Now).
func NewLockout(cfg LockoutConfig, now func() time.Time) *Lockout {
	if now == nil {
		now = time.Now
	}
	cfg = cfg.withDefaults()
	return &Lockout{cfg: cfg, now: now, users: newFailureTable(cfg.MaxEntries), ips: newFailureTable(cfg.MaxEntries),
		pendingUsers: map[[sha256.Size]byte]int{}, pendingIPs: map[[sha256.Size]byte]int{}}
}

// Check returns a *LockedError while the user_akses or the IP is locked
// out. An empty ip is not tracked.
func (l *Lockout) Check(user, ip string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lockedOut(user, ip, now)
}

// lockedOut is Check's answer at now; l.mu must be held.
func (l *Lockout) lockedOut(user, ip string, now time.Time) error {
	var wait time.Duration
	for _, e := range []*failure{l.users.get(user), l.ips.get(ip)} {
		if e != nil && now.Before(e.lockedUntil) {
			wait = max(wait, e.lockedUntil.Sub(now))
		}
	}
	if wait > 0 {
		return &LockedError{RetryAfter: wait}
	}
	return nil
}

// InFlightRetry is the Retry-After of an attempt refused because the
// attempts in flight already reach the limit: they end within a bcrypt
// comparison.
const InFlightRetry = time.Second

// Begin starts an attempt: a *LockedError while the user_akses or IP is
// locked out, or while its recent failures and its attempts in flight
// together reach MaxFailures. Otherwise the attempt counts as in flight
// until End, which the caller must call, after Fail or Succeed.
func (l *Lockout) Begin(user, ip string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.lockedOut(user, ip, now); err != nil {
		return err
	}
	for _, t := range []struct {
		s       string
		table   *failureTable
		pending map[[sha256.Size]byte]int
	}{{user, &l.users, l.pendingUsers}, {ip, &l.ips, l.pendingIPs}} {
		if t.s == "" {
			continue
		}
		if t.table.recent(t.s, now, l.cfg)+t.pending[sha256.Sum256([]byte(t.s))] >= l.cfg.MaxFailures {
			return &LockedError{RetryAfter: InFlightRetry}
		}
	}
	for _, p := range []struct {
		s       string
		pending map[[sha256.Size]byte]int
	}{{user, l.pendingUsers}, {ip, l.pendingIPs}} {
		if p.s != "" {
			p.pending[sha256.Sum256([]byte(p.s))]++
		}
	}
	return nil
}

// End ends an attempt Begin started.
func (l *Lockout) End(user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range []struct {
		s       string
		pending map[[sha256.Size]byte]int
	}{{user, l.pendingUsers}, {ip, l.pendingIPs}} {
		if p.s == "" {
			continue
		}
		k := sha256.Sum256([]byte(p.s))
		if p.pending[k]--; p.pending[k] <= 0 {
			delete(p.pending, k)
		}
	}
}

// Fail records a failed attempt.
func (l *Lockout) Fail(user, ip string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users.fail(user, now, l.cfg)
	l.ips.fail(ip, now, l.cfg)
}

// Succeed forgets the user_akses' failures. The IP's stay: one IP may
// serve several clients, and guessing one does not clear the others.
func (l *Lockout) Succeed(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users.remove(user)
}

// failure is the record of one user_akses or IP.
type failure struct {
	key         [sha256.Size]byte
	count       int
	windowStart time.Time
	lockedUntil time.Time
}

// failureTable is a map with least-recently-active eviction. Keys are
// hashed so an attacker's long user_akses costs no more than a short one.
type failureTable struct {
	max   int
	m     map[[sha256.Size]byte]*list.Element
	order *list.List // front: most recently active
}

func newFailureTable(max int) failureTable {
	return failureTable{max: max, m: map[[sha256.Size]byte]*list.Element{}, order: list.New()}
}

func (t *failureTable) get(s string) *failure {
	if s == "" {
		return nil
	}
	if el, ok := t.m[sha256.Sum256([]byte(s))]; ok {
		return el.Value.(*failure)
	}
	return nil
}

func (t *failureTable) fail(s string, now time.Time, cfg LockoutConfig) {
	if s == "" {
		return
	}
	k := sha256.Sum256([]byte(s))
	el, ok := t.m[k]
	if !ok {
		for t.order.Len() >= t.max {
			old := t.order.Back()
			delete(t.m, old.Value.(*failure).key)
			t.order.Remove(old)
		}
		el = t.order.PushFront(&failure{key: k, windowStart: now})
		t.m[k] = el
	}
	t.order.MoveToFront(el)
	f := el.Value.(*failure)
	if now.Before(f.lockedUntil) {
		return
	}
	// A lapsed lock or window starts the count afresh.
	if !f.lockedUntil.IsZero() || now.Sub(f.windowStart) >= cfg.Window {
		f.count, f.windowStart, f.lockedUntil = 0, now, time.Time{}
	}
	f.count++
	if f.count >= cfg.MaxFailures {
		f.lockedUntil = now.Add(cfg.CoolDown)
	}
}

// recent is the number of failures that count now: those of the current
// window, none once a lock or the window has lapsed.
func (t *failureTable) recent(s string, now time.Time, cfg LockoutConfig) int {
	f := t.get(s)
	if f == nil || !f.lockedUntil.IsZero() && !now.Before(f.lockedUntil) || now.Sub(f.windowStart) >= cfg.Window {
		return 0
	}
	return f.count
}

func (t *failureTable) remove(s string) {
	k := sha256.Sum256([]byte(s))
	if el, ok := t.m[k]; ok {
		delete(t.m, k)
		t.order.Remove(el)
	}
}

func (t *failureTable) len() int { return t.order.Len() }
