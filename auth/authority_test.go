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
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

func TestIssueSignsAKeyWithTheClientsGrant(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)

	iss, err := a.IssueRequest([]byte(`{"securityKey":{"user_akses":"dinas-user","pwd_akses":"`+pwdDinas+`"}}`), "10.0.0.1")
	require.NoError(t, err)

	c := iss.Claims
	now := clk.Now()
	assert.Equal(t, DefaultIssuer, c.Issuer)
	assert.Equal(t, "dinas", c.Subject)
	assert.Equal(t, jwt.ClaimStrings{DefaultAudience}, c.Audience)
	assert.Equal(t, now, c.IssuedAt.Time)
	assert.Equal(t, now, c.NotBefore.Time)
	assert.Equal(t, now.Add(DefaultTTL), c.ExpiresAt.Time)
	assert.NotEmpty(t, c.ID)
	assert.Equal(t, "dinas", c.Client)
	assert.Equal(t, []string{"receiveLicense", "receiveLicenseStatus", "checkLicenseStatus"}, c.Methods,
		"the alias checkLisenseStatus is stored under its canonical name")
	assert.Equal(t, "4.3.20", c.PIAVersion)
	assert.Equal(t, pia.MustVersion("4.3.20"), c.Version())
	assert.Equal(t, instDinas, c.KdInstansi)

	got, err := a.Verify(context.Background(), iss.Token)
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)
	assert.Equal(t, c.Methods, got.Methods)

	again, err := a.Issue("dinas-user", pwdDinas, "10.0.0.1")
	require.NoError(t, err)
	assert.NotEqual(t, c.ID, again.Claims.ID, "every key has its own jti")

	tok, err := jwt.NewParser(jwt.WithTimeFunc(clk.Now)).ParseWithClaims(iss.Token, &Claims{}, func(*jwt.Token) (any, error) { return hsSecret, nil })
	require.NoError(t, err)
	assert.Equal(t, "hs1", tok.Header["kid"])
	assert.Equal(t, "HS256", tok.Header["alg"])
}

func TestIssueAnswersTheSendSecurityKeyEnvelope(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"masa_berlaku is the expiry in Jakarta time", time.Date(2025, 3, 14, 10, 0, 0, 0, Jakarta), "2025-03-14 11:00:00"},
		{"a UTC clock still answers in Jakarta time, across the date line", time.Date(2025, 3, 14, 20, 30, 15, 0, time.UTC), "2025-03-15 04:30:15"},
		{"fractions of a second are dropped, as in exp", time.Date(2025, 3, 14, 10, 0, 0, 999e6, Jakarta), "2025-03-14 11:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			clk.Set(tt.now)
			a := newAuthority(t, clk, nil, func(c *Config) { c.TTL = time.Hour })
			iss, err := a.Issue("badan-user", pwdBadan, "")
			require.NoError(t, err)
			assert.Equal(t, tt.want, iss.MasaBerlaku())

			env := pia.Envelope{Shape: pia.DefaultEnvelope("sendSecurityKey"), Kode: 200,
				Keterangan: pia.Indonesian.Text(pia.MsgKeyIssued), Members: iss.Members()}
			b, err := env.MarshalJSON()
			require.NoError(t, err)
			var doc map[string]map[string]any
			require.NoError(t, json.Unmarshal(b, &doc))
			r := doc["responsendSecurityKey"]
			assert.Equal(t, float64(200), r["kode"])
			assert.Equal(t, iss.Token, r["key"])
			assert.Equal(t, tt.want, r["masa_berlaku"])
		})
	}
}

func TestAuthenticateReadsTheKeyFromEveryHeaderClientsUse(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	tok := iss.Token

	set := func(name, value string) http.Header { h := http.Header{}; h.Set(name, value); return h }
	tests := []struct {
		name string
		h    http.Header
	}{
		{"user_key as the RBA specifications write it", set("user_key", tok)},
		{"user_key canonicalised by net/http", set("User_key", tok)},
		{"user_key in upper case", set("USER_KEY", tok)},
		{"user_key kept as written in a hand-built header map", http.Header{"user_key": {tok}}},
		{"OSS-API-KEY of OSS 1.1", set("OSS-API-KEY", tok)},
		{"oss-api-key in lower case", http.Header{"oss-api-key": {tok}}},
		{"Authorization Bearer", set("Authorization", "Bearer "+tok)},
		{"authorization bearer in lower case", http.Header{"authorization": {"bearer " + tok}}},
		{"Bearer with extra spaces", set("Authorization", "Bearer   "+tok+"  ")},
		{"Basic credentials in Authorization do not hide user_key",
			http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}, "User_key": {tok}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := a.Authenticate(context.Background(), tt.h)
			require.NoError(t, err)
			assert.Equal(t, "dinas", c.Client)
		})
	}
}

