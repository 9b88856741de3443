package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/auth"
)

// demoHash is bcrypt("demo-secret") at cost 4: tests need not pay cost 14.
var demoHash = func() string {
	h, err := auth.HashPasswordCost("demo-secret", 4)
	if err != nil {
		panic(err)
	}
	return h
}()

const testSecret = "0123456789abcdef0123456789abcdef-test"

// authConfig fronts OSS and the K/L/D with keys and OSS tokens, validation
// off so any body passes; storage is dir, so a second config can share it.
func authConfig(oss, kld, storage, extraAuth, extraPia string) string {
	return fmt.Sprintf(`{
	admin {admin}
	persist_config off
	auto_https off
	storage file_system %s
	servers {
		expected_underscore_headers user_key
	}
	log {
		output discard
	}
}
{listen} {
	pia {
		validation off
		oss %s {
			header_up X-Client {http.auth.user.id}
			header_up X-Client-Grant "{http.auth.user.kd_instansi} {http.auth.user.pia_version} {http.auth.user.jti}"
			header_up X-Call "{pia.method} {pia.request_id}"
		}
		kld %s
		auth {
			key k1 hs256 %s
			client demo {
				user_akses demo
				password %s
			}
			client dinkes {
				user_akses dinkes
				password %s
				methods receiveLicenseStatus inqueryNIB
				kd_instansi 024
			}
			lockout 3 1m 10m
			revocation_refresh 50ms
			%s
		}
		oss_token {
			username oss-user
			password oss-pass
		}
		%s
	}
}`, storage, oss, kld, testSecret, demoHash, demoHash, extraAuth, extraPia)
}

// getKey asks sendSecurityKey for a key.
func (g *gateway) getKey(t *testing.T, user, pwd string) string {
	t.Helper()
	a := g.post(t, "/v1/kl/rba/sendSecurityKey", fmt.Sprintf(`{"securityKey":{"user_akses":%q,"pwd_akses":%q}}`, user, pwd))
	env := a.envelope("responsendSecurityKey", http.StatusOK)
	key, _ := env["key"].(string)
	require.NotEmpty(t, key)
	exp, _ := env["masa_berlaku"].(string)
	at, err := time.ParseInLocation("2006-01-02 15:04:05", exp, auth.Jakarta)
	require.NoError(t, err, "masa_berlaku is YYYY-MM-DD HH:MM:SS")
	assert.WithinDuration(t, time.Now().Add(24*time.Hour), at, time.Minute, "masa_berlaku is the expiry, in Jakarta time")
	return key
}

