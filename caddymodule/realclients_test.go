package caddymodule

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the variations real K/L/D systems and OSS send (issue "Real
// clients first"); each policy they check is cited.

// fullNIB is the 4.3.20 receiveNIB sample of internal/pia/testdata (built
// by hand from the 4.3.20 field table: every field filled, three members
// in every array).
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
		a := g.post("/v1/kl/rba/receiveNIB", in)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, kld.last(t).Body, 10, "same version")

		setMembers(doc, "01a11", "kbli")
		env := g.post("/v1/kl/rba/receiveNIB", mustJSON(t, doc)).envelope("responreceiveNIB", http.StatusBadRequest)
		assert.Contains(t, env["keterangan"], `harus berupa angka atau teks berisi digit saja`, "a code that is not digits is named")
	})

	t.Run("carried up, request from an OSS speaking 4.3.18", func(t *testing.T) {
		kld := newUpstream(t, nil)
		g := startGateway(t, routingConfig(freeAddr(t)+` {
			version 4.3.18
		}`, kld.addr(), ""))
		a := g.post("/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000001","jenis_perubahan_terakhir":"01","skala_usaha":"01",`+
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
		a := g.post("/v1/kl/rba/receiveNIB", `{"dataNIB":{"nib":"8120000000001","data_proyek":[{"kbli":"01111","data_proyek_produk":[{"kbli":"01111"}]}]}}`)
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, kld.last(t).Body, 2, "down")
	})

	t.Run("carried down, response to a 4.3.18 client", func(t *testing.T) {
		oss := newUpstream(t, inqueryAnswer)
		g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))
		a := g.post("/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"nib":"8120000000001"}}`, "X-PIA-Version", "4.3.18")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
		assertAllCodes(t, a.Body, 2, "response down")
	})

	t.Run("carried up, response from a 4.3.18 OSS to a 4.3.20 client", func(t *testing.T) {
		oss := newUpstream(t, inqueryAnswer)
		g := startGateway(t, routingConfig(oss.addr()+` {
			version 4.3.18
		}`, freeAddr(t), ""))
		a := g.post("/v1/kl/rba/inqueryNIB", `{"INQUERYNIB":{"nib":"8120000000001"}}`, "X-PIA-Version", "4.3.20")
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
	a := g.post("/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, upstream, host, "the upstream is asked for its own host, not the gateway's")
	assert.Equal(t, "localhost", sni, "the TLS handshake names the upstream")
}
