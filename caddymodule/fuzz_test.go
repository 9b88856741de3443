package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// fuzzMaxBody is the fuzzed gateway's max_body_size.
const fuzzMaxBody = 1 << 16

// fuzzGateway is a provisioned gateway whose upstreams are static
// responses, so the whole pipeline runs without a network.
func fuzzGateway(t testing.TB) *Gateway {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	static := json.RawMessage(`{"handler":"static_response","status_code":200,"headers":{"Content-Type":["application/json"]},` +
		`"body":"{\"responcheckLicenseStatus\":{\"kode\":200,\"keterangan\":\"Sukses\",\"dataIZIN\":{\"file_lampiran\":\"x\"}}}"}`)
	g := &Gateway{
		Upstreams: map[string]*Upstream{
			"oss": {ProxyRaw: static},
			"kld": {ProxyRaw: static, Version: "4.3.16"},
		},
		MaxBodySize: fuzzMaxBody,
		OSSToken:    &OSSTokenConfig{Username: "u", Password: "p"},
	}
	require.NoError(t, g.Provision(ctx))
	require.NoError(t, g.Validate())
	return g
}

// FuzzGateway sends arbitrary bodies, methods and versions through the
// pipeline: it never panics, and every answer the gateway makes itself is a
// well-formed envelope whose kode is the HTTP status, and the same body
// gzipped, or behind a UTF-8 byte order mark, gets the same answer.
func FuzzGateway(f *testing.F) {
	for _, v := range pia.Versions() {
		ex, err := piatest.Examples(v, "request")
		require.NoError(f, err)
		for _, e := range ex {
			f.Add(e.Method, v.String(), string(e.JSON))
		}
	}
	f.Add("receiveNIBKKPR", "4.3.16", `{"dataNIB":{"data_proyek":[{"jumlah_tka_l":"12a"}]}}`)
	f.Add("checkLicenseStatus", "4.3.19", `{"CHECKLICENSESTATUS":{"id_izin":"1"}}`)
	f.Add("receiveLicense", "", `{"IZINFINAL":[1,{"nib":1e999999999}]}`)
	// Bodies as PHP clients write them: a number for text, a code that
	// lost its zero, [] for an object, a list with a gap as an object.
	f.Add("receiveLicense", "", `{"IZINFINAL":{"nib":8120000000001,"status_izin":5,"data_teknis":[],"tgl_terbit_izin":"2026-11-30 10:00:00"}}`)
	f.Add("receiveNIB", "4.3.20", `{"dataNIB":{"legalitas":{"1":{"jenis_legal":"01"},"3":{"no_legal":7}},"data_proyek":{"kbli":"01111"}}}`)
	g := fuzzGateway(f)
	allowed := map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 410: true, 413: true, 415: true}
	f.Fuzz(func(t *testing.T, method, version, body string) {
		if !pathSegment(method) {
			return // not something a client can put in a URL path
		}
		// OSS's Token for the NIB the body holds, so calls to the K/L/D
		// side get past it into the rest of the pipeline.
		m, ok := g.table.Lookup(method)
		if !ok {
			m = &pia.Method{Name: method}
		}
		nib, _, _ := jsonbody.ScanString([]byte(body), auth.NIBPath(m)...)
		token := auth.ComputeOSSToken("u", "p", nib, time.Now())
		send := func(sent, encoding string, contentType ...string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/v1/kl/rba/"+method, strings.NewReader(sent))
			req.Header.Set("Content-Type", "application/json")
			if len(contentType) > 0 {
				req.Header.Set("Content-Type", contentType[0])
			}
			req.Header.Set("Token", token)
			if encoding != "" {
				req.Header.Set("Content-Encoding", encoding)
			}
			if version != "" {
				req.Header.Set("X-PIA-Version", version)
			}
			req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
			w := httptest.NewRecorder()
			err := g.ServeHTTP(w, req, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil }))
			if err != nil {
				t.Fatalf("handler error: %v", err)
			}
			return w
		}
		w := send(body, "")
		// The same body gzipped, or behind a byte order mark, gets the same
		// answer (policies request-content-encoding, bom-dropped).
		gz := compressed("gzip", body)
		same := func(variant string, got *httptest.ResponseRecorder) {
			if got.Code != w.Code || w.Code != http.StatusOK && got.Body.String() != w.Body.String() {
				t.Fatalf("%s: %d %s, as sent: %d %s", variant, got.Code, got.Body, w.Code, w.Body)
			}
		}
		if len(body)+3 <= fuzzMaxBody && len(gz) <= fuzzMaxBody { // neither crosses max_body_size where the body does not
			same("gzip", send(gz, "gzip"))
			same("bom", send("\xef\xbb\xbf"+body, ""))
		}
		// The same characters in UTF-16 or windows-1252, as .NET and Java
		// clients write them, get the same answer too (policy
		// body-charset): for a body of UTF-8 that begins as JSON does, with
		// a character of ASCII.
		if utf8.ValidString(body) && len(body) >= 2 && body[0] != 0 && body[0] < utf8.RuneSelf && body[1] != 0 {
			if u16 := utf16Of(body, binary.LittleEndian, false); len(u16) <= fuzzMaxBody {
				same("utf-16", send(u16, "", "application/json; charset=utf-16"))
			}
			if cp, ok := in1252(body); ok && (cp == body || !utf8.ValidString(cp)) {
				same("windows-1252", send(cp, "", "application/json; charset=windows-1252"))
			}
		}
		if !allowed[w.Code] {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if w.Code == http.StatusOK {
			return
		}
		var env map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatalf("answer %d is not JSON: %s", w.Code, w.Body)
		}
		inner := env
		if len(env) == 1 {
			for _, v := range env {
				if m, ok := v.(map[string]any); ok {
					inner = m
				}
			}
		}
		kode, ok := inner["kode"]
		if !ok {
			kode, ok = inner["code"]
		}
		if !ok {
			kode = inner["kode_status"]
		}
		if k, _ := kode.(float64); int(k) != w.Code {
			t.Fatalf("kode %v is not the status %d: %s", kode, w.Code, w.Body)
		}
	})
}

