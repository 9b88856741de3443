package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the variations real K/L/D systems and OSS send (issue "Real
// clients first"); each policy they check is cited.

// fullNIB is the 4.3.20 receiveNIB sample of internal/pia/testdata
// (generated from the 4.3.20 schema by the tests' sampler, see the README
// there: every field filled, three members in every array).
func fullNIB(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveNIB-4.3.20.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	return doc
}

// setMembers sets every member called one of names, at any depth.
func setMembers(v any, value any, names ...string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			for _, n := range names {
				if k == n {
					x[k] = value
				}
			}
			setMembers(e, value, names...)
		}
	case []any:
		for _, e := range x {
			setMembers(e, value, names...)
		}
	}
}

// membersNamed collects, as JSON text, every value of a member whose name
// starts with prefix, at any depth, with its path.
func membersNamed(t *testing.T, body []byte, prefix string) map[string]string {
	t.Helper()
	var doc any
	require.NoError(t, json.Unmarshal(body, &doc), "%s", body)
	out := map[string]string{}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.HasPrefix(k, prefix) {
					b, _ := json.Marshal(e)
					out[at+"/"+k] = string(b)
				}
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "")
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// assertAllCodes checks that every kbli* member found is the string "01111".
func assertAllCodes(t *testing.T, body []byte, min int, path string) {
	t.Helper()
	got := membersNamed(t, body, "kbli")
	require.GreaterOrEqual(t, len(got), min, "%s: kbli members found: %v", path, got)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		assert.Equal(t, `"01111"`, got[k], "%s: %s keeps its leading zero (policy codes-as-digit-strings)", path, k)
	}
}

// TestKBLICodeWithLeadingZeroIsNeverANumber walks every path a KBLI code
// can take through the gateway: same version, carried up, carried down,
// in a request and in a response. "01111" (section A, agriculture) arrives
// as "01111" everywhere (policy codes-as-digit-strings).
func TestKBLICodeWithLeadingZeroIsNeverANumber(t *testing.T) {
	inqueryAnswer := func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"responinqueryNIB":{"kode":200,"keterangan":"Sukses","dataNIB":{"nib":"8120000000001",`+
			`"data_proyek":[{"id_proyek":"R-1","kbli":"01111","data_proyek_produk":[{"id_produk":"P-1","kbli":"01111"}]}]}}}`)
	}

	t.Run("same version, request, validation enforced", func(t *testing.T) {
		kld := newUpstream(t, nil)
		g := startGateway(t, routingConfig(freeAddr(t), kld.addr(), `method receiveNIB {
			validation enforce
		}`))
		doc := fullNIB(t)
		setMembers(doc, "01111", "kbli", "kbli_konversi")
		in := mustJSON(t, doc)
		a := g.post(t, "/v1/kl/rba/receiveNIB", in)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, kld.last(t).Body, 10, "same version")

		setMembers(doc, "01a11", "kbli")
		env := g.post(t, "/v1/kl/rba/receiveNIB", mustJSON(t, doc)).envelope("responreceiveNIB", http.StatusBadRequest)
		assert.Contains(t, env["keterangan"], `harus berupa angka atau teks berisi digit saja`, "a code that is not digits is named")
	})

	t.Run("carried up, request from an OSS speaking 4.3.18", func(t *testing.T) {
		kld := newUpstream(t, nil)
		g := startGateway(t, routingConfig(freeAddr(t)+` {
			version 4.3.18
		}`, kld.addr(), ""))
		a := g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000001","jenis_perubahan_terakhir":"01","skala_usaha":"01",`+
			`"data_proyek":[{"kbli":"01111","data_proyek_produk":[{"kbli":"01111"}]}],`+
			`"data_checklist":[{"kbli_konversi":"01111","data_produk_halal":[{"list_produk":[{"kbli":"01111"}]}]}]}}`)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, kld.last(t).Body, 4, "up")
	})

	t.Run("carried down, request to a 4.3.16 K/L/D application", func(t *testing.T) {
		kld := newUpstream(t, nil)
		g := startGateway(t, routingConfig(freeAddr(t), kld.addr()+` {
			version 4.3.16
		}`, ""))
		a := g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000001","data_proyek":[{"kbli":"01111","data_proyek_produk":[{"kbli":"01111"}]}]}}`)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, kld.last(t).Body, 2, "down")
	})

	t.Run("carried down, response to a 4.3.18 client", func(t *testing.T) {
		oss := newUpstream(t, inqueryAnswer)
		g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
		a := g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"nib":"8120000000001"}}`, "X-PIA-Version", "4.3.18")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, a.Body, 2, "response down")
	})

	t.Run("carried up, response from a 4.3.18 OSS to a 4.3.20 client", func(t *testing.T) {
		oss := newUpstream(t, inqueryAnswer)
		g := startGateway(t, routingConfig(oss.addr()+` {
			version 4.3.18
		}`, freeAddr(t), ""))
		a := g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"nib":"8120000000001"}}`, "X-PIA-Version", "4.3.20")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, a.Body, 2, "response up")
	})
}