// forge signs claims valid at clk's time (changed by mutate) with any
// method, key and kid, to build the tokens an attacker or a broken client
// would send.
func forge(t testing.TB, clk *clock, m jwt.SigningMethod, key any, kid string, mutate func(*Claims)) string {
	t.Helper()
	now := clk.Now().Truncate(time.Second)
	c := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: DefaultIssuer, Subject: "dinas", Audience: jwt.ClaimStrings{DefaultAudience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), ID: "forged-jti",
		},
		Client: "dinas",
	}
	if mutate != nil {
		mutate(c)
	}
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestVerifyRefusesEveryInvalidKey(t *testing.T) {
	testKeys(t)
	clk := newClock()
	// The gateway holds an RS256 key too, so HS256 is an allowed algorithm
	// and only the kid pinning can stop a token signed with the RSA
	// public key as an HMAC secret.
	a := newAuthority(t, clk, nil, func(c *Config) {
		c.Keys = append(c.Keys, Key{ID: "rs1", Algorithm: RS256, PublicKeyPEM: pubPEM(t, &rsaPriv.PublicKey)})
	})
	rsOnly := newAuthority(t, clk, nil, func(c *Config) {
		c.Keys = []Key{{ID: "rs1", Algorithm: RS256, PrivateKeyPEM: privPEM(t, rsaPriv)}}
	})
	valid, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	parts := strings.Split(valid.Token, ".")
	require.Len(t, parts, 3)

	tests := []struct {
		name  string
		a     *Authority
		token func(t *testing.T) string
		want  error
	}{
		{"garbage is malformed", a, func(t *testing.T) string { return "not-a-jwt" }, ErrMalformed},
		{"two segments are malformed", a, func(t *testing.T) string { return parts[0] + "." + parts[1] }, ErrMalformed},
		{"an over-long token is refused before parsing", a, func(t *testing.T) string { return strings.Repeat("a", MaxTokenLength+1) }, ErrMalformed},
		{"non-canonical base64 is malformed", a, func(t *testing.T) string { return parts[0] + "." + parts[1] + "." + parts[2] + "=" }, ErrMalformed},
		{"an expired key", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) {
				c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(-time.Minute))
			})
		}, ErrExpired},
		{"a key without exp is not ours", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.ExpiresAt = nil })
		}, ErrMalformed},
		{"a key not yet valid", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) {
				c.NotBefore = jwt.NewNumericDate(clk.Now().Add(time.Hour))
			})
		}, ErrNotYetValid},
		{"a key issued in the future", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) {
				c.IssuedAt = jwt.NewNumericDate(clk.Now().Add(time.Hour))
			})
		}, ErrNotYetValid},
		{"a signature made with another secret", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret2, "hs1", nil)
		}, ErrSignature},
		{"claims changed after signing", a, func(t *testing.T) string {
			other := strings.Split(forge(t, clk, jwt.SigningMethodHS256, hsSecret2, "hs1", func(c *Claims) { c.Methods = []string{"*"} }), ".")
			return parts[0] + "." + other[1] + "." + parts[2]
		}, ErrSignature},
		{"a wrong issuer", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.Issuer = "oss" })
		}, ErrIssuer},
		{"a wrong audience", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.Audience = jwt.ClaimStrings{"other"} })
		}, ErrAudience},
		{"an unknown kid", a, func(t *testing.T) string { return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs9", nil) }, ErrUnknownKID},
		{"no kid", a, func(t *testing.T) string { return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "", nil) }, ErrUnknownKID},
		{"alg none", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "hs1", nil)
		}, ErrAlgorithm},
		{"HS256 signed with the RSA public key, naming the RSA kid", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, pubPEM(t, &rsaPriv.PublicKey), "rs1", nil)
		}, ErrAlgorithm},
		{"HS256 signed with the RSA public key where only RS256 is configured", rsOnly, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, pubPEM(t, &rsaPriv.PublicKey), "rs1", nil)
		}, ErrAlgorithm},
		{"HS384 with the right secret: the kid is pinned to HS256", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS384, hsSecret, "hs1", nil)
		}, ErrAlgorithm},
		{"an alg nobody knows", a, func(t *testing.T) string {
			return base64URL(`{"alg":"XX999","kid":"hs1","typ":"JWT"}`) + "." + parts[1] + "." + parts[2]
		}, ErrAlgorithm},
		{"a key without jti is not ours", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.ID = "" })
		}, ErrMalformed},
		{"a key whose sub is not its client is not ours", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.Subject = "badan" })
		}, ErrMalformed},
		{"a key of a client no longer configured", a, func(t *testing.T) string {
			return forge(t, clk, jwt.SigningMethodHS256, hsSecret, "hs1", func(c *Claims) { c.Subject, c.Client = "gone", "gone" })
		}, ErrRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.token(t)
			_, err := tt.a.Verify(context.Background(), tok)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, http.StatusUnauthorized, Status(err))
			status, text := Describe(err, pia.Indonesian)
			assert.Equal(t, http.StatusUnauthorized, status)
			assertNoSecret(t, err.Error(), tok)
			assertNoSecret(t, text, tok)
		})
	}
}