func pathSegment(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return s != "" && s != "." && s != ".."
}

// FuzzPathParam sends arbitrary path parameters to
// inqueryCertificate/{id_permohonan_izin}: whatever the escaping, a request
// the gateway forwards reaches its method's path with exactly one more
// segment, which decodes to the parameter; everything else is an envelope.
func FuzzPathParam(f *testing.F) {
	for _, s := range []string{"I-202112171709158243106", "..%2F..%2Fadmin%2Fusers", "..%2FreceiveLicense", "%2E%2E", "a%5Cb",
		"a%00b", "a/b", "%252F", "a%20b", "..", ".", "%", "a;b", "a?b", "a#b", "%C0%AF"} {
		f.Add(s)
	}
	g := fuzzGateway(f)
	const base = "/v1/kl/rba/inqueryCertificate/"
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(base + raw)
		if err != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.Host != "" {
			return // not a path a client can send
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = u
		req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
		param := strings.TrimPrefix(u.Path, base)
		w := httptest.NewRecorder()
		if err := g.ServeHTTP(w, req, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })); err != nil {
			t.Fatalf("handler error: %v", err)
		}
		switch w.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusNotFound:
			var env map[string]map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env["responInqueryCertificate"]["kode"] != float64(w.Code) {
				t.Fatalf("answer %d is not the method's envelope: %s", w.Code, w.Body)
			}
			return
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		// Forwarded: the upstream sees the method's path and one segment.
		sent := req.URL.EscapedPath()
		tail, ok := strings.CutPrefix(sent, base)
		if !ok || strings.Contains(tail, "/") {
			t.Fatalf("forwarded to %q for parameter %q", sent, param)
		}
		got, err := url.PathUnescape(tail)
		if err != nil || got != param || got == "." || got == ".." || strings.ContainsAny(got, "/\\") {
			t.Fatalf("forwarded segment %q decodes to %q, want the parameter %q as one segment", tail, got, param)
		}
	})
}