// TestHTTPSUpstreamGetsItsOwnHostAndSNI: real OSS front ends route by Host,
// so an https:// upstream must be asked for its own name, in Host and in
// the TLS handshake, never for the gateway's.
func TestHTTPSUpstreamGetsItsOwnHostAndSNI(t *testing.T) {
	var mu sync.Mutex
	var sni, host string
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		host = r.Host
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses"}}`)
	}))
	up.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		sni = hello.ServerName
		mu.Unlock()
		return nil, nil
	}}
	up.StartTLS()
	t.Cleanup(up.Close)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(up.URL, "https://"))
	require.NoError(t, err)
	upstream := "localhost:" + port

	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		oss https://%s {
			transport http {
				tls_insecure_skip_verify
			}
		}
	}
}`, upstream))
	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, upstream, host, "the upstream is asked for its own host, not the gateway's")
	assert.Equal(t, "localhost", sni, "the TLS handshake names the upstream")
}

// TestStatusUpdateDatesAreAcceptedAsRealClientsSendThem: a date where a
// datetime is documented is completed to midnight (policy
// date-for-datetime), a datetime where a date is documented becomes its
// date (datetime-for-date), an ISO 8601 local datetime is the PIA's
// (iso-local-datetime); anything else keeps its precise 400.
func TestStatusUpdateDatesAreAcceptedAsRealClientsSendThem(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))

	status := `{"IZINSTATUS":{"nib":"8120000000001","id_produk":"","id_proyek":"R-1","oss_id":"P-1","id_izin":"I-1","kd_izin":"033000000001",` +
		`"kd_instansi":"","kd_status":"50","tgl_status":"2023-01-20","nip_status":"197001012000031001","nama_status":"Budi","keterangan":"Terbit"}}`
	a := g.post(t, "/v1/kl/rba/receiveLicenseStatus", status)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := jsonBody(t, oss.last(t))["IZINSTATUS"].(map[string]any)
	assert.Equal(t, "2023-01-20 00:00:00", got["tgl_status"])

	a = g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"tgl_berlaku_izin":"2031-11-30"`, `"tgl_berlaku_izin":"2031-11-30 10:00:00"`, 1))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "2031-11-30", jsonBody(t, oss.last(t))["IZINFINAL"].(map[string]any)["tgl_berlaku_izin"])

	// As Java's LocalDateTime and .NET's DateTime write it (iso-local-datetime).
	a = g.post(t, "/v1/kl/rba/receiveLicenseStatus", strings.Replace(status, `"2023-01-20"`, `"2023-01-20T14:30:00"`, 1))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "2023-01-20 14:30:00", jsonBody(t, oss.last(t))["IZINSTATUS"].(map[string]any)["tgl_status"])
	env := g.post(t, "/v1/kl/rba/receiveLicenseStatus", strings.Replace(status, `"2023-01-20"`, `"2023-01-20T07:30:00Z"`, 1)).
		envelope("responreceiveLicenseStatus", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], `IZINSTATUS.tgl_status: harus berformat YYYY-MM-DD HH:MM:SS, diterima "2023-01-20T07:30:00Z"`, "a zone is not read")

	env = g.post(t, "/v1/kl/rba/receiveLicenseStatus", strings.Replace(status, `"2023-01-20"`, `"20-01-2023"`, 1)).
		envelope("responreceiveLicenseStatus", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], `IZINSTATUS.tgl_status: harus berformat YYYY-MM-DD HH:MM:SS, diterima "20-01-2023"`)
	env = g.post(t, "/v1/kl/rba/receiveLicenseStatus", strings.Replace(status, `"2023-01-20"`, `"2023-02-30"`, 1)).
		envelope("responreceiveLicenseStatus", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINSTATUS.tgl_status")
}