func TestAuthenticateWithoutAKeyIsMissing(t *testing.T) {
	a := newAuthority(t, newClock(), nil, func(c *Config) { c.Headers = []string{"user_key", "Authorization"} })
	for name, h := range map[string]http.Header{
		"no header":                     {},
		"an empty user_key":             {"User_key": {"  "}},
		"Authorization with Basic only": {"Authorization": {"Basic dXNlcjpwYXNz"}},
		"Bearer without a token":        {"Authorization": {"Bearer"}},
		"OSS-API-KEY is not configured": {"Oss-Api-Key": {"x.y.z"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(context.Background(), h)
			require.ErrorIs(t, err, ErrMissing)
			status, text := Describe(err, pia.English)
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Equal(t, "Security key missing (header user_key, Authorization)", text)
		})
	}
}

func TestVerifyAcceptsTheOldKidWhileTheNewOneSigns(t *testing.T) {
	testKeys(t)
	clk := newClock()
	before := newAuthority(t, clk, nil, func(c *Config) {
		c.Keys = []Key{{ID: "2024", Algorithm: RS256, PrivateKeyPEM: privPEM(t, rsaPriv)}}
	})
	old, err := before.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)

	during := newAuthority(t, clk, nil, func(c *Config) {
		c.Keys = []Key{
			{ID: "2024", Algorithm: RS256, PublicKeyPEM: pubPEM(t, &rsaPriv.PublicKey)},
			{ID: "2025", Algorithm: ES256, PrivateKeyPEM: privPEM(t, ecPriv)},
		}
		c.SigningKey = "2025"
	})
	_, err = during.Verify(context.Background(), old.Token)
	require.NoError(t, err, "a key signed with the old kid is still accepted")
	fresh, err := during.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	tok, _, err := jwt.NewParser().ParseUnverified(fresh.Token, &Claims{})
	require.NoError(t, err)
	assert.Equal(t, "2025", tok.Header["kid"], "the new key signs")
	assert.Equal(t, "ES256", tok.Header["alg"])
	_, err = during.Verify(context.Background(), fresh.Token)
	require.NoError(t, err)

	after := newAuthority(t, clk, nil, func(c *Config) {
		c.Keys = []Key{{ID: "2025", Algorithm: ES256, PublicKeyPEM: pubPEM(t, &ecPriv.PublicKey)}}
		c.Clients = nil // verifies only
	})
	_, err = after.Verify(context.Background(), old.Token)
	assert.ErrorIs(t, err, ErrUnknownKID, "once the old key is dropped its keys are refused")
	_, err = after.Verify(context.Background(), fresh.Token)
	assert.NoError(t, err)
}

