package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOldClientRequestIsUpgradedForTheUpstream(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))

	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"IZINSTATUS":{"id_izin":"I-202112171709158243106"}}`, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-202112171709158243106"}}`, string(oss.last(t).Body),
		"legacy IZINSTATUS root is renamed to CHECKLICENSESTATUS")
	assert.Equal(t, "4.3.20", oss.last(t).Header.Get("X-PIA-Version"))

	a = g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"8120000000001","id_produk":"P-1","kewenangan":"01",
		"data_pnbp":{"kd_akun":"425111","kd_penerimaan":"1","nominal":1000}}}`, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"IZINFINAL":{"nib":"8120000000001"}}`, string(oss.last(t).Body),
		"fields 4.3.16 removed from receiveLicense do not reach a 4.3.20 OSS")

	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode)
	assert.Equal(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, string(oss.last(t).Body), "a client of the upstream's version passes byte for byte")
}

func TestOldClientWhoseBodyNoRuleActsOnPassesByteForByte(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, bothSides(freeAddr(t), kld.addr()))
	// The 4.3.20 sample (internal/pia/testdata), indented, from an OSS that
	// states 4.3.12: no rule between the two acts on it, so it goes on as
	// sent (validate.CarryAcross), not decoded and written anew.
	raw, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveNIB-4.3.20.json"))
	require.NoError(t, err)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, raw, "", "  "))
	a := g.post(t, "/v1/kl/rba/receiveNIB", indented.String(), "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Empty(t, a.Header.Get("X-PIA-Validation"))
	assert.Equal(t, indented.String(), string(kld.last(t).Body), "forwarded byte for byte")
	assert.Equal(t, "4.3.20", kld.last(t).Header.Get("X-PIA-Version"))

	// The same body with a kbli written as 4.3.12 has it, a string: the
	// retype of 4.3.19 acts, so the body is carried on its tree.
	var doc map[string]any
	decodeNumbers(t, raw, &doc)
	proyek := doc["dataNIB"].(map[string]any)["data_proyek"].([]any)[0].(map[string]any)
	proyek["kbli"] = "62010"
	old, err := json.Marshal(doc)
	require.NoError(t, err)
	a = g.post(t, "/v1/kl/rba/receiveNIB", string(old), "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := jsonBody(t, kld.last(t))
	assert.Equal(t, float64(62010), got["dataNIB"].(map[string]any)["data_proyek"].([]any)[0].(map[string]any)["kbli"],
		"retyped to the number 4.3.20 documents")
}

// TestOldClientsRemovedMembersAreCutFromTheBytes: a 4.3.12 client's
// receiveLicense holds three members 4.3.16 removed; it is otherwise what
// 4.3.20 wants, so it goes on as sent less those members, each with its
// separator, not decoded and written anew (policy carried-on-the-bytes).
func TestOldClientsRemovedMembersAreCutFromTheBytes(t *testing.T) {
	for _, validation := range []string{"enforce", "off"} {
		t.Run("validation "+validation, func(t *testing.T) {
			oldClientsRemovedMembersAreCutFromTheBytes(t, validation)
		})
	}
}

func oldClientsRemovedMembersAreCutFromTheBytes(t *testing.T, validation string) {
	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		validation %s
		max_body_size 4KB
		oss %s
	}
}`, validation, oss.addr()))
	// The load test's 4.3.12 sample (internal/pia/testdata), indented and
	// its removed members moved first and last, so that a body written
	// anew could not pass for it.
	raw, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveLicense-4.3.12.json"))
	require.NoError(t, err)
	sent := strings.Replace(string(raw), `"data_pnbp":[],`, ``, 1)
	sent = strings.Replace(sent, `{"IZINFINAL":{`, `{"IZINFINAL":{"data_pnbp":[{"nominal":1000}],`, 1)
	sent = strings.Replace(sent, `"kewenangan":"",`, ``, 1)
	sent = strings.Replace(sent, `}}`, `,"kewenangan":"01"}}`, 1)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, []byte(sent), "", "  "))
	want := indented.String()
	for _, m := range []string{"\n    \"data_pnbp\": [\n      {\n        \"nominal\": 1000\n      }\n    ],", "\n    \"id_produk\": \"\",", ",\n    \"kewenangan\": \"01\""} {
		require.Contains(t, want, m)
		want = strings.Replace(want, m, "", 1)
	}

	a := g.post(t, "/v1/kl/rba/receiveLicense", indented.String(), "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Empty(t, a.Header.Get("X-PIA-Validation"))
	assert.Equal(t, want, string(oss.last(t).Body))
	assert.Equal(t, "4.3.20", oss.last(t).Header.Get("X-PIA-Version"))
	assert.Contains(t, g.metrics(t), `caddy_pia_transforms_total{direction="request",method="receiveLicense"} 3`,
		"each removal is counted as a rule applied")

	// What would be cut is read as the decoder reads it: broken, or named
	// twice, the body is refused as any other, in the strict decoder's
	// words; too large, it is refused before it is read. None reaches OSS.
	forwarded := len(oss.received())
	for _, c := range []struct{ name, body, says string }{
		{"a removed member's value broken", strings.Replace(sent, `"nominal":1000}`, `"nominal":1000,}`, 1), "Body bukan JSON yang valid di IZINFINAL.data_pnbp[0], setelah"},
		{"a removed member named twice", strings.Replace(sent, `"kewenangan":"01"`, `"kewenangan":"01","kewenangan":"02"`, 1), "IZINFINAL.kewenangan"},
	} {
		require.NotEqual(t, sent, c.body, c.name)
		env := g.post(t, "/v1/kl/rba/receiveLicense", c.body, "X-PIA-Version", "4.3.12").envelope("responreceiveLicense", http.StatusBadRequest)
		assert.Contains(t, env["keterangan"], c.says, c.name)
	}
	big := strings.Replace(sent, `"kewenangan":"01"`, `"kewenangan":"`+strings.Repeat("x", 5000)+`"`, 1)
	g.post(t, "/v1/kl/rba/receiveLicense", big, "X-PIA-Version", "4.3.12").envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)
	assert.Len(t, oss.received(), forwarded, "nothing refused reached OSS")
}

// TestAnOSSPushTheRulesCannotFullyCarryIsForwardedAndReported: a
// receiveNIB from an OSS stating 4.3.12 lacks what 4.3.16 made mandatory
// and no rule can derive; in report mode, the methods OSS calls by
// default, it goes on carried as far as the rules go, the gaps reported
// (policy report-mode-carries-what-it-can); in enforce mode it is refused.
func TestAnOSSPushTheRulesCannotFullyCarryIsForwardedAndReported(t *testing.T) {
	config := func(kld, mode string) string {
		return fmt.Sprintf(`
{listen} {
	pia {
		%s
		oss %s
		kld %s
	}
}`, mode, freeAddr(t), kld)
	}
	// The 4.3.20 sample (internal/pia/testdata) without what 4.3.16 added:
	// one field with the default 4.3.16 documents, two without one.
	raw, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveNIB-4.3.20.json"))
	require.NoError(t, err)
	var doc map[string]any
	decodeNumbers(t, raw, &doc)
	for _, f := range []string{"flag_perubahan_data_teknis", "skala_usaha", "jenis_perubahan_terakhir"} {
		delete(doc["dataNIB"].(map[string]any), f)
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	push := string(b)

	kld := newUpstream(t, nil)
	g := startGateway(t, config(kld.addr(), ""))
	a := g.post(t, "/v1/kl/rba/receiveNIB", push, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "the push is not lost: %s", a.Body)
	report := a.Header.Get("X-PIA-Validation")
	assert.Contains(t, report, "dataNIB.skala_usaha required", "what the rules could not fill is reported")
	assert.Equal(t, 1, strings.Count(report, "dataNIB.skala_usaha "), "once, though the plan misses it too: %s", report)
	got := jsonBody(t, kld.last(t))["dataNIB"].(map[string]any)
	assert.Equal(t, "N", got["flag_perubahan_data_teknis"], "carried as far as the rules go: the default 4.3.16 documents")
	assert.NotContains(t, got, "skala_usaha", "nothing made up for it")
	assert.Equal(t, "4.3.20", kld.last(t).Header.Get("X-PIA-Version"))

	kld = newUpstream(t, nil)
	g = startGateway(t, config(kld.addr(), "validation enforce"))
	env := g.post(t, "/v1/kl/rba/receiveNIB", push, "X-PIA-Version", "4.3.12").envelope("responreceiveNIB", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "dataNIB.skala_usaha")
	assert.Empty(t, kld.received(), "enforce refuses it")
}

func TestResponseIsDowngradedForAnOldClient(t *testing.T) {
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001",
			"id_proyek":"R-1","id_izin":"I-1","kd_status":"50","uraian_status":"Izin terbit","file_lampiran":"https://oss/lampiran.pdf"}}}`)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"))

	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001",
		"id_proyek":"R-1","id_izin":"I-1","kd_status":"50","uraian_status":"Izin terbit"}}}`, string(a.Body),
		"with strip_response_fields, file_lampiran, added to the response in 4.3.20, is not sent to a 4.3.19 client")
	assert.Equal(t, fmt.Sprint(len(a.Body)), a.Header.Get("Content-Length"))

	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	assert.Contains(t, string(a.Body), "file_lampiran", "a 4.3.20 client gets the answer untouched")
}

// TestACompressedAnswerIsStillCarried: most HTTP clients send
// Accept-Encoding, and an upstream that compresses its answers then
// compressed the one the gateway had to carry, which went out uncarried.
// The upstream is not asked with the client's Accept-Encoding for an answer
// to be carried (the transport asks for gzip and undoes it), and one
// compressed all the same is read decoded (policy
// carried-answer-uncompressed).
func TestACompressedAnswerIsStillCarried(t *testing.T) {
	const answer = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001","file_lampiran":"https://oss/lampiran.pdf"}}}`
	const carried = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001"}}}`
	write := func(w http.ResponseWriter, coding string) {
		w.Header().Set("Content-Encoding", coding)
		if coding == "br" { // a coding the gateway does not read
			_, _ = io.WriteString(w, "brotli, as far as the gateway can tell")
			return
		}
		_, _ = io.WriteString(w, compressed(coding, answer))
	}
	for _, upstream := range []struct {
		name string
		// always: the coding of every answer, whatever was asked
		always string
	}{{"compressing as asked", ""}, {"deflating always", "deflate"}} {
		t.Run(upstream.name, func(t *testing.T) {
			oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.Header().Set("Content-Type", "application/json")
				switch ae := r.Header.Get("Accept-Encoding"); {
				case upstream.always != "":
					write(w, upstream.always)
				case strings.HasPrefix(ae, "br"), strings.HasPrefix(ae, "gzip"):
					write(w, strings.SplitN(ae, ",", 2)[0])
				default:
					fmt.Fprint(w, answer)
				}
			})
			g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"))
			// Sent as a client sends it, and read as it comes (no
			// transparent decoding by the test's client).
			for _, ae := range []string{"gzip", "br"} {
				a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19", "Accept-Encoding", ae)
				require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
				assert.Empty(t, a.Header.Get("Content-Encoding"), ae)
				assert.JSONEq(t, carried, string(a.Body), "%s: carried to 4.3.19", ae)
			}
			a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "Accept-Encoding", "gzip")
			assert.NotEmpty(t, a.Header.Get("Content-Encoding"), "a 4.3.20 client gets the answer as the upstream wrote it")
		})
	}
}

