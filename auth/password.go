package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// DefaultHashCost is the bcrypt cost HashPassword uses: the default of
// `caddy hash-password` (Caddy 2.11), so both produce alike hashes.
const DefaultHashCost = 14

// HashPassword returns the bcrypt hash of a client's pwd_akses, in the form
// the configuration takes. `caddy hash-password --algorithm bcrypt` prints
// the same form (Caddy's default algorithm is bcrypt).
func HashPassword(pwd string) (string, error) {
	return HashPasswordCost(pwd, DefaultHashCost)
}

// HashPasswordCost is HashPassword with an explicit bcrypt cost.
func HashPasswordCost(pwd string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pwd), cost)
	return string(h), err
}

// parsePasswordHash accepts a bcrypt hash as `caddy hash-password` prints
// it ($2a$14$...) or base64-encoded, as Caddy before 2.8 printed it and
// basic_auth still accepts. Anything else (argon2id, plaintext) is refused:
// the gateway compares with bcrypt only.
func parsePasswordHash(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("password hash is empty")
	}
	raw := []byte(s)
	if !strings.HasPrefix(s, "$") {
		dec, err := base64.StdEncoding.DecodeString(s)
		if err != nil || !strings.HasPrefix(string(dec), "$") {
			return nil, errors.New("password hash is not a bcrypt hash (want $2a$/$2b$/$2y$..., or its base64); produce one with `caddy hash-password`")
		}
		raw = dec
	}
	if strings.HasPrefix(string(raw), "$argon2") {
		return nil, errors.New("password hash is argon2id; use `caddy hash-password --algorithm bcrypt`")
	}
	if _, err := bcrypt.Cost(raw); err != nil {
		return nil, errors.New("password hash is not a bcrypt hash (want $2a$/$2b$/$2y$..., or its base64); produce one with `caddy hash-password`")
	}
	return raw, nil
}

// compareHash is bcrypt's comparison; tests replace it to observe that an
// unknown user costs a comparison too.
var compareHash = bcrypt.CompareHashAndPassword

// dummyHashes caches, per cost, a hash of a password nobody knows, so the
// comparison for an unknown user_akses costs what a real one costs and the
// answer time does not tell which user_akses exist. Cached across config
// reloads because a cost-14 hash takes about a second to make.
var dummyHashes sync.Map // int → []byte

func dummyHash(cost int) []byte {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("caddy-pia: no such user_akses"), cost)
	if err != nil {
		// Only an out-of-range cost fails, and costs come from parsed hashes.
		panic("auth: dummy bcrypt hash: " + err.Error())
	}
	actual, _ := dummyHashes.LoadOrStore(cost, h)
	return actual.([]byte)
}
