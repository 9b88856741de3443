package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Storage is where the revocation list lives, shared by every gateway
// instance that should agree on it. certmagic.Storage (Caddy's storage)
// satisfies it. Load of a key never stored returns an error wrapping
// fs.ErrNotExist.
type Storage interface {
	Load(ctx context.Context, key string) ([]byte, error)
	Store(ctx context.Context, key string, value []byte) error
}

// Locker is the optional cross-instance lock of a Storage (certmagic.Locker;
// every certmagic storage has it). With it, a change is load-merge-store
// under the lock; without it, a change lost to a concurrent write is
// written again by the next refresh of the instance that made it.
type Locker interface {
	Lock(ctx context.Context, name string) error
	Unlock(ctx context.Context, name string) error
}

// ErrRevokesNothing is a revocation that could refuse no key that still
// verifies: the admin API answers it 400 rather than pretend to have done
// something; a stale revoke line in the configuration is skipped.
var ErrRevokesNothing = errors.New("nothing would be revoked")

// Revocation defaults.
const (
	DefaultRevocationsKey  = "pia/revocations.json" // the document in Storage
	DefaultRefreshInterval = 5 * time.Second
)

// revocationsFormat is the version of the stored document; a newer one is
// neither read nor overwritten.
const revocationsFormat = 1

// maxJTILength bounds a revoked jti: ours are 22 characters.
const maxJTILength = 256

// RevocationConfig says where the revocation list is kept and how fresh the
// in-memory copy must be.
type RevocationConfig struct {
	// Storage holds the list; nil keeps it in this process only.
	Storage Storage
	// RefreshInterval is the longest the in-memory copy is used without
	// reloading it; zero means DefaultRefreshInterval, negative reloads it
	// before every check (tests).
	RefreshInterval time.Duration
	// Horizon is how long a revocation is kept when nothing else says: the
	// longest a token lives (TTL plus leeway). After it, the tokens the
	// revocation concerns have expired and it is pruned.
	Horizon time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives refresh failures; nil discards them.
	Logger *zap.Logger
}

// RevocationList is the revocation state, as stored and as the admin API
// shows it.
type RevocationList struct {
	Version int `json:"version"`
	// Tokens maps a revoked jti to the time the token expires anyway.
	Tokens map[string]time.Time `json:"tokens"`
	// Clients maps a client name to its cut-off.
	Clients map[string]ClientRevocation `json:"clients"`
}

// ClientRevocation refuses every token of a client issued before Before.
type ClientRevocation struct {
	Before time.Time `json:"before"`
	// Until is when the last token it concerns has expired (Before plus
	// the horizon).
	Until time.Time `json:"until"`
}

func newRevocationList() *RevocationList {
	return &RevocationList{Version: revocationsFormat, Tokens: map[string]time.Time{}, Clients: map[string]ClientRevocation{}}
}

func (l *RevocationList) clone() *RevocationList {
	return &RevocationList{Version: revocationsFormat, Tokens: maps.Clone(l.Tokens), Clients: maps.Clone(l.Clients)}
}

// merge adds what o knows to l, keeping the later of two times: revocations
// only ever grow, so merging in any order converges. It reports whether o
// had anything still in force that l lacked.
func (l *RevocationList) merge(o *RevocationList, now time.Time) bool {
	grew := false
	for jti, until := range o.Tokens {
		if cur, ok := l.Tokens[jti]; !ok || until.After(cur) {
			l.Tokens[jti] = until
			grew = grew || until.After(now)
		}
	}
	for name, c := range o.Clients {
		cur, ok := l.Clients[name]
		if ok && !c.Before.After(cur.Before) && !c.Until.After(cur.Until) {
			continue
		}
		if ok {
			c.Before, c.Until = later(c.Before, cur.Before), later(c.Until, cur.Until)
		}
		l.Clients[name] = c
		grew = grew || c.Until.After(now)
	}
	return grew
}