// TestAJSONAnswerUnderAnotherTypeIsStillCarried: a PHP application that
// answers with echo json_encode(...) sends text/html unless it says
// otherwise; its answer is carried like any JSON one, and one that is not
// JSON goes out as written (policy answer-type-lenient). An answer behind a
// byte order mark, as .NET writes it, is carried too (policy bom-dropped).
func TestAJSONAnswerUnderAnotherTypeIsStillCarried(t *testing.T) {
	const sent = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001","file_lampiran":"https://oss/lampiran.pdf"}}}`
	const carried = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"8120000000001"}}}`
	var contentType, body string
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header()["Content-Type"] = []string{contentType}
		if contentType == "" {
			w.Header()["Content-Type"] = nil // no type at all, not one net/http sniffs
		}
		fmt.Fprint(w, body)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"))
	call := func() *answer {
		return g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
	}
	for _, contentType = range []string{"text/html; charset=UTF-8", "text/plain", "", "application/json"} {
		for _, body = range []string{sent, "\xef\xbb\xbf" + sent} { // as written, and as .NET writes it
			a := call()
			require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
			assert.JSONEq(t, carried, string(a.Body), "%q: carried to 4.3.19", contentType)
		}
	}
	contentType, body = "text/html; charset=UTF-8", "<html><body>Sukses</body></html>"
	assert.Equal(t, body, string(call().Body), "not JSON: as the upstream wrote it")
	contentType, body = "application/xml", sent
	assert.Equal(t, body, string(call().Body), "another type: as the upstream wrote it")
}

// TestAnAnswerInAnotherCharsetIsCarriedInIt: an upstream answering in
// windows-1252 and saying so gets its answer carried in the same
// characters, in UTF-8 and labelled so; one that is not UTF-8 and says
// nothing of it goes out as written, where decoding it would have made its
// characters U+FFFD (policy body-charset).
func TestAnAnswerInAnotherCharsetIsCarriedInIt(t *testing.T) {
	const sent = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses ` + "\x96" + ` terkirim","dataIZIN":{"nib":"8120000000001","file_lampiran":"https://oss/lampiran.pdf"}}}`
	const carried = `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses – terkirim","dataIZIN":{"nib":"8120000000001"}}}`
	var contentType string
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, sent)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"))
	call := func() *answer {
		return g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
	}
	for _, contentType = range []string{"application/json; charset=windows-1252", "text/html; charset=ISO-8859-1"} {
		a := call()
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assert.JSONEq(t, carried, string(a.Body), "%q: carried to 4.3.19", contentType)
		assert.Equal(t, "application/json; charset=utf-8", a.Header.Get("Content-Type"))
	}
	contentType = "application/json"
	a := call()
	assert.Equal(t, sent, string(a.Body), "not UTF-8, not said: as the upstream wrote it")
	assert.Equal(t, contentType, a.Header.Get("Content-Type"))
}

