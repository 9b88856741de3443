package caddymodule

// Fixtures: the stand-in upstream's default answer is built by hand: the
// smallest PIA success envelope of the method called.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateway is a real Caddy, in this process, loaded from a Caddyfile, with
// the addresses its tests talk to.
// Its helpers take the t of the (sub)test that calls them.
type gateway struct {
	base  string // http://127.0.0.1:<port>
	admin string // http://127.0.0.1:<admin port>
}

// startGateway loads a Caddyfile into a running Caddy. The template's %s
// verbs are filled by args; {listen} and {admin} are replaced by free
// loopback addresses. Caddy runs one config per process: tests that use it
// do not run in parallel.
func startGateway(t *testing.T, caddyfile string) *gateway {
	t.Helper()
	listen, admin := freeAddr(t), freeAddr(t)
	cf := caddyfile
	if trimmed := strings.TrimSpace(cf); !strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "{listen}") {
		cf = globalOptions("{admin}") + cf // the template brings no global options of its own
	}
	cf = strings.NewReplacer("{listen}", "http://"+listen, "{admin}", admin, "{storage}", t.TempDir()).Replace(cf)
	adapter := caddyconfig.GetAdapter("caddyfile")
	cfg, _, err := adapter.Adapt([]byte(cf), nil)
	require.NoError(t, err, "adapt:\n%s", cf)
	require.NoError(t, caddy.Load(cfg, true), "load:\n%s", cf)
	t.Cleanup(func() { _ = caddy.Stop() })
	g := &gateway{base: "http://" + listen, admin: "http://" + admin}
	waitListening(t, listen)
	return g
}

// loadError adapts and loads a Caddyfile that must fail, returning the error.
func loadError(t *testing.T, caddyfile string) error {
	t.Helper()
	cf := strings.NewReplacer("{listen}", "http://"+freeAddr(t), "{storage}", t.TempDir()).Replace(globalOptions("off") + caddyfile)
	cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(cf), nil)
	if err != nil {
		return err
	}
	err = caddy.Load(cfg, true)
	if err == nil {
		_ = caddy.Stop()
	}
	return err
}

// globalOptions keep test runs quiet and off the machine's state: no
// persisted config, no automatic HTTPS, logs discarded (tests that read
// logs configure their own with globalOptionsLogging).
func globalOptions(admin string) string {
	return globalOptionsLogging(admin, "output discard")
}

// globalOptionsLogging is globalOptions with the directives of the log
// block given, one a line.
func globalOptionsLogging(admin string, log ...string) string {
	return "{\n\tadmin " + admin + "\n\tpersist_config off\n\tauto_https off\n\tstorage file_system {storage}\n\tlog {\n\t\t" +
		strings.Join(log, "\n\t\t") + "\n\t}\n}\n"
}

// bothSides fronts OSS and a K/L/D application with the gateway's
// defaults.
func bothSides(oss, kld string) string {
	return fmt.Sprintf("{listen} {\n\tpia {\n\t\toss %s\n\t\tkld %s\n\t}\n}\n", oss, kld)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

// call sends one request to the gateway; the answer reports to t.
func (g *gateway) call(t *testing.T, method, path, body string, headers ...string) *answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, g.base+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header[headers[i]] = []string{headers[i+1]} // verbatim: user_key keeps its spelling
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return &answer{t: t, Response: res, Body: b}
}

// raw sends a request written by hand, head and body as they go on the
// wire (what net/http's client would not send: a chunked body, a body
// shorter than announced), on a connection of its own, and reads the
// answer; %s in head is the gateway's host. It does not wait for the
// gateway to read what was sent.
func (g *gateway) raw(t *testing.T, head, body string) *answer {
	t.Helper()
	host := strings.TrimPrefix(g.base, "http://")
	conn, err := net.Dial("tcp", host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, head, host)
	require.NoError(t, err)
	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered")
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return &answer{t: t, Response: res, Body: b}
}

func (g *gateway) post(t *testing.T, path, body string, headers ...string) *answer {
	t.Helper()
	return g.call(t, http.MethodPost, path, body, headers...)
}

// compressed is s in the Content-Encoding coding, gzip or deflate (zlib,
// as HTTP has it), as a client or an upstream sends it.
func compressed(coding, s string) string {
	var b bytes.Buffer
	var w io.WriteCloser = gzip.NewWriter(&b)
	if coding == "deflate" {
		w = zlib.NewWriter(&b)
	}
	_, _ = io.WriteString(w, s) // a bytes.Buffer takes every write
	_ = w.Close()
	return b.String()
}