// TestShapesRealClientsSend: a one-element array where an object is
// documented is that object (policy array-for-object), an empty one the
// empty object (empty-array-for-object); a body under
// another method's root is refused naming both roots (policy wrong-root),
// in enforce mode without strict.
func TestShapesRealClientsSend(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))

	status := `{"IZINSTATUS":{"nib":"8120000000001","id_produk":"","id_proyek":"R-1","oss_id":"P-1","id_izin":"I-1","kd_izin":"033000000001",` +
		`"kd_instansi":"","kd_status":"50","tgl_status":"2023-01-20 10:00:00","nip_status":"1970","nama_status":"Budi","keterangan":"Terbit",` +
		`"data_pnbp":[{"kd_akun":"425111","kd_penerimaan":"1","nominal":150000,"tgl_billing":"2023-01-20"}]}}`
	a := g.post(t, "/v1/kl/rba/receiveLicenseStatus", status)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, map[string]any{"kd_akun": "425111", "kd_penerimaan": "1", "nominal": float64(150000), "tgl_billing": "2023-01-20"},
		jsonBody(t, oss.last(t))["IZINSTATUS"].(map[string]any)["data_pnbp"], "data_pnbp: [{...}] reaches OSS as the object the PIA documents")

	a = g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"status_izin":"50"`,
		`"status_izin":"50","data_teknis":[{"id_komitmen":""}]`, 1))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, map[string]any{"id_komitmen": ""}, jsonBody(t, oss.last(t))["IZINFINAL"].(map[string]any)["data_teknis"],
		"[{...}] reaches OSS as the object the PIA documents")

	// PHP's json_encode writes an empty array as [], where the client
	// means no data_teknis members (policy empty-array-for-object).
	a = g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","data_teknis":[]`, 1))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","data_teknis":{}`, 1), string(oss.last(t).Body),
		"[] reaches OSS as the empty object")

	a = g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"status_izin":"50"`,
		`"status_izin":"50","data_teknis":[{"id_komitmen":""},{"id_komitmen":""}]`, 1))
	assert.Equal(t, http.StatusBadRequest, a.StatusCode, "two objects where one is documented: which one is unknowable")

	before := len(oss.received())
	env := g.post(t, "/v1/kl/rba/receiveLicenseStatus", validLicense).envelope("responreceiveLicenseStatus", http.StatusBadRequest)
	assert.Equal(t, "root IZINFINAL dikirim; receiveLicenseStatus mengharapkan IZINSTATUS", env["keterangan"])
	// A body meant for another service (a post-audit report), as a client
	// that reuses one HTTP helper for every call sends it.
	env = g.post(t, "/v1/kl/rba/receiveLicense", `{"POSTAUDIT":{"nib":"8120000000001"}}`).envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Equal(t, "root POSTAUDIT dikirim; receiveLicense mengharapkan IZINFINAL", env["keterangan"])
	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.12")
	assert.Equal(t, http.StatusOK, a.StatusCode, "an old client already using the upstream's root is not refused: %s", a.Body)
	before = len(oss.received())
	env = g.post(t, "/v1/kl/rba/receiveLicense", `[{"IZINFINAL":{}}]`).envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Equal(t, `body bukan objek; receiveLicense mengharapkan {"IZINFINAL": {...}}`, env["keterangan"])
	// PHP's json_encode of what json_encode already made: named as such.
	twice, err := json.Marshal(validLicense)
	require.NoError(t, err)
	env = g.post(t, "/v1/kl/rba/receiveLicense", string(twice)).envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Equal(t, `body adalah string JSON yang berisi JSON (dienkode dua kali); receiveLicense mengharapkan objeknya sendiri: {"IZINFINAL": {...}}`, env["keterangan"])
	assert.Len(t, oss.received(), before, "nothing under the wrong root reaches OSS")
}

// TestANormalisedBodyGoesOnAsSentButForItsValues: a body the gateway
// normalises reaches the upstream as its sender wrote it, members in their
// order, spacing kept, with each normalised value written in its place
// (policy normalised-on-the-bytes); before, it was decoded and written
// anew, members sorted.
func TestANormalisedBodyGoesOnAsSentButForItsValues(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, bothSides(oss.addr(), kld.addr()))

	// A client's licence, indented, with the NIB as a number and a
	// validity date with a time.
	var want bytes.Buffer
	require.NoError(t, json.Indent(&want, []byte(validLicense), "", "  "))
	sent := strings.NewReplacer(`"nib": "8120000000001"`, `"nib": 8120000000001`,
		`"tgl_berlaku_izin": "2031-11-30"`, `"tgl_berlaku_izin": "2031-11-30T00:00:00"`).Replace(want.String())
	require.NotEqual(t, want.String(), sent)
	a := g.post(t, "/v1/kl/rba/receiveLicense", sent)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, want.String(), string(oss.last(t).Body))

	// OSS's 38 KB receiveNIB, indented, with every date sent with a time
	// and every number as text (the 4.3.20 sample of internal/pia/testdata).
	raw, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveNIB-4.3.20.json"))
	require.NoError(t, err)
	want.Reset()
	require.NoError(t, json.Indent(&want, raw, "", "  "))
	push := strings.ReplaceAll(want.String(), `": "2024-02-29"`, `": "2024-02-29 00:00:00"`)
	push = regexp.MustCompile(`": ([0-9.]+)(,?\n)`).ReplaceAllString(push, `": "$1"$2`)
	require.Greater(t, strings.Count(push, `": "777777.55"`), 10)
	a = g.post(t, "/v1/kl/rba/receiveNIB", push)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Empty(t, a.Header.Get("X-PIA-Validation"))
	assert.Equal(t, want.String(), string(kld.last(t).Body), "the application gets the push as sent, its values as documented")
}

// TestACodeTypedAsANumberIsTheCodeItLostItsZerosFrom: status_izin 5, from
// a client whose column is an integer, is Lampiran 10's 05 and reaches OSS
// as "05" (policy zero-padded-code); a number no code is stays refused,
// naming the table.
func TestACodeTypedAsANumberIsTheCodeItLostItsZerosFrom(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	a := g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":5`, 1))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"05"`, 1), string(oss.last(t).Body))

	env := g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":6`, 1)).
		envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], `IZINFINAL.status_izin: kode "6" tidak ada di Lampiran 10`)
}

// TestAPHPListWithGapsIsAList: a list whose first member a PHP client
// filtered out (array_filter keeps the indexes) is written by json_encode
// as an object, {"1":{…},"2":{…}}; it reaches the application as the list
// it is, the rest of the push as sent (policy php-list-as-object).
func TestAPHPListWithGapsIsAList(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, bothSides(freeAddr(t), kld.addr()))
	doc := fullNIB(t)
	legalitas := doc["dataNIB"].(map[string]any)["legalitas"].([]any)
	require.Len(t, legalitas, 3)
	want := mustJSON(t, doc)
	doc["dataNIB"].(map[string]any)["legalitas"] = map[string]any{"1": legalitas[0], "2": legalitas[1], "5": legalitas[2]}
	push := mustJSON(t, doc)
	require.Contains(t, push, `"legalitas":{"1":{`)
	a := g.post(t, "/v1/kl/rba/receiveNIB", push)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Empty(t, a.Header.Get("X-PIA-Validation"))
	assert.Equal(t, want, string(kld.last(t).Body))
}

// defaults fronts both sides with the gateway's defaults, logging JSON to
// logFile.
func defaults(oss, kld, logFile, extra string, log ...string) string {
	log = append([]string{"output file " + logFile, "format json"}, log...)
	return globalOptionsLogging("{admin}", log...) + fmt.Sprintf(`{listen} {
	pia {
		oss %s
		kld %s
		%s
	}
}`, oss, kld, extra)
}