func TestOSSCallDowngradedForAnOlderKLDApp(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, routingConfig(freeAddr(t), kld.addr()+` {
			version 4.3.16
		}`, ""))
	// OSS speaks 4.3.20: receiveNIBKKPR's kbli became a number in 4.3.19;
	// a 4.3.16 app expects the string it knew.
	a := g.post(t, "/v1/kl/rba/receiveNIBKKPR", `{"dataNIB":{"nib":"8120000000001","data_proyek":[{"kbli":62010,"data_proyek_produk":[{"kbli":62010}]}]}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	body := jsonBody(t, kld.last(t))
	proyek := body["dataNIB"].(map[string]any)["data_proyek"].([]any)[0].(map[string]any)
	assert.Equal(t, "62010", proyek["kbli"], "retyped back to the string 4.3.16 documents")
	assert.Equal(t, "4.3.16", kld.last(t).Header.Get("X-PIA-Version"))
}

func TestUntransformablePayloadIs400NamingTheField(t *testing.T) {
	kld := newUpstream(t, nil)
	g := startGateway(t, routingConfig(freeAddr(t), kld.addr(), ""))
	a := g.post(t, "/v1/kl/rba/receiveNIBKKPR", `{"dataNIB":{"nib":"8120000000001","data_proyek":[{"jumlah_tka_l":"12a"}]}}`, "X-PIA-Version", "4.3.16")
	env := a.envelope("responreceiveNIBKKPR", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "dataNIB.data_proyek[0].jumlah_tka_l")
	errs, _ := env["errors"].([]any)
	require.NotEmpty(t, errs)
	found := false
	for _, e := range errs {
		if e.(map[string]any)["field"] == "/dataNIB/data_proyek/0/jumlah_tka_l" {
			found = true
		}
	}
	assert.True(t, found, "errors name the field as a JSON pointer: %s", a.Body)
	assert.Empty(t, kld.received(), "nothing half-rewritten reaches the upstream")
}

func TestClientVersionFromTheTokenWinsOverTheHeader(t *testing.T) {
	oss := newUpstream(t, nil)
	cfg := authConfig(oss.addr(), freeAddr(t), t.TempDir(), `client lama {
				user_akses lama
				password `+demoHash+`
				version 4.3.12
			}`, "")
	g := startGateway(t, cfg)
	key := g.getKey(t, "lama", "demo-secret")
	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"IZINSTATUS":{"id_izin":"I-1"}}`, "user_key", key, "X-PIA-Version", "4.3.20")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, string(oss.last(t).Body), "the client's configured version decides")
}

