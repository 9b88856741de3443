package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
)

// The regression tests of the adversarial review (issue 12): each fails on
// the gateway as it was before the fix it names.

func TestPathParameterIsOneSegment(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr(), ""))
	for _, p := range []string{
		"..%2F..%2F..%2F..%2Fadmin%2Fusers", // reached /admin/users on the OSS host
		"..%2FreceiveLicense",               // reached another method, unvalidated
		"%2E%2E", "..", "%2E", "a%2Fb", "a%5Cb", "a%5C..%5Cb", "a%00b", "a%0Ab", "a%7Fb",
	} {
		t.Run(p, func(t *testing.T) {
			a := g.call(t, http.MethodGet, "/v1/kl/rba/inqueryCertificate/"+p, "")
			env := a.envelope("responInqueryCertificate", http.StatusBadRequest)
			assert.Contains(t, env["keterangan"], "{id_permohonan_izin}")
		})
	}
	assert.Empty(t, oss.received(), "nothing escaped to the upstream")

	// A parameter that is one segment goes out escaped, as one segment.
	for p, want := range map[string]string{
		"I-202112171709158243106": "/v1/kl/rba/inqueryCertificate/I-202112171709158243106",
		"a%20b%3Bc%25":            "/v1/kl/rba/inqueryCertificate/a%20b%3Bc%25",
		"a:b@c":                   "/v1/kl/rba/inqueryCertificate/a:b@c",
	} {
		a := g.call(t, http.MethodGet, "/v1/kl/rba/inqueryCertificate/"+p, "")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s: %s", p, a.Body)
		got := oss.received()
		assert.Equal(t, want, got[len(got)-1].RawURI, p)
	}
}

// tokenConfig fronts a K/L/D application with oss_token, its access log and
// the gateway's log written to files, filtered as Caddyfile.example does.
func tokenConfig(kld, logDir, extraPia string) string {
	return globalOptionsLogging("{admin}", "output file "+logDir+"/caddy.log", "level DEBUG") + fmt.Sprintf(`{listen} {
	log {
		output file %[2]s/access.log
%[4]s
	}
	pia {
		validation off
		kld %[1]s
		oss_token {
			username oss-user
			password oss-pass
		}
		method agencyPing {
			side kld
			verb GET
		}
		method agencyPost {
			side kld
		}
		method agencyOpen {
			side kld
			oss_token off
		}
		%[3]s
	}
}`, kld, logDir, extraPia, indent(accessLogFilter, "\t\t"))
}

// accessLogFilter is the access log format of Caddyfile.example, which a
// test checks is still there.
const accessLogFilter = `format filter {
	request>uri query {
		delete token
	}
	request>headers>Token delete
	request>headers>User_key delete
	request>headers>Oss-Api-Key delete
	request>headers>Authorization delete
	resp_headers>Set-Cookie delete
}`

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func TestEveryKLDMethodNeedsOSSToken(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, tokenConfig(kld.addr(), t.TempDir(), ""))
	nib := "8120000000001"
	good := auth.ComputeOSSToken("oss-user", "oss-pass", nib, time.Now())
	body := `{"X":{"nib":"` + nib + `"}}`
	for _, c := range []struct{ verb, method, body string }{
		{http.MethodPost, "checkKomitmen", body}, // the PIA's own, unflagged in the method table
		{http.MethodPost, "agencyPost", body},    // a custom POST method of the K/L/D side
		{http.MethodGet, "agencyPing", ""},       // a custom GET method
		{http.MethodPost, "receiveNIB", `{"dataNIB":{"nib":"` + nib + `"}}`},
	} {
		t.Run(c.method, func(t *testing.T) {
			g.call(t, c.verb, "/v1/kl/rba/"+c.method, c.body).envelope("respon"+c.method, http.StatusUnauthorized)
			g.call(t, c.verb, "/v1/kl/rba/"+c.method, c.body, "Token", strings.Repeat("0", 40)).envelope("respon"+c.method, http.StatusUnauthorized)
			n := len(kld.received())
			tok := good
			if c.body == "" {
				tok = auth.ComputeOSSToken("oss-user", "oss-pass", "", time.Now()) // no payload, no NIB
			}
			a := g.call(t, c.verb, "/v1/kl/rba/"+c.method, c.body, "Token", tok)
			require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
			assert.Len(t, kld.received(), n+1)
		})
	}
	// The documented opt-out.
	a := g.post(t, "/v1/kl/rba/agencyOpen", body)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
}