// TestOSSPushesAreNeverLostOverADeviation: the methods OSS calls default
// to report mode (policy report-mode-for-oss-pushes): the K/L/D application
// gets the push, the violations go to X-PIA-Validation, the log and the
// metrics. K/L/D → OSS methods stay enforced; both are configurable per
// method.
func TestOSSPushesAreNeverLostOverADeviation(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	g := startGateway(t, defaults(oss.addr(), kld.addr(), logFile, ""))

	// A real OSS push: an id_izin longer than documented, a code outside
	// the Lampiran.
	push := `{"receiveFileDS":{"id_izin":"I-2021121717091582431060001","nib":"8120000000001","file_izin":"https://oss.go.id/ds/izin.pdf"}}`
	a := g.post(t, "/v1/kl/rba/receiveFileDS", push)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, push, string(kld.last(t).Body), "the application gets OSS's push as sent")
	assert.Equal(t, `receiveFileDS.id_izin maxLength got="I-2021121717091582431060001"`, a.Header.Get("X-PIA-Validation"))

	b := g.metrics(t)
	assert.Contains(t, b, `caddy_pia_validation_failures_total{method="receiveFileDS",mode="report"} 1`)
	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Contains(t, string(logs), `receiveFileDS.id_izin: panjang maksimal 25 karakter, diterima 27`, "the violation is in the log")

	bad := strings.Replace(validLicense, `"nib":"8120000000001"`, `"nib":"812000000000123"`, 1)
	g.post(t, "/v1/kl/rba/receiveLicense", bad).envelope("responreceiveLicense", http.StatusBadRequest)

	g = startGateway(t, defaults(oss.addr(), kld.addr(), logFile, `method receiveFileDS {
			validation enforce
		}
		method receiveLicense {
			validation report
		}`))
	g.post(t, "/v1/kl/rba/receiveFileDS", push).envelope("responreceiveFileDS", http.StatusBadRequest)
	assert.Equal(t, http.StatusOK, g.post(t, "/v1/kl/rba/receiveLicense", bad).StatusCode, "per method, both ways")
}

// TestValidationHeaderIsBoundedASCII: X-PIA-Validation carries, for each
// violation it lists, the rule and the value received, in ASCII, within
// 1 KB, and says how many it left out (policy validation-header).
func TestValidationHeaderIsBoundedASCII(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), "validation report"))
	bad := strings.NewReplacer(`"nama_ttd":"Budi Santoso"`, `"nama_ttd":"`+strings.Repeat("Bédi Sañtoso ", 20)+`"`,
		`"status_izin":"50"`, `"status_izin":"99"`, `"nib":"8120000000001"`, `"nib":"812000000000123"`).Replace(validLicense)
	a := g.post(t, "/v1/kl/rba/receiveLicense", bad)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	h := a.Header.Get("X-PIA-Validation")
	assert.Contains(t, h, `IZINFINAL.nib maxLength got="812000000000123"`)
	assert.Contains(t, h, `IZINFINAL.nama_ttd maxLength got="B\u00e9di Sa\u00f1toso`, "non-ASCII is escaped")
	for i := 0; i < len(h); i++ {
		require.True(t, h[i] >= 0x20 && h[i] < 0x7f, "ASCII only: %q", h)
	}

	// Many violations: the header stays bounded and says how many it left out.
	// strict mode names every undeclared member: 60 of them.
	g = startGateway(t, enforcing(oss.addr(), "validation report\n\t\tstrict"))
	var members []string
	for i := 0; i < 60; i++ {
		members = append(members, fmt.Sprintf(`"kolom_tambahan_%02d":"nilai %d"`, i, i))
	}
	status := `{"IZINSTATUS":{"nib":"8120000000001","id_produk":"","id_proyek":"R-1","oss_id":"P-1","id_izin":"I-1","kd_izin":"033000000001",` +
		`"kd_instansi":"","kd_status":"50","tgl_status":"2023-01-20 10:00:00","nip_status":"1970","nama_status":"Budi","keterangan":"",` +
		strings.Join(members, ",") + `}}`
	a = g.post(t, "/v1/kl/rba/receiveLicenseStatus", status)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	h = a.Header.Get("X-PIA-Validation")
	assert.LessOrEqual(t, len(h), 1024)
	assert.Regexp(t, `; \(\+\d+ more\)$`, h, "says how many it left out")
}

// TestRoutingByLongestPrefix: the longest prefix wins whatever the order
// they are listed in; `prefix / /v1/kl/rba` serves the legacy OSS 1.1
// paths and the RBA paths; a prefix claims <prefix>/<method> exactly
// (policy routing-longest-prefix).
func TestRoutingByLongestPrefix(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), "prefix / /v1/kl/rba"))

	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/checkLicenseStatus", oss.last(t).Path)

	a = g.post(t, "/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/checkLicenseStatus", oss.last(t).Path, "the legacy OSS 1.1 path")
	a = g.post(t, "/receiveLicense", validLicense)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/receiveLicense", oss.last(t).Path)

	env := g.post(t, "/v1/kl/rba/receiveLicense/extra", validLicense).envelope("responreceiveLicense", http.StatusNotFound)
	assert.Equal(t, "Path /v1/kl/rba/receiveLicense/extra tidak dikenal", env["keterangan"])

	// The order they are listed in does not matter.
	g = startGateway(t, enforcing(oss.addr(), "prefix /v1/kl/rba /"))
	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/checkLicenseStatus", oss.last(t).Path)
}

// TestUnclaimedPathsGetA404Envelope: on a site where nothing answers after
// the gateway, as in Caddyfile.example and the README's setups, a path the
// gateway does not claim gets a 404 envelope, never Caddy's empty 200
// (policy unclaimed-path-404). A handler after it still serves its paths.
func TestUnclaimedPathsGetA404Envelope(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	env := g.post(t, "/v2/kl/rba/receiveLicense", validLicense).envelope("responreceiveLicense", http.StatusNotFound)
	assert.Equal(t, "Path /v2/kl/rba/receiveLicense tidak dikenal", env["keterangan"])
	a := g.call(t, http.MethodGet, "/", "")
	assert.Equal(t, http.StatusNotFound, a.StatusCode)
	assert.Contains(t, string(a.Body), `"kode":404`)
	assert.Empty(t, oss.received())

	g = startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	a = g.call(t, http.MethodGet, "/elsewhere", "")
	assert.Equal(t, 418, a.StatusCode, "a site's own handlers keep their paths")
}

