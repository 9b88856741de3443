package auth

// Fixtures: the request bodies and claims written out in this file are built
// by hand, each the smallest that shows its test's behaviour; the RSA, EC
// and Ed25519 keys are generated when the tests run (testKeys), the secrets
// and passwords are made up (helpers_test.go, osstoken_test.go).

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

func TestParseKeyRequest(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		user, pwd string
		wantEN    string // the reason in the English message; "" when accepted
	}{
		{"the request K/L/D clients send", `{"securityKey":{"user_akses":"u","pwd_akses":"p"}}`, "u", "p", ""},
		{"extra members are ignored", `{"securityKey":{"user_akses":"u","pwd_akses":"p","kd_instansi":"1"},"x":1}`, "u", "p", ""},
		{"not JSON", `user_akses=u&pwd_akses=p`, "", "", "body is not valid JSON"},
		{"an empty body", ``, "", "", "body is not valid JSON"},
		{"two JSON values", `{"securityKey":{"user_akses":"u","pwd_akses":"p"}} {}`, "", "", "body is not valid JSON"},
		{"an array", `[{"securityKey":{}}]`, "", "", "body must be a JSON object"},
		{"no securityKey", `{"user_akses":"u","pwd_akses":"p"}`, "", "", "securityKey object missing"},
		{"securityKey as a string", `{"securityKey":"u:p"}`, "", "", "securityKey object missing"},
		{"the member name in the wrong case", `{"securitykey":{"user_akses":"u","pwd_akses":"p"}}`, "", "", "securityKey object missing"},
		{"no user_akses", `{"securityKey":{"pwd_akses":"p"}}`, "", "", "user_akses must be a non-empty string"},
		{"an empty user_akses", `{"securityKey":{"user_akses":"","pwd_akses":"p"}}`, "", "", "user_akses must be a non-empty string"},
		{"a numeric user_akses", `{"securityKey":{"user_akses":123,"pwd_akses":"p"}}`, "", "", "user_akses must be a non-empty string"},
		{"a null pwd_akses", `{"securityKey":{"user_akses":"u","pwd_akses":null}}`, "", "", "pwd_akses must be a non-empty string"},
		{"an empty pwd_akses", `{"securityKey":{"user_akses":"u","pwd_akses":""}}`, "", "", "pwd_akses must be a non-empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, pwd, err := ParseKeyRequest([]byte(tt.body))
			if tt.wantEN == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.user, user)
				assert.Equal(t, tt.pwd, pwd)
				return
			}
			require.ErrorIs(t, err, ErrBadRequest)
			status, text := Describe(err, pia.English)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Contains(t, text, tt.wantEN)
			_, textID := Describe(err, pia.Indonesian)
			assert.Contains(t, textID, "Permintaan security key salah")
		})
	}
}
