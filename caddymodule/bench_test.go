package caddymodule

// Fixtures: the payload is the 4.3.20 receiveLicense sample with every
// field filled (internal/pia/testdata/README.md); the upstream stand-in's
// answer is built by hand, the smallest PIA success envelope.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// BenchmarkForwardReceiveLicense is the gateway's own per-request cost on
// its usual path: a receiveLicense with a security key, validated and
// forwarded as sent, in process (no network), the upstream a
// static_response stand-in. It is what the load test's "key + validation"
// row pays on top of a plain reverse_proxy, the key check and Clean
// included.
func BenchmarkForwardReceiveLicense(b *testing.B) {
	body, err := os.ReadFile("../internal/pia/testdata/receiveLicense-4.3.20.json")
	require.NoError(b, err)
	g := provisionGateway(b, b.TempDir(), `{"upstreams":{"oss":{"proxy":{"handler":"static_response","status_code":200,
		"headers":{"Content-Type":["application/json"]},"body":"{\"responreceiveLicense\":{\"kode\":200,\"keterangan\":\"Sukses\"}}"}}},
	"auth":{"keys":[{"id":"k1","secret":"`+testSecret+`"}],
		"clients":[{"name":"demo","user_akses":"demo","password_hash":"`+demoHash+`"}]}}`)
	// The gateway's log at INFO, as a production Caddy's is, encoded as
	// Caddy encodes it and thrown away.
	g.logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zap.InfoLevel))
	next := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })
	// The server, as Caddy's has it: with an access log (the log
	// directive) or without.
	server := &caddyhttp.Server{Logs: &caddyhttp.ServerLogConfig{}}
	handler := caddyhttp.MiddlewareHandler(g)
	serve := func(path string, body []byte, header http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header = header.Clone()
		// A replacer a request, as Caddy's server makes it.
		ctx := context.WithValue(r.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer())
		ctx = context.WithValue(ctx, caddyhttp.ServerCtxKey, server)
		ctx = context.WithValue(ctx, caddyhttp.VarsCtxKey, map[string]any{caddyhttp.ClientIPVarKey: "127.0.0.1"})
		ctx = context.WithValue(ctx, caddyhttp.ExtraLogFieldsCtxKey, new(caddyhttp.ExtraLogFields))
		w := httptest.NewRecorder()
		require.NoError(b, handler.ServeHTTP(w, r.WithContext(ctx), next))
		return w
	}
	header := http.Header{"Content-Type": {"application/json"}}
	w := serve("/v1/kl/rba/sendSecurityKey", []byte(`{"securityKey":{"user_akses":"demo","pwd_akses":"demo-secret"}}`), header)
	var issued struct {
		Answer struct {
			Key string `json:"key"`
		} `json:"responsendSecurityKey"`
	}
	require.NoError(b, json.Unmarshal(w.Body.Bytes(), &issued), w.Body.String())
	require.NotEmpty(b, issued.Answer.Key, w.Body.String())
	header.Set("user_key", issued.Answer.Key)
	header.Set("Content-Length", strconv.Itoa(len(body))) // as net/http leaves it
	w = serve("/v1/kl/rba/receiveLicense", body, header)
	require.Equal(b, http.StatusOK, w.Code, w.Body.String())
	require.Contains(b, w.Body.String(), "Sukses", "the upstream answered")

	// "upstream alone" is the same request served by the stand-in without
	// the gateway: what the harness and the upstream cost, the yardstick
	// the gateway's own cost is read against.
	for _, c := range []struct {
		name    string
		logs    *caddyhttp.ServerLogConfig
		handler caddyhttp.MiddlewareHandler
	}{
		{"access log", &caddyhttp.ServerLogConfig{}, g},
		{"no access log", nil, g},
		{"upstream alone", nil, g.upstreams["oss"].handler},
	} {
		b.Run(c.name, func(b *testing.B) {
			server.Logs, handler = c.logs, c.handler
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				serve("/v1/kl/rba/receiveLicense", body, header)
			}
		})
	}
}