// TestJSONUnderAnotherContentTypeIsAccepted: PHP's curl sends
// application/x-www-form-urlencoded unless told otherwise; a JSON body under
// it, under text/plain or with no Content-Type goes upstream as
// application/json. Multipart and the rest keep 415 (policy
// content-type-lenient). A body under such a type that starts as JSON and
// breaks is answered as a broken body, saying where it breaks.
func TestJSONUnderAnotherContentTypeIsAccepted(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain; charset=utf-8", ""} {
		a := g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Type", ct)
		require.Equal(t, http.StatusOK, a.StatusCode, "%q: %s", ct, a.Body)
		assert.Equal(t, "application/json", oss.last(t).Header.Get("Content-Type"), "%q", ct)
		assert.Equal(t, validLicense, string(oss.last(t).Body))
	}
	g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, "application/json; charset=utf-8", oss.last(t).Header.Get("Content-Type"), "a JSON type is left as sent")
	env := g.post(t, "/v1/kl/rba/receiveLicense", "nib=8120000000001&id_izin=I-1", "Content-Type", "application/x-www-form-urlencoded").
		envelope("responreceiveLicense", http.StatusUnsupportedMediaType)
	assert.Contains(t, env["keterangan"], "application/x-www-form-urlencoded")
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain"} {
		want := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"8120000000001",}}`).
			envelope("responreceiveLicense", http.StatusBadRequest)
		got := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"8120000000001",}}`, "Content-Type", ct).
			envelope("responreceiveLicense", http.StatusBadRequest)
		assert.Equal(t, want["keterangan"], got["keterangan"], "%s: a broken JSON body gets the broken-body answer", ct)
	}
	g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Type", "multipart/form-data; boundary=x").
		envelope("responreceiveLicense", http.StatusUnsupportedMediaType)
	g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Type", "application/xml").
		envelope("responreceiveLicense", http.StatusUnsupportedMediaType)
}

// TestABodyWithAByteOrderMarkIsReadWithoutIt: .NET's Encoding.UTF8 in a
// StreamWriter writes a UTF-8 byte order mark before the JSON; the body
// goes upstream without it, on a validating route, one that does not
// validate, and to sendSecurityKey (policy bom-dropped).
func TestABodyWithAByteOrderMarkIsReadWithoutIt(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	a := g.post(t, "/v1/kl/rba/receiveLicense", bom+validLicense)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, validLicense, string(oss.last(t).Body), "forwarded without the mark")
	g.post(t, "/v1/kl/rba/receiveLicense", bom).envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Len(t, oss.received(), 1, "a mark alone is an empty body")

	g = startGateway(t, authConfig(oss.addr(), freeAddr(t), t.TempDir(), "", ""))
	env := g.post(t, "/v1/kl/rba/sendSecurityKey", bom+`{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`).
		envelope("responsendSecurityKey", http.StatusOK)
	key, _ := env["key"].(string)
	require.NotEmpty(t, key)
	a = g.post(t, "/v1/kl/rba/receiveLicense", bom+`{"IZINFINAL":{}}`, "user_key", key)
	require.Equal(t, http.StatusOK, a.StatusCode, "validation off: %s", a.Body)
	assert.Equal(t, `{"IZINFINAL":{}}`, string(oss.last(t).Body))
}

