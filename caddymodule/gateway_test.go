package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// routingConfig fronts both sides with validation off, so any JSON body
// reaches its upstream.
func routingConfig(oss, kld string, extra string) string {
	return fmt.Sprintf(`
{listen} {
	pia {
		validation off
		oss %s
		kld %s
		%s
	}
	respond "not pia" 418
}`, oss, kld, extra)
}

func TestEveryMethodReachesTheUpstreamOfItsSide(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr(), ""))
	for _, m := range pia.NewTable().Methods() {
		if m.WithdrawnIn != (pia.Version{}) {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			path, body := "/v1/kl/rba/"+m.Name, `{"X":{}}`
			if m.PathParam != "" {
				path, body = path+"/I-202112171709158243106", ""
			}
			a := g.call(t, m.HTTPMethod, path, body)
			require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
			want, other := oss, kld
			if m.Side == pia.SideKLD {
				want, other = kld, oss
			}
			got := want.last(t)
			assert.Equal(t, path, got.Path)
			assert.Equal(t, m.HTTPMethod, got.Method)
			for _, r := range other.received() {
				assert.NotEqual(t, path, r.Path, "the other side never sees it")
			}
			if body != "" {
				assert.Equal(t, body, string(got.Body), "an unchanged body passes byte for byte")
			}
		})
	}
}

func TestStagingPrefixAndOtherPathsPassOn(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr(), ""))
	a := g.post(t, "/stg/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode)
	assert.Equal(t, "/stg/v1/kl/rba/receiveLicense", oss.last(t).Path)

	a = g.call(t, http.MethodGet, "/health", "")
	assert.Equal(t, 418, a.StatusCode, "a path outside the prefixes goes to the next handler")
	assert.Equal(t, "not pia", string(a.Body))
}

func TestOverridesCustomMethodsAliasesAndPathPrefix(t *testing.T) {
	oss, kld, special := newUpstream(t, nil), newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr()+` {
			path_prefix /api/pia
		}`, `upstream perizinan `+special.addr()+`
		method receiveLicense {
			upstream perizinan
		}
		method receiveIzinDaerah {
			side kld
		}
		alias terimaIzin receiveLicense`))

	a := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/receiveLicense", special.last(t).Path, "an override routes the method to its own upstream")
	assert.Empty(t, oss.received())

	a = g.post(t, "/v1/kl/rba/terimaIzin", `{"IZINFINAL":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode)
	assert.Equal(t, "/v1/kl/rba/receiveLicense", special.last(t).Path, "an alias is forwarded under the canonical name")

	a = g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINDAERAH":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/api/pia/receiveIzinDaerah", kld.last(t).Path, "a custom method reaches its side, path_prefix applied")

	a = g.post(t, "/v1/kl/rba/checkLisenseStatus", `{"CHECKLICENSESTATUS":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode)
	assert.Equal(t, "/v1/kl/rba/checkLicenseStatus", oss.last(t).Path, "the overview's misspelling is a builtin alias")
}

func TestGatewayAnswersAreEnvelopes(t *testing.T) {
	slow := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		time.Sleep(2 * time.Second)
	})
	oss := newUpstream(t, nil)
	refusing := freeAddr(t) // nothing listens there
	g := startGateway(t, routingConfig(oss.addr(), refusing, fmt.Sprintf(`max_body 1KB
		upstream lambat %s {
			transport http {
				response_header_timeout 300ms
			}
		}
		method receiveFileDS {
			upstream lambat
		}`, slow.addr())))

	tests := []struct {
		name   string
		do     func(t *testing.T) *answer
		root   string
		status int
	}{
		{"unknown method is 404", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/kirimSesuatu", `{}`) }, "responkirimSesuatu", 404},
		{"wrong verb is 405", func(t *testing.T) *answer { return g.call(t, http.MethodGet, "/v1/kl/rba/receiveLicense", "") }, "responreceiveLicense", 405},
		{"GET method called with POST is 405", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/inqueryCertificate/I-1", `{}`) }, "responInqueryCertificate", 405},
		{"body over the limit is 413", func(t *testing.T) *answer {
			return g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"keterangan":"`+strings.Repeat("x", 2000)+`"}}`)
		}, "responreceiveLicense", 413},
		{"non-JSON content type is 415", func(t *testing.T) *answer {
			return g.post(t, "/v1/kl/rba/receiveLicense", `nib=1`, "Content-Type", "application/x-www-form-urlencoded")
		}, "responreceiveLicense", 415},
		{"broken JSON is 400", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":`) }, "responreceiveLicense", 400},
		{"empty body is 400", func(t *testing.T) *answer {
			return g.call(t, http.MethodPost, "/v1/kl/rba/receiveLicense", "", "Content-Type", "application/json")
		}, "responreceiveLicense", 400},
		{"withdrawn method is 410", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/rekonNIB", `{}`) }, "responrekonNIB", 410},
		{"upstream refusing connections is 502", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{}}`) }, "responreceiveNIB", 502},
		{"upstream too slow is 504", func(t *testing.T) *answer { return g.post(t, "/v1/kl/rba/receiveFileDS", `{"receiveFileDS":{}}`) }, "responreceiveFileDS", 504},
		{"inqueryLicense answers in its own documented shape", func(t *testing.T) *answer { return g.call(t, http.MethodGet, "/v1/kl/rba/inqueryLicense", "") }, "dataLicense", 405},
		{"inqueryProyek answers at the top level", func(t *testing.T) *answer { return g.call(t, http.MethodGet, "/v1/kl/rba/inqueryProyek", "") }, "", 405},
		{"unknown version header is 400", func(t *testing.T) *answer {
			return g.post(t, "/v1/kl/rba/receiveLicense", `{}`, "X-PIA-Version", "9.9.9")
		}, "responreceiveLicense", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.do(t)
			a.envelope(tt.root, tt.status)
			assert.NotEmpty(t, a.Header.Get("X-Request-Id"))
		})
	}
	assert.Empty(t, oss.received(), "no refused request reached an upstream")
}

func TestUpstreamErrorsPassThroughUntouched(t *testing.T) {
	oss := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		// keterangan as in the 4.3.20 checkLicenseStatus error example.
		fmt.Fprint(w, `{"responreceiveLicense":{"kode":500,"keterangan":"Terjadi kesalahan sistem, hubungi tim teknis OSS"}}`)
	})
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	a := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`)
	assert.Equal(t, 500, a.StatusCode)
	assert.Equal(t, `{"responreceiveLicense":{"kode":500,"keterangan":"Terjadi kesalahan sistem, hubungi tim teknis OSS"}}`, string(a.Body))
}