func TestSecurityKeyIssuedAndAcceptedFromEveryHeader(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", ""))
	key := g.getKey(t, "demo", "demo-secret")
	for _, h := range [][2]string{
		{"user_key", key},
		{"OSS-API-KEY", key},
		{"oss-api-key", key},
		{"Authorization", "Bearer " + key},
		{"Authorization", "bearer " + key},
	} {
		t.Run(h[0], func(t *testing.T) {
			a := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`, h[0], h[1])
			require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
			got := oss.last(t)
			assert.Equal(t, "demo", got.Header.Get("X-Client"), "{http.auth.user.id} names the client")
			for name := range got.Header {
				assert.NotContains(t, []string{"User_key", "Oss-Api-Key", "Authorization"}, name, "the key never travels upstream")
			}
		})
	}
}

// The placeholders name the request and the client its key was issued
// to, for header_up and logs: what an agency's upstream or an operator's
// log format reads.
func TestPlaceholdersNameTheRequestAndItsKey(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", ""))
	key := g.getKey(t, "dinkes", "demo-secret")
	claims, _, err := jwt.NewParser().ParseUnverified(key, &auth.Claims{})
	require.NoError(t, err)
	c := claims.Claims.(*auth.Claims)
	require.NotEmpty(t, c.ID)

	a := g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{}}`, "user_key", key, "X-Request-Id", "trace-42")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := oss.last(t)
	assert.Equal(t, "dinkes", got.Header.Get("X-Client"))
	assert.Equal(t, "024 "+c.PIAVersion+" "+c.ID, got.Header.Get("X-Client-Grant"), "kd_instansi, pia_version and jti of the key")
	assert.Equal(t, "receiveLicenseStatus trace-42", got.Header.Get("X-Call"), "the method and the request's ID")

	// Without a key, or with a broken one, nothing goes upstream to
	// carry a placeholder: the refusal is the gateway's own.
	for _, h := range [][]string{nil, {"user_key", key + "x"}} {
		g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{}}`, h...).envelope("responreceiveLicenseStatus", http.StatusUnauthorized)
	}
	assert.Len(t, oss.received(), 1, "only the call with its key reached OSS")
}

func TestSecurityKeyRefusals(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", ""))
	dinkes := g.getKey(t, "dinkes", "demo-secret")
	other := signToken(t, []byte("another-secret-of-at-least-32-bytes!!"), "k1", time.Now().Add(time.Hour))
	expired := signToken(t, []byte(testSecret), "k1", time.Now().Add(-time.Hour))
	forged := func(change func(jwt.MapClaims, *jwt.Token)) string {
		claims := jwt.MapClaims{"iss": "caddy-pia", "aud": []string{"pia"}, "sub": "demo", "client": "demo",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(), "jti": "forged"}
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
		tok.Header["kid"] = "k1"
		change(claims, tok)
		var s string
		var err error
		if tok.Method == jwt.SigningMethodNone {
			s, err = tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		} else {
			s, err = tok.SignedString([]byte(testSecret))
		}
		require.NoError(t, err)
		return s
	}
	wrongIssuer := forged(func(c jwt.MapClaims, _ *jwt.Token) { c["iss"] = "someone-else" })
	wrongAudience := forged(func(c jwt.MapClaims, _ *jwt.Token) { c["aud"] = []string{"elsewhere"} })
	notYet := forged(func(c jwt.MapClaims, _ *jwt.Token) { c["nbf"] = time.Now().Add(time.Hour).Unix() })
	unknownKid := forged(func(_ jwt.MapClaims, tok *jwt.Token) { tok.Header["kid"] = "k9" })
	algNone := forged(func(_ jwt.MapClaims, tok *jwt.Token) { tok.Method = jwt.SigningMethodNone; tok.Header["alg"] = "none" })

	tests := []struct {
		name    string
		path    string
		body    string
		headers []string
		root    string
		status  int
	}{
		{"no key", "/v1/kl/rba/receiveLicense", `{}`, nil, "responreceiveLicense", 401},
		{"garbage key", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", "not-a-jwt"}, "responreceiveLicense", 401},
		{"key signed with another secret", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", other}, "responreceiveLicense", 401},
		{"expired key", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", expired}, "responreceiveLicense", 401},
		{"wrong issuer", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", wrongIssuer}, "responreceiveLicense", 401},
		{"wrong audience", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", wrongAudience}, "responreceiveLicense", 401},
		{"not yet valid", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", notYet}, "responreceiveLicense", 401},
		{"unknown kid", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", unknownKid}, "responreceiveLicense", 401},
		{"alg none", "/v1/kl/rba/receiveLicense", `{}`, []string{"user_key", algNone}, "responreceiveLicense", 401},
		{"Basic credentials are not a key", "/v1/kl/rba/receiveLicense", `{}`, []string{"Authorization", "Basic ZGVtbzpkZW1vLXNlY3JldA=="}, "responreceiveLicense", 401},
		{"method the client may not call", "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`, []string{"user_key", dinkes}, "responreceiveLicense", 403},
		{"another agency's kd_instansi", "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{"kd_instansi":"099"}}`, []string{"user_key", dinkes}, "responreceiveLicenseStatus", 403},
		{"wrong password", "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"nope"}}`, nil, "responsendSecurityKey", 401},
		{"malformed key request", "/v1/kl/rba/sendSecurityKey", `{"securityKey":"demo"}`, nil, "responsendSecurityKey", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.post(t, tt.path, tt.body, tt.headers...).envelope(tt.root, tt.status)
		})
	}
	assert.Empty(t, oss.received(), "no refused call reached OSS")

	a := g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{"kd_instansi":"024"}}`, "user_key", dinkes)
	assert.Equal(t, http.StatusOK, a.StatusCode, "its own kd_instansi passes: %s", a.Body)
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), freeAddr(t), t.TempDir(), "", ""))
	for i := 0; i < 3; i++ {
		g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"wrong"}}`).envelope("responsendSecurityKey", 401)
	}
	a := g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`)
	a.envelope("responsendSecurityKey", http.StatusTooManyRequests)
	assert.NotEmpty(t, a.Header.Get("Retry-After"), "even the right password waits for the cool-down")

	// Policy lockout-kept-across-reloads: a reload gives no fresh attempts.
	g.reload(t)
	g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`).
		envelope("responsendSecurityKey", http.StatusTooManyRequests)
}