func TestAuthorizeRefusesMethodsAndOtherAgenciesData(t *testing.T) {
	clk := newClock()
	a := newAuthority(t, clk, nil)
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(t, err)
	c, err := a.Verify(context.Background(), iss.Token)
	require.NoError(t, err)

	doc := func(kd any) any {
		return map[string]any{"IZINSTATUS": map[string]any{"nib": "1234567890123", "kd_instansi": kd}}
	}
	tests := []struct {
		name   string
		method string
		doc    any
		want   error
		status int
	}{
		{"a granted method with the client's own kd_instansi", "receiveLicenseStatus", doc(instDinas), nil, 200},
		{"a method outside the grant", "receiveLegal", nil, ErrForbiddenMethod, 403},
		{"another agency's kd_instansi", "receiveLicenseStatus", doc("9999"), ErrForbiddenInstansi, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Authorize(c, tt.method)
			if err == nil {
				err = CheckInstansi(c, methodOf(tt.method), tt.doc)
			}
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.status, Status(err))
		})
	}
	_, text := Describe(a.Authorize(c, "receiveLegal"), pia.English)
	assert.Equal(t, "Client dinas may not call method receiveLegal", text)
	_, text = Describe(CheckInstansi(c, methodOf("receiveLicenseStatus"), doc("9999")), pia.English)
	assert.Equal(t, "kd_instansi 9999 does not belong to this client (1234)", text)
}

func TestIssueRefusesBadCredentialsAndBadRequests(t *testing.T) {
	a := newAuthority(t, newClock(), nil)
	tests := []struct {
		name   string
		body   string
		want   error
		status int
	}{
		{"a wrong password", `{"securityKey":{"user_akses":"dinas-user","pwd_akses":"salah"}}`, ErrBadCredentials, 401},
		{"an unknown user_akses", `{"securityKey":{"user_akses":"nobody","pwd_akses":"` + pwdDinas + `"}}`, ErrBadCredentials, 401},
		{"another client's password", `{"securityKey":{"user_akses":"dinas-user","pwd_akses":"` + pwdBadan + `"}}`, ErrBadCredentials, 401},
		{"the right password with bytes past bcrypt's 72", `{"securityKey":{"user_akses":"dinas-user","pwd_akses":"` + pwdDinas + strings.Repeat("x", 80) + `"}}`, ErrBadCredentials, 401},
		{"a body that is not JSON", `securityKey=1`, ErrBadRequest, 400},
		{"no securityKey", `{"user_akses":"dinas-user","pwd_akses":"x"}`, ErrBadRequest, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.IssueRequest([]byte(tt.body), "")
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.status, Status(err))
			status, text := Describe(err, pia.Indonesian)
			assert.Equal(t, tt.status, status)
			assertNoSecret(t, err.Error(), pwdDinas)
			assertNoSecret(t, text, pwdDinas)
		})
	}
}

func TestIssueComparesAPasswordEvenForAnUnknownUser(t *testing.T) {
	a := newAuthority(t, newClock(), nil)
	var compared [][]byte
	orig := compareHash
	t.Cleanup(func() { compareHash = orig })
	compareHash = func(hash, pwd []byte) error {
		compared = append(compared, hash)
		return orig(hash, pwd)
	}

	_, err := a.Issue("nobody", "whatever", "")
	require.ErrorIs(t, err, ErrBadCredentials)
	require.Len(t, compared, 1, "an unknown user_akses costs one bcrypt comparison, like a known one")
	assert.Equal(t, a.dummy, compared[0])
	assert.Equal(t, a.clientsByName["dinas"].hash[:7], compared[0][:7], "the dummy hash has the configured cost")
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	testKeys(t)
	good := testClients(t)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no key", Config{}, "no key"},
		{"clients but no key that can sign", Config{Keys: []Key{{ID: "k", Algorithm: ES256, PublicKeyPEM: pubPEM(t, &ecPriv.PublicKey)}}, Clients: good}, "no key can sign"},
		{"a signing key that is not configured", Config{Keys: []Key{{ID: "k", Secret: hsSecret}}, SigningKey: "k9", Clients: good}, `signing key "k9": no such key`},
		{"a plaintext password", Config{Keys: []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret}},
			Clients: []Client{{Name: "x", UserAkses: "x", PasswordHash: "hunter2"}}}, "not a bcrypt hash"},
		{"an argon2id hash", Config{Keys: []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret}},
			Clients: []Client{{Name: "x", UserAkses: "x", PasswordHash: "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA"}}}, "argon2id"},
		{"two clients with one user_akses", Config{Keys: []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret}},
			Clients: []Client{good[0], {Name: "y", UserAkses: good[0].UserAkses, PasswordHash: good[1].PasswordHash}}}, "user_akses is already"},
		{"an unknown method", Config{Keys: []Key{{ID: "k", Algorithm: HS256, Secret: hsSecret}}, Table: pia.NewTable(),
			Clients: []Client{{Name: "x", UserAkses: "x", PasswordHash: good[0].PasswordHash, Methods: []string{"receiveNothing"}}}}, "unknown method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoSecret(t, err.Error(), string(hsSecret))
		})
	}
}