func (l *RevocationList) prune(now time.Time) {
	for jti, until := range l.Tokens {
		if !until.After(now) {
			delete(l.Tokens, jti)
		}
	}
	for name, c := range l.Clients {
		if !c.Until.After(now) {
			delete(l.Clients, name)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Revocations is the revocation list of a gateway instance: an in-memory
// copy that the request path reads without I/O, refreshed from Storage at
// most every RefreshInterval and written through on every local change.
type Revocations struct {
	store    Storage
	key      string
	interval time.Duration
	horizon  time.Duration
	now      func() time.Time
	log      *zap.Logger

	state       atomic.Pointer[RevocationList] // immutable once published
	nextRefresh atomic.Int64                   // unix nanoseconds
	refreshing  atomic.Bool
	writeMu     sync.Mutex
}

// NewRevocations returns an empty list; call Refresh to load the stored one
// (at provisioning, failing on error, so a gateway never starts blind to
// revocations).
func NewRevocations(cfg RevocationConfig) *Revocations {
	cfg = cfg.withDefaults()
	r := &Revocations{store: cfg.Storage, key: DefaultRevocationsKey, interval: cfg.RefreshInterval,
		horizon: cfg.Horizon, now: cfg.Now, log: cfg.Logger}
	r.state.Store(newRevocationList())
	return r
}

// withDefaults is the configuration with every zero value replaced by the
// default its field documents.
func (cfg RevocationConfig) withDefaults() RevocationConfig {
	if cfg.Storage == nil {
		cfg.Storage = NewMemoryStorage()
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.Horizon <= 0 {
		cfg.Horizon = DefaultTTL + DefaultLeeway
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	return cfg
}

// Check returns ErrRevoked if the token's jti is revoked or its client's
// tokens issued before a cut-off are, refreshing the copy first when it is
// older than RefreshInterval.
func (r *Revocations) Check(ctx context.Context, c *Claims) error {
	r.maybeRefresh(ctx)
	l := r.state.Load()
	if _, ok := l.Tokens[c.ID]; ok {
		return ErrRevoked
	}
	if cr, ok := l.Clients[c.Client]; ok && c.IssuedAt != nil && c.IssuedAt.Before(cr.Before) {
		return ErrRevoked
	}
	return nil
}

// maybeRefresh reloads a stale copy. Only one request does the I/O; the
// others go on with the copy they have rather than wait on storage.
func (r *Revocations) maybeRefresh(ctx context.Context) {
	now := r.now()
	if r.interval > 0 && now.UnixNano() < r.nextRefresh.Load() {
		return
	}
	if !r.refreshing.CompareAndSwap(false, true) {
		return
	}
	defer r.refreshing.Store(false)
	if err := r.Refresh(ctx); err != nil {
		r.log.Warn("revocation list refresh failed; using the copy in memory", zap.String("key", r.key), zap.Error(err))
	}
}

// Refresh reloads the stored list and merges it into the copy in memory.
// Entries this instance holds that the store lacks (lost to a concurrent
// write by another instance) are written back.
func (r *Revocations) Refresh(ctx context.Context) error {
	r.nextRefresh.Store(r.now().Add(r.interval).UnixNano())
	remote, err := r.load(ctx)
	if err != nil {
		return err
	}
	now := r.now()
	if remote.merge(r.state.Load(), now) {
		return r.update(ctx, nil)
	}
	r.publish(remote, now)
	return nil
}

// RevokeToken refuses the token with this jti until it expires. until is
// the token's exp; zero means unknown, and the revocation is kept for the
// horizon.
func (r *Revocations) RevokeToken(ctx context.Context, jti string, until time.Time) error {
	if jti == "" || len(jti) > maxJTILength {
		return fmt.Errorf("revoke token: jti must be 1 to %d characters", maxJTILength)
	}
	if until.IsZero() {
		until = r.now().Add(r.horizon)
	}
	if !until.After(r.now()) {
		return fmt.Errorf("revoke token: until lies in the past, the key has expired anyway: %w", ErrRevokesNothing)
	}
	return r.update(ctx, func(l *RevocationList) {
		if cur, ok := l.Tokens[jti]; !ok || until.After(cur) {
			l.Tokens[jti] = until
		}
	})
}

// RevokeClient refuses every token of the client issued before the time
// (zero: now). A time in the future is refused: it would lock the client
// out of tokens not yet issued, which is removing the client from the
// configuration.
func (r *Revocations) RevokeClient(ctx context.Context, client string, before time.Time) error {
	if client == "" {
		return errors.New("revoke client: name is empty")
	}
	now := r.now()
	if before.IsZero() {
		before = now
	}
	if before.After(now.Add(time.Minute)) {
		return errors.New("revoke client: the cut-off lies in the future")
	}
	until := before.Add(r.horizon)
	if !until.After(now) {
		return fmt.Errorf("revoke client: every key issued before the cut-off has expired already: %w", ErrRevokesNothing)
	}
	return r.update(ctx, func(l *RevocationList) {
		l.merge(&RevocationList{Clients: map[string]ClientRevocation{client: {Before: before, Until: until}}}, now)
	})
}

// Revocation is one revocation as the configuration and the admin API
// state it: one key by its jti, or every key of a client issued before a
// cut-off.
type Revocation struct {
	// JTI revokes the key with this jti.
	JTI string `json:"jti,omitempty"`
	// Until is when that key expires anyway (RFC 3339); empty: unknown,
	// the revocation is kept for the horizon.
	Until string `json:"until,omitempty"`
	// Client revokes every key of the client issued before Before.
	Client string `json:"client,omitempty"`
	// Before is the cut-off (RFC 3339); empty: now.
	Before string `json:"before,omitempty"`
}

// Revoke applies a revocation: RevokeToken for a jti, RevokeClient for a
// client. A revocation giving both, neither, or a time that is not RFC 3339
// is refused before anything is stored.
func (r *Revocations) Revoke(ctx context.Context, rv Revocation) error {
	switch {
	case rv.JTI != "" && rv.Client == "" && rv.Before == "":
		until, err := parseRevocationTime("until", rv.Until)
		if err != nil {
			return err
		}
		return r.RevokeToken(ctx, rv.JTI, until)
	case rv.Client != "" && rv.JTI == "" && rv.Until == "":
		before, err := parseRevocationTime("before", rv.Before)
		if err != nil {
			return fmt.Errorf("revoke client %s: %w", rv.Client, err)
		}
		return r.RevokeClient(ctx, rv.Client, before)
	}
	return errors.New(`revoke: give either jti (with an optional until) or client (with an optional before)`)
}

func parseRevocationTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want an RFC 3339 time: %w", name, err)
	}
	return t, nil
}

// List is a copy of the list in memory.
func (r *Revocations) List() RevocationList {
	return *r.state.Load().clone()
}

// update is load, merge, change, store, under the storage's lock when it
// has one; the stored result becomes the copy in memory at once.
func (r *Revocations) update(ctx context.Context, change func(*RevocationList)) (err error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if lk, ok := r.store.(Locker); ok {
		name := r.key + ".lock"
		if err := lk.Lock(ctx, name); err != nil {
			return fmt.Errorf("revocation list: lock: %w", err)
		}
		defer func() {
			if uerr := lk.Unlock(context.WithoutCancel(ctx), name); uerr != nil && err == nil {
				err = fmt.Errorf("revocation list: unlock: %w", uerr)
			}
		}()
	}
	l, err := r.load(ctx)
	if err != nil {
		return err
	}
	now := r.now()
	l.merge(r.state.Load(), now)
	if change != nil {
		change(l)
	}
	l.prune(now)
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := r.store.Store(ctx, r.key, b); err != nil {
		return fmt.Errorf("revocation list: store %s: %w", r.key, err)
	}
	r.nextRefresh.Store(now.Add(r.interval).UnixNano())
	r.publish(l, now)
	return nil
}

// publish makes l (merged with what a concurrent refresh may have
// published meanwhile) the copy requests read.
func (r *Revocations) publish(l *RevocationList, now time.Time) {
	for {
		cur := r.state.Load()
		next := l.clone()
		next.merge(cur, now)
		next.prune(now)
		if r.state.CompareAndSwap(cur, next) {
			return
		}
	}
}

func (r *Revocations) load(ctx context.Context) (*RevocationList, error) {
	b, err := r.store.Load(ctx, r.key)
	if errors.Is(err, fs.ErrNotExist) {
		return newRevocationList(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("revocation list: load %s: %w", r.key, err)
	}
	l := newRevocationList()
	if err := json.Unmarshal(b, l); err != nil {
		return nil, fmt.Errorf("revocation list %s is not valid JSON: %w", r.key, err)
	}
	if l.Version > revocationsFormat {
		return nil, fmt.Errorf("revocation list %s has format %d, this gateway knows %d", r.key, l.Version, revocationsFormat)
	}
	l.Version = revocationsFormat
	if l.Tokens == nil {
		l.Tokens = map[string]time.Time{}
	}
	if l.Clients == nil {
		l.Clients = map[string]ClientRevocation{}
	}
	return l, nil
}

// MemoryStorage is a Storage and Locker in memory: the default when no
// storage is configured (one instance), and a shared store in tests.
type MemoryStorage struct {
	mu    sync.Mutex
	data  map[string][]byte
	locks map[string]chan struct{}
}

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{data: map[string][]byte{}, locks: map[string]chan struct{}{}}
}

// Load returns a copy of the value, or an error wrapping fs.ErrNotExist.
func (m *MemoryStorage) Load(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return append([]byte(nil), v...), nil
}

// Store keeps a copy of the value.
func (m *MemoryStorage) Store(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = append([]byte(nil), value...)
	return nil
}

// Lock waits until the named lock is free or ctx ends.
func (m *MemoryStorage) Lock(ctx context.Context, name string) error {
	for {
		m.mu.Lock()
		held, ok := m.locks[name]
		if !ok {
			m.locks[name] = make(chan struct{})
			m.mu.Unlock()
			return nil
		}
		m.mu.Unlock()
		select {
		case <-held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Unlock releases the named lock.
func (m *MemoryStorage) Unlock(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	held, ok := m.locks[name]
	if !ok {
		return fmt.Errorf("lock %s is not held", name)
	}
	delete(m.locks, name)
	close(held)
	return nil
}

var (
	_ Storage = (*MemoryStorage)(nil)
	_ Locker  = (*MemoryStorage)(nil)
)