// TestAKeyRequestUnderAnotherContentTypeIsAccepted: the PHP client whose
// calls go through as a form (policy content-type-lenient) gets its key
// the same way; form data itself is not a key request.
func TestAKeyRequestUnderAnotherContentTypeIsAccepted(t *testing.T) {
	g := startGateway(t, authConfig(freeAddr(t), freeAddr(t), t.TempDir(), "", ""))
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", ""} {
		env := g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`, "Content-Type", ct).
			envelope("responsendSecurityKey", http.StatusOK)
		assert.NotEmpty(t, env["key"], "%q", ct)
	}
	g.post(t, "/v1/kl/rba/sendSecurityKey", "user_akses=demo&pwd_akses=demo-secret", "Content-Type", "application/x-www-form-urlencoded").
		envelope("responsendSecurityKey", http.StatusUnsupportedMediaType)
	g.post(t, "/v1/kl/rba/sendSecurityKey", `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`, "Content-Type", "application/xml").
		envelope("responsendSecurityKey", http.StatusUnsupportedMediaType)
}

// TestACompressedBodyIsReadDecoded: a body sent gzip or deflate is read
// decoded, within max_body_size once decoded, and goes upstream as the JSON
// it holds; another coding is 415 naming those read (policy
// request-content-encoding).
func TestACompressedBodyIsReadDecoded(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), "max_body_size 4KB"))
	for _, coding := range []string{"gzip", "deflate", "x-gzip"} {
		a := g.post(t, "/v1/kl/rba/receiveLicense", compressed(coding, validLicense), "Content-Encoding", coding)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s: %s", coding, a.Body)
		got := oss.last(t)
		assert.Equal(t, validLicense, string(got.Body), coding)
		assert.Empty(t, got.Header.Get("Content-Encoding"), "%s: the upstream gets the JSON, said so", coding)
	}

	bomb := compressed("gzip", `{"IZINFINAL":{"nib":"`+strings.Repeat("1", 1<<20)+`"}}`)
	require.Less(t, len(bomb), 4<<10, "small on the wire")
	g.post(t, "/v1/kl/rba/receiveLicense", bomb, "Content-Encoding", "gzip").envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)

	// Sent chunked, so no length is announced: empty deflate blocks, which
	// decode to nothing, past max_body_size on the wire.
	empty := "\x78\x01" + strings.Repeat("\x00\x00\x00\xff\xff", 1000)
	a := g.raw(t, "POST /v1/kl/rba/receiveLicense HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(empty), empty))
	a.envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)
	a = g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Encoding", "identity")
	require.Equal(t, http.StatusOK, a.StatusCode, "identity is no coding: %s", a.Body)

	env := g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Encoding", "gzip").envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "Content-Encoding", "not what its coding says: %s", env["keterangan"])
	a = g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "Content-Encoding", "br")
	env = a.envelope("responreceiveLicense", http.StatusUnsupportedMediaType)
	assert.Contains(t, env["keterangan"], `"br"`)
	assert.Equal(t, "gzip, deflate", a.Header.Get("Accept-Encoding"), "the codings read (RFC 7694)")
	assert.Len(t, oss.received(), 4, "nothing refused reached the upstream")

	g = startGateway(t, authConfig(oss.addr(), freeAddr(t), t.TempDir(), "", ""))
	env = g.post(t, "/v1/kl/rba/sendSecurityKey", compressed("gzip", `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`), "Content-Encoding", "gzip").
		envelope("responsendSecurityKey", http.StatusOK)
	assert.NotEmpty(t, env["key"], "a key request too")
	big := `{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}` + strings.Repeat(" ", 64<<10)
	g.post(t, "/v1/kl/rba/sendSecurityKey", compressed("gzip", big), "Content-Encoding", "gzip").
		envelope("responsendSecurityKey", http.StatusRequestEntityTooLarge) // its own bound, 64 KiB, once decoded
	// Without a key, a compressed body is refused as a plain one is.
	g.post(t, "/v1/kl/rba/receiveLicense", bomb, "Content-Encoding", "gzip").envelope("responreceiveLicense", http.StatusUnauthorized)
	assert.Len(t, oss.received(), 4, "nor did it reach the upstream")
}

// TestADoubledSlashBeforeTheMethodIsOne: a base URL ending in / joined
// with /receiveLicense works against an OSS behind nginx, which merges
// slashes; the upstream gets the method's own path (policy
// doubled-slash-before-method). A parameter stays one segment.
func TestADoubledSlashBeforeTheMethodIsOne(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	for path, want := range map[string]string{
		"/v1/kl/rba//receiveLicense":      "/v1/kl/rba/receiveLicense",
		"/stg/v1/kl/rba///receiveLicense": "/stg/v1/kl/rba/receiveLicense",
	} {
		a := g.post(t, path, `{"IZINFINAL":{}}`)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s: %s", path, a.Body)
		assert.Equal(t, want, oss.last(t).Path)
	}
	a := g.call(t, http.MethodGet, "/v1/kl/rba//inqueryCertificate/P-1", "")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/inqueryCertificate/P-1", oss.last(t).RawURI)
	g.call(t, http.MethodGet, "/v1/kl/rba/inqueryCertificate//P-1", "").envelope("responInqueryCertificate", http.StatusBadRequest)
}

// TestAMethodNameInAnotherCaseIsNamed: receivelicense is refused (method
// names are matched as the PIA spells them), and the answer names the method
// meant.
func TestAMethodNameInAnotherCaseIsNamed(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	env := g.post(t, "/v1/kl/rba/receivelicense", `{"IZINFINAL":{}}`).envelope("responreceivelicense", http.StatusNotFound)
	assert.Contains(t, env["keterangan"], "maksudnya receiveLicense?")
	env = g.post(t, "/v1/kl/rba/checklisensestatus", `{}`).envelope("responchecklisensestatus", http.StatusNotFound)
	assert.Contains(t, env["keterangan"], "maksudnya checkLisenseStatus?", "an alias is named as it is spelt")
	env = g.post(t, "/v1/kl/rba/laporanKegiatan", `{}`).envelope("responlaporanKegiatan", http.StatusNotFound)
	assert.NotContains(t, env["keterangan"], "maksudnya", "no method is meant")
	assert.Empty(t, oss.received())
}

// TestAnswersForOlderClientsKeepFieldsTheyDoNotKnow: inqueryNIB's
// data_checklist[].data_teknis, new in 4.3.16, reaches a 4.3.12 client
// (policy transform-response-keeps-fields); renames still apply.
func TestAnswersForOlderClientsKeepFieldsTheyDoNotKnow(t *testing.T) {
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"responinqueryNIB":{"kode":200,"keterangan":"Sukses","dataNIB":{"nib":"8120000000001","skala_usaha":"01",`+
			`"data_checklist":[{"id_izin":"I-1","data_teknis":{"luas_bangunan":"120"}}]}}}`)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	a := g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"nib":"8120000000001"}}`, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Contains(t, string(a.Body), `"data_teknis":{"luas_bangunan":"120"}`)
	assert.Contains(t, string(a.Body), `"skala_usaha":"01"`)
}

// TestMessagesAnOperatorCanActOn: an unknown X-PIA-Version lists the
// supported versions; the document-history versions without a snapshot
// are served as the snapshot holding their changes (policy
// history-versions); a custom method without a schema warns at load.
func TestMessagesAnOperatorCanActOn(t *testing.T) {
	oss := newUpstream(t, nil)
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	// At DEBUG: the lines below say which version a request forwarded as
	// sent was served as.
	g := startGateway(t, defaults(oss.addr(), freeAddr(t), logFile, `method laporanKegiatan {
			side oss
		}`, "level DEBUG"))

	env := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.4.0").
		envelope("responcheckLicenseStatus", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], `Versi PIA "4.4.0" tidak dikenal (versi yang didukung: 4.3.12, 4.3.16, 4.3.17, 4.3.18, 4.3.19, 4.3.20, 4.3.21, 4.3.22; juga versi riwayat dokumen 3.0.0 s.d. 4.3.15`)

	// 4.3.14 (inqueryNIB by npwp) first appears in the 4.3.16 snapshot.
	a := g.post(t, "/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"npwp":"012345678901000"}}`, "X-PIA-Version", "4.3.14")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, `{"INQUERYNIB":{"npwp":"012345678901000"}}`, string(oss.last(t).Body))

	a = g.post(t, "/v1/kl/rba/laporanKegiatan", `{"x":1}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Contains(t, string(logs), `custom method declared without a schema`)
	assert.Contains(t, string(logs), `"method":"laporanKegiatan"`)
	assert.Regexp(t, `"method":"inqueryNIB".*"client_version":"4.3.16"`, string(logs), "4.3.14 is served as 4.3.16")

	// A history version configured as the clients' default loads and is
	// served as its snapshot too.
	g = startGateway(t, defaults(oss.addr(), freeAddr(t), logFile, "client_version 4.3.13", "level DEBUG"))
	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	logs, err = os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Regexp(t, `"method":"checkLicenseStatus".*"client_version":"4.3.16"`, string(logs))
}

// TestAPHPBodyIsMendedOnlyOnceItsCallerIsKnown: the body a PHP client
// writes (a number for the NIB, a code that lost its zero, [] for an
// object) is mended and forwarded with a key; without one it is refused
// 401 before it is read, over max_body_size 413, and broken 400, and none
// of them reaches OSS.
func TestAPHPBodyIsMendedOnlyOnceItsCallerIsKnown(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", `max_body_size 2KB
		method receiveLicense {
			validation enforce
		}`))
	key := g.getKey(t, "demo", "demo-secret")
	php := strings.Replace(strings.Replace(validLicense, `"nib":"8120000000001"`, `"nib":8120000000001`, 1),
		`"status_izin":"50"`, `"status_izin":5,"data_teknis":[]`, 1)

	a := g.post(t, "/v1/kl/rba/receiveLicense", php, "user_key", key)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"05","data_teknis":{}`, 1), string(oss.last(t).Body))

	g.post(t, "/v1/kl/rba/receiveLicense", php).envelope("responreceiveLicense", http.StatusUnauthorized)
	g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(php, `"data_teknis":[]`, `"data_teknis":[`, 1), "user_key", key).
		envelope("responreceiveLicense", http.StatusBadRequest)
	g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(php, `"data_teknis":[]`, `"data_teknis":[],"x":"`+strings.Repeat("a", 2048)+`"`, 1), "user_key", key).
		envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)
	assert.Len(t, oss.received(), 1, "only the call with its key reached OSS")
}