// 4.3.21 and 4.3.22 are built in: receiveLegal, which 4.3.22 no longer
// documents, is 410 for an OSS speaking it, and Lampiran 18's renumbering
// (11-23 to 01-04 in 4.3.21) reaches a K/L/D app of the new numbering.
func TestTheNewestPublishedVersionsWorkOutOfTheBox(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr()+` {
			version 4.3.22
		}`, kld.addr()+` {
			version 4.3.21
		}`, ""))

	g.post(t, "/v1/kl/rba/receiveLegal", `{"AKTA":{"id_perusahaan":"1"}}`).envelope("responreceiveLegal", http.StatusGone)
	assert.Empty(t, oss.received())

	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-202111181604410530001"}}`, "X-PIA-Version", "4.3.20")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "4.3.22", oss.last(t).Header.Get("X-PIA-Version"))

	a = g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000001","jenis_pelaku_usaha":"16"}}`, "X-PIA-Version", "4.3.20")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := jsonBody(t, kld.last(t))["dataNIB"].(map[string]any)
	assert.Equal(t, "03", got["jenis_pelaku_usaha"], "Perwakilan (KPPA) is a Kantor Perwakilan from 4.3.21")
}

// What the gateway quotes back from a request is clipped by characters,
// never inside one (policy one-clipping): an X-PIA-Version of 151
// characters, 301 bytes, is quoted whole and stays valid UTF-8.
func TestAQuotedValueIsClippedByCharacters(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))

	sent := "a" + strings.Repeat("é", 150)
	env := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", sent).
		envelope("responcheckLicenseStatus", http.StatusBadRequest)
	text, _ := env["keterangan"].(string)
	assert.True(t, utf8.ValidString(text))
	assert.Contains(t, text, `Versi PIA "`+sent+`" tidak dikenal`)

	long := strings.Repeat("é", 250)
	env = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", long).
		envelope("responcheckLicenseStatus", http.StatusBadRequest)
	text, _ = env["keterangan"].(string)
	assert.Contains(t, text, `Versi PIA "`+strings.Repeat("é", 200)+`…" tidak dikenal`, "200 characters, then the cut")

	// Where a broken body breaks, and a member named twice, are quoted the
	// same way: a member's name is the client's.
	e := startGateway(t, enforcing(oss.addr(), ""))
	name := strings.Repeat("é", 250)
	clipped := string([]rune("IZINFINAL." + name)[:200]) + "…"
	for body, says := range map[string]string{
		`{"IZINFINAL":{"` + name + `":tru}}`:                "Body bukan JSON yang valid di " + clipped + ", setelah",
		`{"IZINFINAL":{"` + name + `":1,"` + name + `":2}}`: "anggota " + clipped + " muncul",
	} {
		env = e.post(t, "/v1/kl/rba/receiveLicense", body).envelope("responreceiveLicense", http.StatusBadRequest)
		text, _ = env["keterangan"].(string)
		assert.Contains(t, text, says)
	}
}