// reload does what caddy reload --force does: the running config, loaded
// again through the admin endpoint.
func (g *gateway) reload(t *testing.T) {
	t.Helper()
	res, err := http.Get(g.admin + "/config/")
	require.NoError(t, err)
	cfg, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	req, err := http.NewRequest(http.MethodPost, g.admin+"/load", bytes.NewReader(cfg))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cache-Control", "must-revalidate")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	// The old config's server closes its idle connections: a POST sent on
	// one of them as it closes gets EOF, and net/http does not send a POST
	// again. The next call opens a new one, as a client does after such an
	// EOF.
	http.DefaultClient.CloseIdleConnections()
	// Caddy's /load returns once the old servers' shutdowns have started,
	// not once they have stopped accepting (caddyhttp App.Stop: "the
	// scheduler might still pause them right before calling Shutdown()"),
	// and the old and new servers share the listening socket: under the
	// race detector a new connection was seen served by the old config.
	// The wait lets the old servers close their side first.
	time.Sleep(200 * time.Millisecond)
}

// metrics is the Prometheus exposition of the gateway's admin endpoint.
func (g *gateway) metrics(t *testing.T) string {
	t.Helper()
	res, err := http.Get(g.admin + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// answer is a response with helpers for envelopes, reporting to the t of
// the (sub)test that sent the request.
type answer struct {
	t *testing.T
	*http.Response
	Body []byte
}

// envelope asserts a well-formed gateway envelope under root with kode =
// HTTP status = status, and returns its members.
func (a *answer) envelope(root string, status int) map[string]any {
	a.t.Helper()
	require.Equal(a.t, status, a.StatusCode, "status; body: %s", a.Body)
	assert.Equal(a.t, "application/json; charset=utf-8", a.Header.Get("Content-Type"))
	var doc map[string]any
	require.NoError(a.t, json.Unmarshal(a.Body, &doc), "body is JSON: %s", a.Body)
	inner := doc
	if root != "" {
		require.Len(a.t, doc, 1, "one root member: %s", a.Body)
		var ok bool
		inner, ok = doc[root].(map[string]any)
		require.True(a.t, ok, "envelope root %q: %s", root, a.Body)
	}
	kode, ok := inner["kode"].(float64)
	if !ok {
		kode, _ = inner["kode_status"].(float64)
		if kode == 0 {
			kode, _ = inner["code"].(float64)
		}
	}
	assert.Equal(a.t, float64(status), kode, "kode equals the HTTP status: %s", a.Body)
	msg, _ := inner["keterangan"].(string)
	if msg == "" {
		msg, _ = inner["message"].(string)
	}
	assert.NotEmpty(a.t, msg, "the envelope says why: %s", a.Body)
	return inner
}

// recorder is a stand-in upstream that remembers what reached it.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	handle   func(w http.ResponseWriter, r *http.Request, body []byte)
}

type recorded struct {
	Method, Path string
	RawURI       string // as sent on the wire, escaping and query included
	Header       http.Header
	// TransferEncoding is the request's, which net/http takes out of
	// Header.
	TransferEncoding []string
	Body             []byte
}

// newUpstream answers every request with a PIA success envelope for the
// method named by the last path segment, unless handle says otherwise.
func newUpstream(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *recorder {
	t.Helper()
	return upstreamOn(t, nil, handle)
}

// upstreamOn is newUpstream serving on l, an address the test chose (nil:
// one of its own). It fails no test itself, so a goroutine may start it.
func upstreamOn(t *testing.T, l net.Listener, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *recorder {
	rec := &recorder{handle: handle}
	rec.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.requests = append(rec.requests, recorded{Method: r.Method, Path: r.URL.Path, RawURI: r.RequestURI, Header: r.Header.Clone(),
			TransferEncoding: r.TransferEncoding, Body: body})
		rec.mu.Unlock()
		if rec.handle != nil {
			rec.handle(w, r, body)
			return
		}
		method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"respon%s":{"kode":200,"keterangan":"Sukses"}}`, method)
	}))
	if l != nil {
		_ = rec.Listener.Close()
		rec.Listener = l
	}
	rec.Start()
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) addr() string { return strings.TrimPrefix(r.URL, "http://") }

func (r *recorder) received() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	got := r.received()
	require.NotEmpty(t, got, "the upstream was reached")
	return got[len(got)-1]
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(s)))
	return b.String()
}