// TestABodyInAnotherCharsetIsReadOnlyOnceItsCallerIsKnown: a windows-1252
// or UTF-16 body is read in its charset only after the key (policy
// body-charset): without one it is 401, as any call, and so is a charset
// the gateway would refuse; max_body_size bounds the bytes as sent, so
// UTF-16, twice the size of its UTF-8, is refused where its UTF-8 would
// pass; a broken body in windows-1252 is named where it breaks. Only the
// call with its key reaches OSS.
func TestABodyInAnotherCharsetIsReadOnlyOnceItsCallerIsKnown(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, authConfig(oss.addr(), kld.addr(), t.TempDir(), "", `max_body_size 2KB
		method receiveLicense {
			validation enforce
		}`))
	key := g.getKey(t, "demo", "demo-secret")
	latin := strings.Replace(validLicense, `"nama_ttd":"Budi Santoso"`, "\"nama_ttd\":\"Jos\xe9 Santoso\"", 1)
	const java = "text/plain; charset=ISO-8859-1"

	a := g.post(t, "/v1/kl/rba/receiveLicense", latin, "Content-Type", java, "user_key", key)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, strings.Replace(validLicense, "Budi Santoso", "José Santoso", 1), string(oss.last(t).Body))

	g.post(t, "/v1/kl/rba/receiveLicense", latin, "Content-Type", java).envelope("responreceiveLicense", http.StatusUnauthorized)
	g.post(t, "/v1/kl/rba/receiveLicense", latin, "Content-Type", "application/json; charset=Shift_JIS").
		envelope("responreceiveLicense", http.StatusUnauthorized)
	env := g.post(t, "/v1/kl/rba/receiveLicense", strings.Replace(latin, `"status_izin":"50"`, `"status_izin":"50",`, 1), "Content-Type", java, "user_key", key).
		envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "Body bukan JSON yang valid di IZINFINAL, setelah")
	big := strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","x":"`+strings.Repeat("a", 700)+`"`, 1)
	require.Less(t, len(big), 2048)
	g.post(t, "/v1/kl/rba/receiveLicense", utf16Of(big, binary.LittleEndian, true), "user_key", key).
		envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)
	assert.Len(t, oss.received(), 1, "only the call with its key reached OSS")
}

// utf16Of is s in UTF-16 in the byte order given, as .NET's Encoding.Unicode
// (little-endian) and Encoding.BigEndianUnicode write it, behind a byte
// order mark when bom is set.
func utf16Of(s string, order binary.ByteOrder, bom bool) string {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	b := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(b[2*i:], u)
	}
	return string(b)
}