func TestRequestIDIsPassedUpstreamAndGeneratedWhenAbsent(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
	a := g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`, "X-Request-Id", "req-123")
	assert.Equal(t, "req-123", a.Header.Get("X-Request-Id"))
	assert.Equal(t, "req-123", oss.last(t).Header.Get("X-Request-Id"))

	a = g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`)
	id := a.Header.Get("X-Request-Id")
	assert.Len(t, id, 32)
	assert.Equal(t, id, oss.last(t).Header.Get("X-Request-Id"))
	assert.Equal(t, "4.3.20", oss.last(t).Header.Get("X-PIA-Version"), "the upstream is told which version the body is in")

	// An operator whose upstream has no use for the ID drops it with
	// reverse_proxy's own header_up (policy request-id-upstream); the
	// client and the logs still get it.
	g = startGateway(t, routingConfig(oss.addr()+` {
			header_up -X-Request-Id
		}`, freeAddr(t), ""))
	a = g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{}}`, "X-Request-Id", "req-124")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "req-124", a.Header.Get("X-Request-Id"))
	assert.Empty(t, oss.last(t).Header.Values("X-Request-Id"), "dropped upstream")
	assert.Equal(t, "4.3.20", oss.last(t).Header.Get("X-PIA-Version"))
}

// TestTheUpstreamIsToldTheLengthOfWhatItGets: the body the upstream reads
// is announced by one Content-Length of its own length, whether it goes
// as sent, cut on its bytes, written anew, or came chunked (the gateway
// leaves the length to the transport, not to the client's header).
func TestTheUpstreamIsToldTheLengthOfWhatItGets(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "max_body_size 4KB"))
	lengthIsTheBodys := func(what string) {
		t.Helper()
		got := oss.last(t)
		assert.Equal(t, []string{fmt.Sprint(len(got.Body))}, got.Header["Content-Length"], what)
		assert.Empty(t, got.TransferEncoding, what)
	}
	license := `{"IZINFINAL":{"nib":"8120000000001"}}`
	a := g.post(t, "/v1/kl/rba/receiveLicense", license)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, license, string(oss.last(t).Body))
	lengthIsTheBodys("as sent")

	a = g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"8120000000001","kewenangan":"01"}}`, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, license, string(oss.last(t).Body))
	lengthIsTheBodys("a member 4.3.16 removed, cut from the bytes")

	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"IZINSTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, string(oss.last(t).Body))
	lengthIsTheBodys("written anew under 4.3.20's root")

	// Chunked, written by hand so that it surely is.
	chunked := "POST /v1/kl/rba/receiveLicense HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
	a = g.raw(t, chunked, fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(license), license))
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, license, string(oss.last(t).Body))
	lengthIsTheBodys("sent chunked")

	// A chunked body gets no more room than an announced one, and a
	// broken chunk is a body that cannot be read; neither goes upstream.
	n := len(oss.received())
	big := strings.Repeat(" ", 8<<10) + license // over max_body_size
	g.raw(t, chunked, fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big)).envelope("responreceiveLicense", http.StatusRequestEntityTooLarge)
	g.raw(t, chunked, "zz\r\n"+license+"\r\n0\r\n\r\n").envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Len(t, oss.received(), n, "neither reached the upstream")
}