func TestOSSTokenOptOutOnlyOnTheKLDSideAndWarnWithoutToken(t *testing.T) {
	err := loadError(t, `{listen} {
	pia {
		oss 127.0.0.1:1
		method receiveLicense {
			oss_token off
		}
	}
}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oss_token off")

	dir := t.TempDir()
	startGateway(t, `{
	admin {admin}
	persist_config off
	auto_https off
	storage file_system {storage}
	log {
		output file `+dir+`/caddy.log
	}
}
{listen} {
	pia {
		kld 127.0.0.1:1
	}
}`)
	logged, err := os.ReadFile(filepath.Join(dir, "caddy.log"))
	require.NoError(t, err)
	assert.Contains(t, string(logged), "no oss_token configured")
}

func TestOSSTokenFromHeaderBearerAndQueryNeverLogged(t *testing.T) {
	kld := newUpstream(t, nil)
	logs := t.TempDir()
	g := startGateway(t, tokenConfig(kld.addr(), logs, ""))
	nib, queryNIB := "8120000000001", "8120000000002"
	good := auth.ComputeOSSToken("oss-user", "oss-pass", nib, time.Now())
	inQuery := auth.ComputeOSSToken("oss-user", "oss-pass", queryNIB, time.Now())
	for name, c := range map[string]struct {
		nib, query string
		headers    []string
	}{
		"Token header":             {nib, "", []string{"Token", good}},
		"token header, lower case": {nib, "", []string{"token", good}},
		"TOKEN header, upper case": {nib, "", []string{"TOKEN", strings.ToUpper(good)}},
		"Authorization Bearer":     {nib, "", []string{"Authorization", "Bearer " + good}},
		"query":                    {queryNIB, "?a=1&token=" + inQuery + "&b=2", nil},
		"query, only parameter":    {queryNIB, "?token=" + inQuery, nil},
	} {
		t.Run(name, func(t *testing.T) {
			a := g.post(t, "/v1/kl/rba/receiveNIB"+c.query, `{"dataNIB":{"nib":"`+c.nib+`"}}`, c.headers...)
			require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
			got := kld.last(t)
			if c.query != "" {
				assert.NotContains(t, strings.ToLower(got.RawURI), "token", "the query token does not go upstream")
			}
			if strings.Contains(c.query, "a=1") {
				assert.Equal(t, "/v1/kl/rba/receiveNIB?a=1&b=2", got.RawURI, "the other parameters stay as written")
			}
		})
	}
	g.post(t, "/v1/kl/rba/receiveNIB?token="+strings.Repeat("ab", 20), `{"dataNIB":{"nib":"`+nib+`"}}`).envelope("responreceiveNIB", http.StatusUnauthorized)

	require.NoError(t, caddy.Stop()) // flush the logs
	access, err := os.ReadFile(filepath.Join(logs, "access.log"))
	require.NoError(t, err)
	require.Contains(t, string(access), "receiveNIB", "the access log is written")
	// Each entry carries the gateway's facts (its pia object), in which no
	// Token is either (checked with the rest of the line below).
	outcomes := map[string]int{}
	for _, e := range logEntries(t, filepath.Join(logs, "access.log")) {
		p, ok := e["pia"].(map[string]any)
		require.True(t, ok, "the access log entry has the pia object: %v", e)
		assert.Equal(t, "receiveNIB", p["method"])
		assert.Equal(t, "kld", p["side"])
		outcomes[p["outcome"].(string)]++
	}
	assert.Equal(t, map[string]int{outcomeForwarded: 6, outcomeUnauthorized: 1}, outcomes)
	// Caddy's own log at DEBUG shows what reverse_proxy sends upstream,
	// where the Token header goes on to the K/L/D application; the query
	// Token is gone before it.
	all, err := os.ReadFile(filepath.Join(logs, "caddy.log"))
	require.NoError(t, err)
	require.Contains(t, string(all), "upstream roundtrip", "the debug log is written")
	for _, line := range strings.Split(string(access)+string(all), "\n") {
		assert.NotContains(t, strings.ToLower(line), inQuery, "no log holds the query Token")
	}
	for _, line := range strings.Split(string(access), "\n") {
		assert.NotContains(t, strings.ToLower(line), good, "the access log holds no Token header")
	}
}

// heapDuring is what the process allocated while f ran: Caddy runs in this
// process, so it is what the gateway allocated for the requests f makes.
func heapDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestNoTreeBeforeTheTokenIsChecked(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, tokenConfig(kld.addr(), t.TempDir(), ""))
	nib := "8120000000001"
	zeros := `{"dataNIB":{"nib":"` + nib + `","x":[` + strings.Repeat("0,", 4_000_000) + `0]}}` // 8 MB, 4 million values

	// No Token: refused before the body is read, so a body that never
	// comes is answered.
	a := g.raw(t, "POST /v1/kl/rba/receiveNIB HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: "+
		fmt.Sprint(len(zeros))+"\r\n\r\n", zeros[:512<<10]) // announced, and never sent in full (net/http discards up to 256 KB unread)
	assert.Equal(t, http.StatusUnauthorized, a.StatusCode, "a call without Token is answered without waiting for its body")

	// A wrong Token: the body is read (its bytes) but not decoded.
	wrong := auth.ComputeOSSToken("oss-user", "wrong", nib, time.Now())
	used := heapDuring(func() {
		g.post(t, "/v1/kl/rba/receiveNIB", zeros, "Token", wrong).envelope("responreceiveNIB", http.StatusUnauthorized)
	})
	assert.Less(t, used, uint64(4*len(zeros)), "a refused Token costs about the body, not a tree (%d MB)", used>>20)

	// A wrong Token on a body broken at its end, its values within
	// max_elements: answered as a broken body (policy
	// one-broken-body-answer), in the decoder's words, but read without
	// a tree.
	many := `{"dataNIB":{"nib":"` + nib + `","x":[` + strings.Repeat("0,", 200_000) + `0]}`
	used = heapDuring(func() {
		env := g.post(t, "/v1/kl/rba/receiveNIB", many, "Token", wrong).envelope("responreceiveNIB", http.StatusBadRequest)
		assert.Contains(t, env["keterangan"], "unexpected end of JSON input")
	})
	assert.Less(t, used, uint64(4*len(many)), "a broken body before authentication costs about the body, not a tree (%d KB)", used>>10)
	assert.Empty(t, kld.received())
}

func TestDecodedTreeIsBoundedByElements(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, tokenConfig(kld.addr(), t.TempDir(), "max_elements 1000\n\t\tmethod receiveNIB {\n\t\t\tvalidation enforce\n\t\t}"))
	nib := "8120000000001"
	good := auth.ComputeOSSToken("oss-user", "oss-pass", nib, time.Now())
	zeros := `{"dataNIB":{"nib":"` + nib + `","x":[` + strings.Repeat("0,", 1_000_000) + `0]}}`
	used := heapDuring(func() {
		env := g.post(t, "/v1/kl/rba/receiveNIB", zeros, "Token", good).envelope("responreceiveNIB", http.StatusRequestEntityTooLarge)
		assert.Contains(t, env["keterangan"], "1000")
	})
	assert.Less(t, used, uint64(8*len(zeros)), "the tree stops at the bound (%d MB)", used>>20)
	assert.Empty(t, kld.received())
}

func TestKdInstansiCheckedOnEveryLicenceMethodInAnyCase(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), freeAddr(t), t.TempDir(), `client agency {
				user_akses agency
				password `+demoHash+`
				kd_instansi 024
			}`, ""))
	key := g.getKey(t, "agency", "demo-secret")
	for _, c := range []struct{ method, body string }{
		{"updateLicense", `{"IZINFINAL":{"kd_instansi":"999"}}`},
		{"receiveLicenseKKPR", `{"IZINFINALKKPR":{"kd_instansi":"999"}}`},
		{"receiveLicense", `{"IZINFINAL":{"KD_INSTANSI":"999"}}`},
		{"receiveLicenseStatus", `{"izinstatus":{"Kd_Instansi":"999"}}`},
		{"receiveLicense", `{"IZINFINAL":{"kd_instansi":"024","KD_INSTANSI":"999"}}`},
	} {
		t.Run(c.method+" "+c.body, func(t *testing.T) {
			env := g.post(t, "/v1/kl/rba/"+c.method, c.body, "user_key", key).envelope("respon"+c.method, http.StatusForbidden)
			assert.Contains(t, env["keterangan"], "999")
		})
	}
	assert.Empty(t, oss.received())
	a := g.post(t, "/v1/kl/rba/updateLicense", `{"IZINFINAL":{"KD_INSTANSI":"024"}}`, "user_key", key)
	assert.Equal(t, http.StatusOK, a.StatusCode, "its own agency passes: %s", a.Body)
}

func TestDuplicateMemberNamesAreRefusedNamingTheField(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", "method receiveLicense {\n\t\t\tvalidation enforce\n\t\t}"))
	key := g.getKey(t, "dinkes", "demo-secret")
	// Validation, the kd_instansi check and the Token's NIB would see the
	// last value; a first-wins upstream the first.
	env := g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{"kd_instansi":"999","kd_instansi":"024"}}`, "user_key", key).
		envelope("responreceiveLicenseStatus", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINSTATUS.kd_instansi")
	assert.Equal(t, []any{map[string]any{"field": "/IZINSTATUS/kd_instansi", "rule": "duplicate"}}, env["errors"])

	demo := g.getKey(t, "demo", "demo-secret")
	env = g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"x","nib":"8120000000001"}}`, "user_key", demo).
		envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL.nib")

	nib := "8120000000001"
	good := auth.ComputeOSSToken("oss-user", "oss-pass", nib, time.Now())
	env = g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"9990000000001","nib":"`+nib+`"}}`, "Token", good).
		envelope("responreceiveNIB", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "dataNIB.nib")
	assert.Empty(t, oss.received())
	assert.Empty(t, kld.received())

	// sendSecurityKey: which user_akses would be the one checked?
	g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","user_akses":"dinkes","pwd_akses":"demo-secret"}}`).
		envelope("responsendSecurityKey", http.StatusBadRequest)
}