// TestABodyInAnotherCharsetIsReadInIt: a Java client's default ISO-8859-1
// (Apache HttpClient's StringEntity sends text/plain; charset=ISO-8859-1)
// or a Windows application's windows-1252, stated in the Content-Type, and
// UTF-16 as .NET's Encoding.Unicode writes it, are read in their characters
// and reach OSS as the same characters in UTF-8; a body that is not UTF-8
// under no stated charset is refused, naming the byte; a UTF-8 body
// labelled ISO-8859-1 is read as UTF-8, and OSS is no longer told
// otherwise (policy body-charset).
func TestABodyInAnotherCharsetIsReadInIt(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	const path = "/v1/kl/rba/receiveLicense"
	signed := func(name string) string {
		return strings.Replace(validLicense, `"nama_ttd":"Budi Santoso"`, `"nama_ttd":"`+name+`"`, 1)
	}
	inUTF8 := signed("José Ramos–Horta")
	in1252 := signed("Jos\xe9 Ramos\x96Horta")
	forwarded := func(what string) {
		t.Helper()
		got := oss.last(t)
		assert.Equal(t, inUTF8, string(got.Body), "%s: the same characters, in UTF-8", what)
		assert.Equal(t, "application/json", got.Header.Get("Content-Type"), "%s: OSS is told what it gets", what)
	}

	for _, ct := range []string{"text/plain; charset=ISO-8859-1", "application/json; charset=windows-1252", "application/json;charset=latin1"} {
		a := g.post(t, path, in1252, "Content-Type", ct)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s: %s", ct, a.Body)
		forwarded(ct)
	}
	a := g.post(t, path, inUTF8, "Content-Type", "application/json; charset=ISO-8859-1")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	forwarded("UTF-8 labelled ISO-8859-1")

	for _, sent := range []struct {
		name, body string
	}{
		{"little-endian", utf16Of(inUTF8, binary.LittleEndian, false)},
		{"little-endian behind its mark", utf16Of(inUTF8, binary.LittleEndian, true)},
		{"big-endian behind its mark", utf16Of(inUTF8, binary.BigEndian, true)},
		{"big-endian", utf16Of(inUTF8, binary.BigEndian, false)},
	} {
		a := g.post(t, path, sent.body, "Content-Type", "application/json; charset=utf-16")
		require.Equal(t, http.StatusOK, a.StatusCode, "UTF-16 %s: %s", sent.name, a.Body)
		forwarded("UTF-16 " + sent.name)
	}
	a = g.post(t, path, utf16Of(inUTF8, binary.LittleEndian, false), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, a.StatusCode, "UTF-16 is told by its bytes, whatever the label: %s", a.Body)
	forwarded("UTF-16 labelled nothing")
	accepted := len(oss.received())

	at := strings.IndexByte(in1252, 0xe9)
	env := g.post(t, path, in1252, "Content-Type", "application/json").envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Equal(t, fmt.Sprintf("Body bukan UTF-8 yang valid: byte 0xE9 pada posisi %d; kirim UTF-8, atau nyatakan pengkodean body di Content-Type (mis. application/json; charset=windows-1252)", at), env["keterangan"])
	env = g.post(t, path, in1252, "Content-Type", "application/json; charset=Shift_JIS").envelope("responreceiveLicense", http.StatusUnsupportedMediaType)
	assert.Contains(t, env["keterangan"], `charset "shift_jis" tidak didukung`)
	lone := utf16Of(`{"IZINFINAL":{"nama_ttd":"`, binary.LittleEndian, false) + "\x00\xd8" + utf16Of(`"}}`, binary.LittleEndian, false)
	env = g.post(t, path, lone, "Content-Type", "application/json; charset=utf-16").envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Equal(t, fmt.Sprintf("Body bukan UTF-16 yang valid pada posisi %d", 2*len(`{"IZINFINAL":{"nama_ttd":"`)), env["keterangan"])
	assert.Len(t, oss.received(), accepted, "nothing refused reaches OSS")

	// A key asked for in UTF-16 is issued like one asked for in UTF-8.
	g = startGateway(t, authConfig(oss.addr(), freeAddr(t), t.TempDir(), "", ""))
	env = g.post(t, "/v1/kl/rba/sendSecurityKey", utf16Of(`{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`, binary.LittleEndian, true)).
		envelope("responsendSecurityKey", http.StatusOK)
	assert.NotEmpty(t, env["key"])
}

// TestAPushWaitsForAnAgencyApplicationThatIsRestarting: with the kld
// block's lb_try_duration, as Caddyfile.example sets it, a push OSS makes
// while the agency's application is not yet accepting connections reaches
// it once it does, whole and once (reverse_proxy tries a POST again only
// when no connection was opened, and the gateway hands it the body to read
// again); past the duration it is the 502 envelope.
func TestAPushWaitsForAnAgencyApplicationThatIsRestarting(t *testing.T) {
	kldAddr := freeAddr(t)
	g := startGateway(t, routingConfig(freeAddr(t), kldAddr+` {
			lb_try_duration 5s
			lb_try_interval 50ms
		}`, ""))
	push := `{"dataNIB":{"nib":"8120000000001","catatan":"` + strings.Repeat("x", 5000) + `"}}`
	var kld *recorder
	started := make(chan struct{})
	go func() {
		defer close(started)
		time.Sleep(500 * time.Millisecond) // the application comes back
		l, err := net.Listen("tcp", kldAddr)
		if err != nil {
			return
		}
		kld = upstreamOn(t, l, nil)
	}()
	a := g.post(t, "/v1/kl/rba/receiveNIB", push)
	<-started
	require.NotNil(t, kld, "the application's address was taken meanwhile")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	require.Len(t, kld.received(), 1, "delivered once")
	assert.Equal(t, push, string(kld.last(t).Body), "whole")

	down := startGateway(t, routingConfig(freeAddr(t), freeAddr(t)+` {
			lb_try_duration 300ms
			lb_try_interval 50ms
		}`, ""))
	down.post(t, "/v1/kl/rba/receiveNIB", push).envelope("responreceiveNIB", http.StatusBadGateway)
}