func TestRevocationThroughTheAdminAPIAndSharedStorage(t *testing.T) {
	oss := newUpstream(t, nil)
	storage := t.TempDir()
	g := startGateway(t, authConfig(oss.addr(), freeAddr(t), storage, "", ""))
	keep, revoked := g.getKey(t, "demo", "demo-secret"), g.getKey(t, "demo", "demo-secret")
	jti := claimsOf(t, revoked)["jti"].(string)

	res, err := http.Post(g.admin+"/pia/revocations", "application/json", strings.NewReader(`{"jti":"`+jti+`"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", revoked).envelope("responreceiveLicense", 401)
	assert.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", keep).StatusCode)

	res, err = http.Get(g.admin + "/pia/revocations")
	require.NoError(t, err)
	var list struct {
		Tokens map[string]time.Time `json:"tokens"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
	res.Body.Close()
	assert.Contains(t, list.Tokens, jti)

	// Another gateway instance sharing the storage refuses it too; the
	// client revocation in its config cuts every key issued so far.
	g2 := startGateway(t, authConfig(oss.addr(), freeAddr(t), storage, "", ""))
	g2.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", revoked).envelope("responreceiveLicense", 401)
	assert.Equal(t, http.StatusOK, g2.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", keep).StatusCode)

	time.Sleep(1100 * time.Millisecond) // iat has second resolution
	g3 := startGateway(t, authConfig(oss.addr(), freeAddr(t), storage, "revoke client demo before "+time.Now().Format(time.RFC3339), ""))
	g3.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", keep).envelope("responreceiveLicense", 401)
	fresh := g3.getKey(t, "demo", "demo-secret")
	assert.Equal(t, http.StatusOK, g3.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", fresh).StatusCode, "keys issued after the cut-off work")
}

func TestOSSTokenOnCallsToTheKLD(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, authConfig(freeAddr(t), kld.addr(), t.TempDir(), "", ""))
	nib := "8120000000001"
	good := auth.ComputeOSSToken("oss-user", "oss-pass", nib, time.Now())
	body := `{"dataNIB":{"nib":"` + nib + `"}}`

	a := g.post(t, "/v1/kl/rba/receiveNIB", body, "Token", good)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, good, kld.last(t).Header.Get("Token"), "the K/L/D app still sees OSS's token")

	g.post(t, "/v1/kl/rba/receiveNIB", body, "Token", auth.ComputeOSSToken("oss-user", "wrong", nib, time.Now())).envelope("responreceiveNIB", 401)
	g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000002"}}`, "Token", good).envelope("responreceiveNIB", 401)
	g.post(t, "/v1/kl/rba/receiveNIB", body).envelope("responreceiveNIB", 401)
	assert.Len(t, kld.received(), 1)
}

func TestJWKSServedForAsymmetricKeys(t *testing.T) {
	dir := t.TempDir()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	pemFile := filepath.Join(dir, "es.pem")
	require.NoError(t, os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	oss := newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), freeAddr(t), dir, "key k2 es256 "+pemFile+"\n\t\t\tsign k2\n\t\t\tjwks /.well-known/jwks.json", ""))

	a := g.call(t, http.MethodGet, "/.well-known/jwks.json", "")
	require.Equal(t, http.StatusOK, a.StatusCode)
	assert.Equal(t, "application/jwk-set+json", a.Header.Get("Content-Type"))
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &set))
	require.Len(t, set.Keys, 1, "only the public ES256 key; never the HS256 secret")
	assert.Equal(t, "k2", set.Keys[0]["kid"])
	assert.Equal(t, "ES256", set.Keys[0]["alg"])
	assert.NotContains(t, set.Keys[0], "d", "no private part")

	key := g.getKey(t, "demo", "demo-secret")
	assert.Equal(t, "k2", headerOf(t, key)["kid"], "the sign key signs")
	assert.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", key).StatusCode)
	old := signToken(t, []byte(testSecret), "k1", time.Now().Add(time.Hour))
	assert.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", old).StatusCode, "the previous key still verifies during rotation")

	// The classic confusion: HS256 "signed" with the ES256 public key, kid k2.
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	confused := signToken(t, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), "k2", time.Now().Add(time.Hour))
	g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "user_key", confused).envelope("responreceiveLicense", 401)
}