func TestLockoutHoldsAgainstAConcurrentBurst(t *testing.T) {
	g := startGateway(t, authConfig(freeAddr(t), freeAddr(t), t.TempDir(), "", "")) // lockout 3 1m 10m
	const n = 40
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		pwd := "wrong"
		if i == n-1 {
			pwd = "demo-secret"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(g.base+"/v1/kl/rba/sendSecurityKey", "application/json",
				strings.NewReader(`{"securityKey":{"user_akses":"demo","pwd_akses":"`+pwd+`"}}`))
			if err == nil {
				statuses <- res.StatusCode
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(statuses)
	counted := map[int]int{}
	for s := range statuses {
		counted[s]++
	}
	assert.Equal(t, n, counted[http.StatusOK]+counted[http.StatusUnauthorized]+counted[http.StatusTooManyRequests], "%v", counted)
	assert.LessOrEqual(t, counted[http.StatusUnauthorized], 3, "no more wrong guesses are tried than the limit: %v", counted)
}

func TestConfigChangeNarrowsKeysAlreadyIssued(t *testing.T) {
	oss := newUpstream(t, nil)
	storage := t.TempDir()
	cfg := authConfig(oss.addr(), freeAddr(t), storage, "", "")
	g := startGateway(t, cfg)
	key := g.getKey(t, "dinkes", "demo-secret") // receiveLicenseStatus and inqueryNIB, kd_instansi 024, 24 h
	require.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{}}`, "user_key", key).StatusCode)
	require.NoError(t, caddy.Stop())

	// The client loses receiveLicenseStatus: its old key with it.
	g = startGateway(t, strings.Replace(cfg, "methods receiveLicenseStatus inqueryNIB", "methods inqueryNIB", 1))
	g.post(t, "/v1/kl/rba/receiveLicenseStatus", `{"IZINSTATUS":{}}`, "user_key", key).envelope("responreceiveLicenseStatus", http.StatusForbidden)
	assert.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{}}`, "user_key", key).StatusCode)
	require.NoError(t, caddy.Stop())

	// Keys now live an hour: a 24 h key is refused.
	g = startGateway(t, authConfig(oss.addr(), freeAddr(t), storage, "ttl 1h", ""))
	g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{}}`, "user_key", key).envelope("responinqueryNIB", http.StatusUnauthorized)
}

func TestExampleRedactsCredentialsAndKeepsSecretsOutOfTheConfig(t *testing.T) {
	example, err := os.ReadFile("../Caddyfile.example")
	require.NoError(t, err)
	squash := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	assert.Contains(t, squash(string(example)), squash(accessLogFilter),
		"the example's access log filter is the one TestOSSTokenFromHeaderBearerAndQueryNeverLogged checks")

	// {$VAR} would write the secret into the adapted JSON (caddy adapt,
	// GET /config/, autosave); {env.VAR} is read at load.
	for k, v := range map[string]string{"PIA_JWT_SECRET": "jwt-secret-never-in-the-json-0123456789", "PIA_OSS_USERNAME": "oss-user-never-in-the-json",
		"PIA_OSS_PASSWORD": "oss-password-never-in-the-json"} {
		t.Setenv(k, v)
	}
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt(example, map[string]any{"filename": "Caddyfile.example"})
	require.NoError(t, err)
	assert.NotContains(t, string(adapted), "never-in-the-json")
	assert.Contains(t, string(adapted), "{env.PIA_JWT_SECRET}")
}

func TestAdminRefusesARevocationThatRevokesNothing(t *testing.T) {
	g := startGateway(t, authConfig(freeAddr(t), freeAddr(t), t.TempDir(), "revoke client demo before 2020-01-01T00:00:00Z", "")) // a stale line loads
	for name, body := range map[string]string{
		"until in the past":       `{"jti":"abc","until":"2020-01-01T00:00:00Z"}`,
		"unknown client":          `{"client":"nobody"}`,
		"cut-off long before ttl": `{"client":"demo","before":"2020-01-01T00:00:00Z"}`,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := http.Post(g.admin+"/pia/revocations", "application/json", strings.NewReader(body))
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", b)
		})
	}
	res, err := http.Post(g.admin+"/pia/revocations", "application/json", strings.NewReader(`{"client":"demo"}`))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestContentEncodingIsNeverLeftWrong(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr(), "method checkLicenseStatus {\n\t\t\tvalidation enforce\n\t\t}"))
	// Read decoded, then re-encoded: carried from 4.3.12 (IZINSTATUS) to 4.3.20.
	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", compressed("gzip", `{"IZINSTATUS":{"id_izin":"I-1"}}`), "Content-Encoding", "gzip", "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := oss.last(t)
	assert.Contains(t, string(got.Body), "CHECKLICENSESTATUS", "the body was re-encoded")
	assert.Empty(t, got.Header.Get("Content-Encoding"), "the JSON going on is not gzip")
	// A body that is not what its Content-Encoding says, or is cut off in
	// it, is refused, not passed on.
	for _, body := range []string{"\x1f\x8b\x08\x00\x00\x00\x00\x00", `{"IZINSTATUS":{"id_izin":"I-1"}}`} {
		env := g.post(t, "/v1/kl/rba/receiveLicense", body, "Content-Encoding", "gzip").envelope("responreceiveLicense", http.StatusBadRequest)
		assert.Contains(t, env["keterangan"], "Content-Encoding-nya: gzip: ")
	}
	assert.Len(t, oss.received(), 1)
}

func TestUpstreamBreakingOffItsAnswer(t *testing.T) {
	const head = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"81200`
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4000")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, head)
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack() // and close it mid-answer
		if err == nil {
			conn.Close()
		}
	})
	logs := t.TempDir()
	// strip_response_fields: a 4.3.19 reader's answer then loses 4.3.20's
	// file_lampiran, so the answer is held to be carried.
	g := startGateway(t, strings.Replace(routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"), "{listen} {",
		"{\n\tadmin {admin}\n\tpersist_config off\n\tauto_https off\n\tstorage file_system {storage}\n\tlog {\n\t\toutput file "+logs+"/caddy.log\n\t}\n}\n{listen} {", 1))

	// Buffered to be carried to 4.3.19: the client gets the envelope.
	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
	a.envelope("responcheckLicenseStatus", http.StatusBadGateway)

	// Streamed as is: the client's answer is cut off, as the upstream's was.
	req, err := http.NewRequest(http.MethodPost, g.base+"/v1/kl/rba/checkLicenseStatus", strings.NewReader(`{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	assert.Error(t, err, "an incomplete answer is not passed off as complete")

	require.NoError(t, caddy.Stop())
	logged, err := os.ReadFile(filepath.Join(logs, "caddy.log"))
	require.NoError(t, err)
	// Both are failures, which the pia logger writes at INFO (the level of
	// this log): each is logged (and counted), whether the handler returned
	// or was aborted.
	assert.Equal(t, 2, strings.Count(string(logged), `"msg":"pia request"`), "both requests are logged (and counted):\n%s", logged)
	assert.Contains(t, string(logged), `"outcome":"upstream_truncated"`)
	assert.Contains(t, string(logged), `"outcome":"upstream_unreachable"`)
}

func TestLargeBufferedAnswerPassesThroughUnadapted(t *testing.T) {
	big := strings.Repeat("x", maxBufferedResponse)
	body := `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001","file_lampiran":"` + big + `"}}}`
	for _, chunked := range []bool{false, true} {
		oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "application/json")
			if !chunked {
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			}
			_, _ = io.WriteString(w, body)
		})
		g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
		a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
		require.Equal(t, http.StatusOK, a.StatusCode)
		assert.Equal(t, body, string(a.Body), "chunked %v: passed through as the upstream wrote it", chunked)
		require.NoError(t, caddy.Stop())
	}
}

func TestDefaultElementBoundFitsTheLargestRealPayloads(t *testing.T) {
	// The 4.3.20 receiveNIB sample with every field filled and three
	// projects (generated by the tests' sampler, internal/pia/testdata/README.md), grown to 5 MB by
	// repeating its projects: a business with well over a thousand.
	sample, err := os.ReadFile("../internal/pia/testdata/receiveNIB-4.3.20.json")
	require.NoError(t, err)
	var doc map[string]map[string]any
	require.NoError(t, json.Unmarshal(sample, &doc))
	projects := doc["dataNIB"]["data_proyek"].([]any)
	one, err := json.Marshal(projects[0])
	require.NoError(t, err)
	grown := projects
	for i := 0; len(sample)+i*(len(one)+1) < 5<<20; i++ {
		grown = append(grown, projects[i%len(projects)])
	}
	doc["dataNIB"]["data_proyek"] = grown
	sample, err = json.Marshal(doc)
	require.NoError(t, err)
	_, err = jsonbody.DecodeWith(sample, jsonbody.Options{Strict: true, MaxElements: DefaultMaxElements})
	assert.NoError(t, err, "a %d KB receiveNIB with %d projects fits the default bound", len(sample)>>10, len(grown))
}
