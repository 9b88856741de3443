package auth

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestParsePasswordHash(t *testing.T) {
	testClients(t)
	// Caddy's own anti-timing hash, printed by
	// `caddy hash-password --plaintext antitiming --algorithm bcrypt`
	// (modules/caddyhttp/caddyauth/bcrypt.go, Caddy 2.11).
	const caddyPrinted = "$2a$14$X3ulqf/iGxnf1k6oMZ.RZeJUoqI9PX2PM4rS5lkIKJXduLGXGPrt6"
	tests := []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"as caddy hash-password prints it", caddyPrinted, true},
		{"base64 of it, as older Caddy printed it", base64.StdEncoding.EncodeToString([]byte(caddyPrinted)), true},
		{"a $2b$ hash", hashDinas[:2] + "b" + hashDinas[3:], true},
		{"surrounding whitespace from a file", "  " + hashDinas + "\n", true},
		{"plaintext", "rahasia", false},
		{"base64 of plaintext", base64.StdEncoding.EncodeToString([]byte("rahasia")), false},
		{"argon2id", "$argon2id$v=19$m=47104,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false},
		{"a truncated bcrypt hash", caddyPrinted[:30], false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := parsePasswordHash(tt.in)
			if !tt.wantOK {
				require.Error(t, err)
				if tt.in != "" {
					assert.NotContains(t, err.Error(), tt.in, "the error does not quote what may be a password")
				}
				return
			}
			require.NoError(t, err)
			_, err = bcrypt.Cost(h)
			assert.NoError(t, err)
		})
	}
	h, err := parsePasswordHash(caddyPrinted)
	require.NoError(t, err)
	if !testing.Short() {
		assert.NoError(t, bcrypt.CompareHashAndPassword(h, []byte("antitiming")), "the hash Caddy printed verifies its password")
	}
}

func TestHashPasswordMatchesCaddyHashPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("cost 14 bcrypt takes about a second")
	}
	h, err := HashPassword("rahasia")
	require.NoError(t, err)
	raw, err := parsePasswordHash(h)
	require.NoError(t, err, "the output is accepted as configuration")
	cost, err := bcrypt.Cost(raw)
	require.NoError(t, err)
	assert.Equal(t, DefaultHashCost, cost)
	assert.NoError(t, bcrypt.CompareHashAndPassword(raw, []byte("rahasia")))
}