func TestAuthConfigErrors(t *testing.T) {
	tests := []struct{ name, auth, want string }{
		{"short secret", "key k1 hs256 short", "32"},
		{"plaintext password", "key k1 hs256 " + testSecret + "\nclient a {\nuser_akses a\npassword secret\n}", "bcrypt"},
		{"unknown method granted", "key k1 hs256 " + testSecret + "\nclient a {\nuser_akses a\npassword " + demoHash + "\nmethods nope\n}", "nope"},
		{"jwks without asymmetric keys", "key k1 hs256 " + testSecret + "\njwks /jwks", "asymmetric"},
		{"unknown signing key", "key k1 hs256 " + testSecret + "\nsign k9", "k9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadError(t, "{listen} {\n\tpia {\n\t\toss 127.0.0.1:1\n\t\tauth {\n"+tt.auth+"\n\t\t}\n\t}\n}")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// signToken makes a key the way the gateway does, with the given secret,
// kid and expiry, for refusal and rotation tests.
func signToken(t *testing.T, secret []byte, kid string, exp time.Time) string {
	t.Helper()
	claims := jwt.MapClaims{
		"iss": "caddy-pia", "aud": []string{"pia"}, "sub": "demo", "client": "demo",
		"iat": exp.Add(-2 * time.Hour).Unix(), "nbf": exp.Add(-2 * time.Hour).Unix(), "exp": exp.Unix(),
		"jti": fmt.Sprintf("test-%d", exp.UnixNano()),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(secret)
	require.NoError(t, err)
	return s
}

func decodeSegment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func claimsOf(t *testing.T, token string) map[string]any { return decodeSegment(t, token, 1) }
func headerOf(t *testing.T, token string) map[string]any { return decodeSegment(t, token, 0) }

// TestAServerThatDropsTheKeyHeaderIsNamedOnAMissingKey: a server that does
// not list user_key in expected_underscore_headers drops the header before
// the gateway sees it, so every call with its key is refused "key
// missing"; the first such refusal logs, once, what to add to the config.
func TestAServerThatDropsTheKeyHeaderIsNamedOnAMissingKey(t *testing.T) {
	logs := t.TempDir()
	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`{
	admin {admin}
	persist_config off
	auto_https off
	storage file_system {storage}
	log {
		output file %s/caddy.log
	}
}
{listen} {
	pia {
		validation off
		oss %s
		auth {
			key k1 hs256 %s
			client demo {
				user_akses demo
				password_hash %s
			}
		}
	}
}`, logs, oss.addr(), testSecret, demoHash))
	key := g.getKey(t, "demo", "demo-secret")
	for range 2 {
		g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`, "user_key", key).envelope("responreceiveLicense", http.StatusUnauthorized)
	}
	require.NoError(t, caddy.Stop()) // flush the log
	var warned []map[string]any
	for _, e := range logEntries(t, filepath.Join(logs, "caddy.log")) {
		if strings.Contains(fmt.Sprint(e["msg"]), "expected_underscore_headers") {
			warned = append(warned, e)
		}
	}
	require.Len(t, warned, 1, "once per server")
	assert.Equal(t, "warn", warned[0]["level"])
	assert.Equal(t, "user_key", warned[0]["header"])
	assert.Empty(t, oss.received(), "nothing reached the upstream")
}
