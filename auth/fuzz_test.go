package auth

// Fixtures: the fuzz seeds are built by hand or signed when the tests run
// (forge); the RSA, EC and Ed25519 keys are generated when the tests run
// (testKeys), the secrets and passwords are made up (helpers_test.go,
// osstoken_test.go).

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// FuzzExtractVerify feeds arbitrary header names and values through
// Extract and Verify: nothing panics, every refusal is a 401 of ours whose
// text does not quote the token, and only a token the gateway signed is
// accepted.
func FuzzExtractVerify(f *testing.F) {
	testKeys(f)
	clk := newClock()
	a := newAuthority(f, clk, nil, func(c *Config) {
		c.Keys = append(c.Keys, Key{ID: "es1", Algorithm: ES256, PublicKeyPEM: pubPEM(f, &ecPriv.PublicKey)})
	})
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(f, err)
	parts := strings.Split(iss.Token, ".")
	for _, seed := range []struct{ name, value string }{
		{"user_key", iss.Token},
		{"Authorization", "Bearer " + iss.Token},
		{"authorization", "bEaReR\t" + iss.Token},
		{"OSS-API-KEY", parts[0] + "." + parts[1] + "."},
		{"user_key", forge(f, clk, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "hs1", nil)},
		{"user_key", forge(f, clk, jwt.SigningMethodHS256, pubPEM(f, &ecPriv.PublicKey), "es1", nil)},
		{"user_key", forge(f, clk, jwt.SigningMethodES256, ecPriv, "es1", func(c *Claims) { c.Methods = []string{"*"} })},
		{"user_key", "eyJhbGciOiJIUzI1NiJ9..."},
		{"Authorization", "Basic " + iss.Token},
		{"user_key", strings.Repeat(".", 3000)},
	} {
		f.Add(seed.name, seed.value)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		h := http.Header{name: {value}}
		tok, header, ok := Extract(h, DefaultHeaders)
		if !ok {
			assert.Empty(t, tok)
			return
		}
		assert.True(t, strings.EqualFold(header, name), "the token came from the header that holds it")
		assert.Equal(t, strings.TrimSpace(tok), tok)
		c, err := a.Verify(context.Background(), tok)
		if err == nil {
			// Whatever was accepted must verify independently with the
			// key its kid names, under that key's algorithm only.
			_, oerr := jwt.NewParser(jwt.WithTimeFunc(clk.Now)).Parse(tok, func(tk *jwt.Token) (any, error) {
				switch {
				case tk.Header["kid"] == "hs1" && tk.Method == jwt.SigningMethodHS256:
					return hsSecret, nil
				case tk.Header["kid"] == "es1" && tk.Method == jwt.SigningMethodES256:
					return &ecPriv.PublicKey, nil
				}
				return nil, errors.New("no such key")
			})
			assert.NoError(t, oerr, "accepted a token no key holder signed")
			assert.NotEmpty(t, c.Client)
			return
		}
		assert.Equal(t, http.StatusUnauthorized, Status(err), "%v", err)
		_, text := Describe(err, pia.English)
		if len(tok) >= 16 {
			assert.NotContains(t, err.Error(), tok)
			assert.NotContains(t, text, tok)
		}
	})
}

// FuzzParseKeyRequest: any body either yields non-empty credentials that a
// re-encoded request yields again, or is a 400.
func FuzzParseKeyRequest(f *testing.F) {
	for _, s := range []string{
		`{"securityKey":{"user_akses":"u","pwd_akses":"p"}}`,
		`{"securityKey":{"user_akses":"u\u0000","pwd_akses":"p\"q"}}`,
		`{"securityKey":{"user_akses":1,"pwd_akses":true}}`,
		`{"securityKey":null}`,
		`[]`, `"x"`, ``, `{`, `{"securityKey":{}}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		user, pwd, err := ParseKeyRequest(body)
		if err != nil {
			assert.Equal(t, http.StatusBadRequest, Status(err))
			assert.Empty(t, user)
			assert.Empty(t, pwd)
			return
		}
		require.NotEmpty(t, user)
		require.NotEmpty(t, pwd)
		again, err := json.Marshal(map[string]any{"securityKey": map[string]string{"user_akses": user, "pwd_akses": pwd}})
		require.NoError(t, err)
		u2, p2, err := ParseKeyRequest(again)
		require.NoError(t, err)
		assert.Equal(t, user, u2)
		assert.Equal(t, pwd, p2)
	})
}

// FuzzOSSTokenVerify: a token is accepted exactly when it is the day's
// SHA1 for the NIB, in any case of hex, spaces aside.
func FuzzOSSTokenVerify(f *testing.F) {
	now := time.Date(2025, 3, 14, 10, 0, 0, 0, Jakarta)
	o := &OSSToken{Username: ossUser, Password: ossPass, Now: func() time.Time { return now }}
	f.Add(ComputeOSSToken(ossUser, ossPass, nib, now), nib)
	f.Add(strings.ToUpper(ComputeOSSToken(ossUser, ossPass, nib, now)), nib)
	f.Add("", "")
	f.Add("zz", nib)
	f.Fuzz(func(t *testing.T, token, n string) {
		err := o.Verify(token, n)
		want := strings.EqualFold(strings.TrimSpace(token), ComputeOSSToken(ossUser, ossPass, n, now))
		if want {
			assert.NoError(t, err)
			return
		}
		require.Error(t, err)
		assert.Equal(t, http.StatusUnauthorized, Status(err))
	})
}