func TestWithdrawnMethodReachesAnUpstreamThatStillHasIt(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr()+` {
			version 4.3.12
		}`, freeAddr(t), ""))
	a := g.post(t, "/v1/kl/rba/checkNIBError", `{"CHECKNIBERROR":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/checkNIBError", oss.last(t).Path)
}

func TestMethodWithoutUpstreamIs404(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		oss %s
	}
}`, oss.addr()))
	g.post(t, "/v1/kl/rba/receiveNIB", `{"dataNIB":{}}`).envelope("responreceiveNIB", 404)
}

func TestJSONConfigBehavesAsTheCaddyfile(t *testing.T) {
	oss := newUpstream(t, nil)
	listen, admin := freeAddr(t), freeAddr(t)
	cfg := fmt.Sprintf(`{
	"admin": {"listen": %q, "config": {"persist": false}},
	"apps": {"http": {"servers": {"pia": {"listen": [%q], "routes": [{"handle": [{
		"handler": "pia",
		"validation": "off",
		"upstreams": {"oss": {"proxy": {"handler": "reverse_proxy", "upstreams": [{"dial": %q}]}}},
		"methods": {"receiveIzinDaerah": {"side": "oss"}}
	}]}]}}}}
}`, admin, listen, oss.addr())
	require.NoError(t, caddy.Load([]byte(cfg), true))
	t.Cleanup(func() { _ = caddy.Stop() })
	waitListening(t, listen)
	g := &gateway{base: "http://" + listen}
	a := g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"X":{}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, "/v1/kl/rba/receiveIzinDaerah", oss.last(t).Path)
	g.post(t, "/v1/kl/rba/nope", `{}`).envelope("responnope", 404)
}

func TestBadConfigurationFailsTheLoad(t *testing.T) {
	tests := []struct {
		name, block, want string
	}{
		{"no upstream", ``, "no upstream"},
		{"override to an unknown upstream", "oss 127.0.0.1:1\nmethod receiveLicense {\nupstream nope\n}", "unknown upstream"},
		{"custom method without side", "oss 127.0.0.1:1\nmethod receiveIzinDaerah {\nupstream oss\n}", "declare its side"},
		{"changing a PIA method's side", "oss 127.0.0.1:1\nmethod receiveLicense {\nside kld\n}", "defined by the PIA"},
		{"unknown upstream version", "oss 127.0.0.1:1 {\nversion 4.3.99\n}", "no schemas for PIA 4.3.99"},
		{"bad validation mode", "oss 127.0.0.1:1\nvalidation loose", "validation mode"},
		{"alias of an unknown method", "oss 127.0.0.1:1\nalias a b", "unknown method"},
		{"unrecognized subdirective", "oss 127.0.0.1:1\nfoo bar", "unrecognized subdirective"},
		{"duplicate subdirective", "oss 127.0.0.1:1\nlang id\nlang en", "duplicate"},
		// Every Provision error says what was being loaded.
		{"loading an upstream", "oss 127.0.0.1:1 {\nversion 4.3.99\n}", "loading upstream oss: no schemas for PIA 4.3.99"},
		{"loading the schemas", "oss 127.0.0.1:1\nschemas {storage}/none", "loading schemas: "},
		{"loading the rules", "oss 127.0.0.1:1\nrules {storage}/none", "loading rules: "},
		{"loading the methods", "oss 127.0.0.1:1\nmethod receiveLicense {\nside kld\n}", "loading methods: method receiveLicense is defined by the PIA"},
		{"loading an alias", "oss 127.0.0.1:1\nalias a b", "loading alias a: "},
		{"loading the routes", "oss 127.0.0.1:1\nmethod receiveLicense {\nupstream nope\n}", `loading routes: method receiveLicense: unknown upstream "nope"`},
		{"loading auth", "oss 127.0.0.1:1\nauth {\nkey k1 hs256 short\n}", "loading auth: "},
		{"loading oss_token", "kld 127.0.0.1:1\noss_token {\nusername u\n}", "loading oss_token: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadError(t, "{listen} {\n\tpia {\n"+tt.block+"\n\t}\n}")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestEnglishMessages(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), "lang en"))
	env := g.post(t, "/v1/kl/rba/nope", `{}`).envelope("responnope", 404)
	assert.Equal(t, "Unknown method nope; declare an agency's own method in the configuration: method nope { side oss|kld; schema <file> }", env["keterangan"],
		"an unknown method says how to declare it")
}

// jsonBody decodes an upstream's received body.
func jsonBody(t *testing.T, r recorded) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &doc), "%s", r.Body)
	return doc
}