// TestACarriedBodyIsWrittenAsEncodingJSONWritesIt: a body the version rules
// act on goes on re-encoded (jsonbody.AppendJSON), request and answer alike,
// in exactly the bytes encoding/json without HTML escaping writes for its
// tree: members sorted, & < > as they are, U+2028, quotes, backslashes and
// control characters escaped, numbers as written.
func TestACarriedBodyIsWrittenAsEncodingJSONWritesIt(t *testing.T) {
	const text = "a&b <i>\u2028\t\"q\"\\ é"
	const written = `"a&b <i>\u2028\t\"q\"\\ é"`
	quoted, err := json.Marshal(text) // HTML-escaped: \u0026, \u003c
	require.NoError(t, err)
	require.NotContains(t, string(quoted), "&", "the client sends & escaped")
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"responcheckLicenseStatus":{"kode":200,"keterangan":%s,"dataIZIN":{"uraian_status":%s,"nib":"8120000000001",
			"id_izin":"I-1","kd_status":"50","file_lampiran":"https://oss/lampiran.pdf?a=1&b=2"}}}`, quoted, quoted)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "strip_response_fields"))
	// encodingJSON is the gateway's encoder before jsonbody.AppendJSON.
	encodingJSON := func(body []byte) string {
		var doc any
		decodeNumbers(t, body, &doc)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(doc))
		return strings.TrimSuffix(b.String(), "\n")
	}

	// The 4.3.12 receiveLicense sample (internal/pia/testdata), which the
	// rules carry to 4.3.20, with the text in keterangan, that member's
	// name escaped and its month sent as text, which normalising makes the
	// number 4.3.12 documents: a body carried on its tree, not on the bytes
	// (a name in escapes is the tree's to read).
	raw, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveLicense-4.3.12.json"))
	require.NoError(t, err)
	var doc map[string]any
	decodeNumbers(t, raw, &doc)
	doc["IZINFINAL"].(map[string]any)["keterangan"] = text
	doc["IZINFINAL"].(map[string]any)["bln_berlaku_izin"] = "77777"
	body, err := json.Marshal(doc)
	require.NoError(t, err)
	body = bytes.Replace(body, []byte(`"keterangan":`), []byte(`"k\u0065terangan":`), 1)
	a := g.post(t, "/v1/kl/rba/receiveLicense", string(body), "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := oss.last(t).Body
	assert.NotEqual(t, string(body), string(got), "the body was carried, not forwarded as sent")
	assert.Equal(t, encodingJSON(got), string(got), "encoding/json's bytes")
	assert.Contains(t, string(got), `"keterangan":`+written)
	assert.Contains(t, string(got), `"bln_berlaku_izin":77777`)

	// The answer, carried down to a 4.3.19 client without file_lampiran.
	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.19")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.NotContains(t, string(a.Body), "file_lampiran", "the answer was carried")
	assert.Equal(t, encodingJSON(a.Body), string(a.Body), "encoding/json's bytes")
	assert.Contains(t, string(a.Body), `"keterangan":`+written)
	assert.Contains(t, string(a.Body), `"uraian_status":`+written)
	assert.Equal(t, fmt.Sprint(len(a.Body)), a.Header.Get("Content-Length"))
}

// decodeNumbers decodes JSON into v with numbers as json.Number, as the
// gateway's trees hold them.
func decodeNumbers(t *testing.T, raw []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	require.NoError(t, dec.Decode(v), "%s", raw)
}