func TestAVerifyOnlyGatewayAcceptsKeysOfAnyClient(t *testing.T) {
	clk := newClock()
	issuer := newAuthority(t, clk, nil)
	iss, err := issuer.Issue("badan-user", pwdBadan, "")
	require.NoError(t, err)
	verifier, err := New(Config{Keys: []Key{{ID: "hs1", Algorithm: HS256, Secret: hsSecret}}, Now: clk.Now})
	require.NoError(t, err)
	c, err := verifier.Verify(context.Background(), iss.Token)
	require.NoError(t, err)
	assert.Equal(t, "badan", c.Client)
	_, err = verifier.Issue("badan-user", pwdBadan, "")
	assert.ErrorIs(t, err, ErrBadCredentials, "a verify-only gateway has no clients")
}

func TestStatusOfAnUnknownErrorIs500(t *testing.T) {
	err := errors.New("storage exploded")
	assert.Equal(t, http.StatusInternalServerError, Status(err))
	status, text := Describe(err, pia.English)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, pia.English.Text(pia.MsgInternal), text)
}

func assertNoSecret(t *testing.T, s, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	assert.NotContains(t, s, secret)
	for _, part := range strings.Split(secret, ".") {
		if len(part) >= 8 {
			assert.NotContains(t, s, part)
		}
	}
}

func base64URL(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(b64std(s)), "=")
}

func TestEveryRejectionClassHasAStatusAndASentence(t *testing.T) {
	want := map[error]int{
		ErrMissing: 401, ErrMalformed: 401, ErrAlgorithm: 401, ErrUnknownKID: 401, ErrSignature: 401,
		ErrIssuer: 401, ErrAudience: 401, ErrExpired: 401, ErrNotYetValid: 401, ErrRevoked: 401,
		ErrBadCredentials: 401, ErrBadRequest: 400, ErrLocked: 429,
		ErrForbiddenMethod: 403, ErrForbiddenInstansi: 403, ErrTokenMissing: 401, ErrTokenMismatch: 401,
	}
	for err, status := range want {
		for _, wrapped := range []error{err, fmt.Errorf("context: %w", err)} {
			assert.Equal(t, status, Status(wrapped), "%v", wrapped)
			for _, l := range []pia.Lang{pia.Indonesian, pia.English} {
				got, text := Describe(wrapped, l)
				assert.Equal(t, status, got, "%v", wrapped)
				assert.NotEqual(t, l.Text(pia.MsgInternal), text, "%v has its own sentence", wrapped)
				assert.NotContains(t, text, "%!", "%v: the sentence got its arguments", wrapped)
			}
		}
	}
}

func TestEveryRejectionClassHasItsOwnMetricLabel(t *testing.T) {
	want := map[error]string{
		ErrMissing: "missing", ErrMalformed: "malformed", ErrAlgorithm: "algorithm", ErrUnknownKID: "unknown_kid",
		ErrSignature: "signature", ErrIssuer: "issuer", ErrAudience: "audience", ErrExpired: "expired",
		ErrNotYetValid: "not_yet_valid", ErrRevoked: "revoked", ErrBadCredentials: "bad_credentials",
		ErrBadRequest: "bad_request", ErrLocked: "locked", ErrForbiddenMethod: "forbidden_method",
		ErrForbiddenInstansi: "forbidden_instansi", ErrTokenMissing: "oss_token_missing", ErrTokenMismatch: "oss_token_mismatch",
	}
	for err, label := range want {
		assert.Equal(t, label, MetricLabel(err), "%v", err)
		assert.Equal(t, label, MetricLabel(fmt.Errorf("context: %w", err)), "%v wrapped", err)
	}
	assert.Equal(t, "forbidden_method", MetricLabel(&ForbiddenMethodError{Client: "c", Method: "m"}))
	assert.Equal(t, "locked", MetricLabel(&LockedError{RetryAfter: time.Second}))
	assert.Equal(t, "other", MetricLabel(errors.New("disk full")), "an error auth does not know")
	assert.Len(t, rejections, len(want), "every class is in the table once")
}
