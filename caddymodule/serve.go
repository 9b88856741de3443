package caddymodule

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
	"github.com/caddy-pia/caddy-pia/validate"
)

// Outcomes label what became of a request, in logs and metrics.
const (
	outcomeForwarded     = "forwarded"
	outcomeKeyIssued     = "key_issued"
	outcomeUnknown       = "unknown_method"
	outcomeWithdrawn     = "withdrawn"
	outcomeBadVerb       = "bad_verb"
	outcomeTooLarge      = "too_large"
	outcomeMediaType     = "unsupported_media_type"
	outcomeBadJSON       = "bad_json"
	outcomeUnauthorized  = "unauthorized"
	outcomeForbidden     = "forbidden"
	outcomeRateLimited   = "rate_limited"
	outcomeInvalid       = "invalid"
	outcomeUntranslated  = "untransformable"
	outcomeNoUpstream    = "no_upstream"
	outcomeUnreachable   = "upstream_unreachable"
	outcomeTimeout       = "upstream_timeout"
	outcomeBadRequest    = "bad_request"
	outcomeInternalError = "error"
	outcomeUnclaimed     = "unclaimed"
	outcomeTruncated     = "upstream_truncated"
)

// Headers the gateway reads or writes, in their canonical form so that
// Get and Set find them without canonicalising (an allocation) every time.
const (
	headerRequestID  = "X-Request-Id"
	headerVersion    = "X-Pia-Version"
	headerValidation = "X-Pia-Validation"
	maxReportHeader  = 1024
)

// exchange is one request's state, for the answer, the log line and the
// metrics.
type exchange struct {
	start       time.Time
	name        string // as requested
	param       string
	method      *pia.Method
	route       *route
	requestID   string
	client      string
	claims      *auth.Claims // the caller's key, once verified
	clientVer   pia.Version
	upstreamVer pia.Version
	outcome     string
	violations  int
	applied     []string
	message     string
	// answer is the client's writer; rec, over it, holds an answer to be
	// carried to the caller's version (buffer), nil for any other.
	answer  answerWriter
	rec     caddyhttp.ResponseRecorder
	buffer  bool
	spilled bool // a buffered answer went out unadapted (bufferCap)
	// forward is the body going upstream, read by reverse_proxy.
	forward forwardBody
}

// MarshalLogObject writes what the gateway knows of the request: the pia
// object of Caddy's access log entry, and the fields of the gateway's own
// "pia request" line. No key, password or Token is among them.
func (x *exchange) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("request_id", x.requestID)
	enc.AddString("method", x.name)
	side := ""
	if x.method != nil {
		side = x.method.Side.String()
	}
	enc.AddString("side", side)
	enc.AddString("client", x.client)
	var b [32]byte
	enc.AddByteString("client_version", appendVersion(b[:0], x.clientVer))
	enc.AddByteString("upstream_version", appendVersion(b[:0], x.upstreamVer))
	enc.AddString("outcome", x.outcome)
	if x.violations > 0 {
		enc.AddInt("violations", x.violations)
	}
	if len(x.applied) > 0 {
		_ = enc.AddArray("rules", zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
			for _, r := range x.applied {
				a.AppendString(r)
			}
			return nil
		}))
	}
	if x.message != "" && x.outcome != outcomeForwarded || x.violations > 0 {
		enc.AddString("detail", x.message)
	}
	return nil
}

// appendVersion is Version.String without its allocation: "" for none.
func appendVersion(b []byte, v pia.Version) []byte {
	if v.IsZero() {
		return b
	}
	b = strconv.AppendInt(b, int64(v.Major), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v.Minor), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(v.Patch), 10)
}

// asSent reports a request forwarded as the client sent it: nothing
// refused, carried between versions by a rule (the request or its answer),
// or reported, and an answer that is no upstream failure. A client of
// another version whose body no rule acts on is one (policy
// carried-untouched-as-sent): its version is in the line all the same. Its
// "pia request" line is at DEBUG; Caddy's access log has it at INFO.
func (x *exchange) asSent(status int, err error) bool {
	return x.forwardedWell(status, err) && len(x.applied) == 0
}

// forwardedWell reports a request forwarded with nothing reported and an
// answer that is no upstream failure, carried by a rule or not.
func (x *exchange) forwardedWell(status int, err error) bool {
	return x.outcome == outcomeForwarded && err == nil && status < 500 && x.violations == 0
}

// forwardBody is the body handed to the upstream, in the exchange, so that
// forwarding it allocates nothing more.
type forwardBody struct{ bytes.Reader }

func (*forwardBody) Close() error { return nil }

// logged adds the exchange to Caddy's access log entry for the request,
// as its pia object (written when the request ends, with what became of
// it). A server without an access log (no log directive) gets nothing to
// carry.
func (x *exchange) logged(r *http.Request) {
	if srv, ok := r.Context().Value(caddyhttp.ServerCtxKey).(*caddyhttp.Server); ok && srv.Logs == nil {
		return
	}
	if extra, ok := r.Context().Value(caddyhttp.ExtraLogFieldsCtxKey).(*caddyhttp.ExtraLogFields); ok {
		extra.Set(zap.Object("pia", x))
	}
}

// placeholder gives the request's placeholders to Caddy's replacer, for
// other handlers and logs: {pia.request_id}, {pia.method} and, once the
// key is verified, {http.auth.user.id}, .pia_version, .kd_instansi and
// .jti. One provider read on demand rather than six values set: the
// replacer's map stays as small as reverse_proxy's own values make it
// (a map that grows costs every request). A value another handler set
// under the same name before the gateway comes first.
func (x *exchange) placeholder(key string) (any, bool) {
	switch key {
	case "pia.request_id":
		return x.requestID, true
	case "pia.method":
		return x.name, true
	}
	c := x.claims
	if c == nil || !strings.HasPrefix(key, "http.auth.user.") {
		return nil, false
	}
	switch key[len("http.auth.user."):] {
	case "id":
		return c.Client, true
	case "pia_version":
		return c.PIAVersion, true
	case "kd_instansi":
		return c.KdInstansi, true
	case "jti":
		return c.ID, true
	}
	return nil, false
}

func (x *exchange) shape() pia.EnvelopeShape {
	if x.method != nil {
		return x.method.Envelope
	}
	return pia.DefaultEnvelope(x.name)
}

// ServeHTTP serves <prefix>/<method> and passes every other request on.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if g.keys != nil && g.keys.servesJWKS(r) {
		return g.keys.serveJWKS(w)
	}
	name, param, ok := g.match(r.URL.Path)
	if !ok {
		return g.passOn(w, r, next)
	}
	x := &exchange{start: now(), name: name, param: param, requestID: requestID(r)}
	x.logged(r)
	r.Header.Set(headerRequestID, x.requestID)
	w.Header().Set(headerRequestID, x.requestID)
	if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		repl.Map(x.placeholder)
	}

	// Logged and counted whatever happens below, an upstream that breaks
	// off its answer (reverse_proxy then aborts the handler) included.
	x.answer.ResponseWriter = w
	status, err := 0, error(nil)
	defer func() {
		g.finish(x, r, status, err)
		if x.rec != nil {
			bufPool.Put(x.rec.Buffer())
		}
	}()
	defer func() {
		if v := recover(); v != nil {
			status, err = x.status(), fmt.Errorf("aborted: %v", v)
			x.outcome = outcomeTruncated
			panic(v)
		}
	}()
	err = g.serve(x, &x.answer, r, next)
	switch {
	case errors.Is(err, errTruncated):
		// The answer was being buffered: nothing reached the client, who
		// gets the envelope a dead upstream gets.
		x.outcome = ""
		err = g.answer(x, &x.answer, http.StatusBadGateway, outcomeUnreachable, pia.MsgUpstreamUnreachable, x.route.upstream.name)
		status = http.StatusBadGateway
		return err
	case err == nil && x.rec != nil && x.rec.Buffered() && !x.spilled:
		err = g.adaptResponse(x, x.rec, &x.answer)
	}
	status = x.status()
	return err
}

// status is the answer's: what went to the client, or else what the
// upstream answered into the buffer.
func (x *exchange) status() int {
	if x.answer.status == 0 && x.rec != nil {
		return x.rec.Status()
	}
	return x.answer.status
}

// answerWriter passes the answer to the client and notes its status, as a
// caddyhttp.ResponseRecorder that never buffers would, without costing an
// allocation: it lives in the exchange. Only an answer held to be carried
// to the caller's version gets a recorder (proxy).
type answerWriter struct {
	caddyhttp.ResponseWriterWrapper
	status int
	wrote  bool
}

func (a *answerWriter) WriteHeader(status int) {
	if a.wrote {
		return
	}
	a.status = status
	if status < 100 || status > 199 { // 1xx are not the answer
		a.wrote = true
	}
	a.ResponseWriterWrapper.WriteHeader(status)
}

func (a *answerWriter) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.ResponseWriterWrapper.Write(p)
}

func (a *answerWriter) ReadFrom(r io.Reader) (int64, error) {
	a.WriteHeader(http.StatusOK)
	return a.ResponseWriterWrapper.ReadFrom(r)
}

// recorder holds the upstream's answer to be carried to the caller's
// version, when it is a success that may be JSON (answerMayBeJSON) within
// maxBufferedResponse.
func (g *Gateway) recorder(x *exchange) caddyhttp.ResponseRecorder {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	return caddyhttp.NewResponseRecorder(&x.answer, buf, func(status int, h http.Header) bool {
		if status < 200 || status >= 300 || !answerMayBeJSON(h.Get("Content-Type")) {
			return false
		}
		if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && n > maxBufferedResponse {
			g.logger.Warn("response not adapted: larger than the buffered answer cap", zap.String("request_id", x.requestID),
				zap.Int64("size", n), zap.Int64("cap", maxBufferedResponse))
			return false
		}
		return true
	})
}

// maxBufferedResponse caps an upstream answer held to be carried to the
// caller's version; a larger one passes through as the upstream wrote it.
const maxBufferedResponse = 10 << 20

// errTruncated is an upstream answer broken off while it was buffered.
var errTruncated = errors.New("upstream answer broken off")

// bufferCap spills a buffered answer to the client, unadapted, once it
// grows past maxBufferedResponse (an answer without Content-Length).
type bufferCap struct {
	http.ResponseWriter // the recorder
	rec                 caddyhttp.ResponseRecorder
	real                http.ResponseWriter
	x                   *exchange
	g                   *Gateway
}

func (b *bufferCap) Write(p []byte) (int, error) {
	if b.x.spilled || !b.rec.Buffered() || b.rec.Buffer().Len()+len(p) <= maxBufferedResponse {
		if b.x.spilled {
			return b.real.Write(p)
		}
		return b.rec.Write(p)
	}
	b.g.logger.Warn("response not adapted: larger than the buffered answer cap", zap.String("request_id", b.x.requestID),
		zap.Int64("cap", maxBufferedResponse))
	b.x.spilled = true
	b.real.WriteHeader(b.rec.Status())
	if _, err := b.real.Write(b.rec.Buffer().Bytes()); err != nil {
		return 0, err
	}
	b.rec.Buffer().Reset()
	return b.real.Write(p)
}

func (b *bufferCap) Unwrap() http.ResponseWriter { return b.rec }

// match splits <prefix>/<method>[/<param>] off a path.
func (g *Gateway) match(path string) (name, param string, ok bool) {
	for _, p := range g.prefixes {
		if !strings.HasPrefix(path, p+"/") {
			continue
		}
		// A doubled slash before the method (a base URL ending in / joined
		// with /receiveLicense) is one, as Caddy's path matchers and
		// nginx's merge_slashes have it (policy doubled-slash-before-method).
		rest := strings.TrimLeft(path[len(p)+1:], "/")
		if rest == "" {
			return "", "", false
		}
		name, param, _ = strings.Cut(rest, "/")
		return name, param, true
	}
	return "", "", false
}

// singleSegment reports whether a decoded path parameter is one plain
// segment. The path is matched decoded, so %2F, %5C and %2E%2E arrive here
// as /, \ and ..: any of them, or a control character, would let the
// parameter climb out of its method on the upstream (policy
// path-param-one-segment).
func singleSegment(p string) bool {
	if p == "" || p == "." || p == ".." {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// serve runs the pipeline: route, authenticate, read, decode, adapt,
// validate, encode, proxy. Every refusal is an envelope.
func (g *Gateway) serve(x *exchange, w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	m, ok := g.table.Lookup(x.name)
	if !ok {
		if s := g.table.Suggest(x.name); s != "" {
			return g.answer(x, w, http.StatusNotFound, outcomeUnknown, pia.MsgUnknownMethodCase, clipPath(x.name), s)
		}
		return g.answer(x, w, http.StatusNotFound, outcomeUnknown, pia.MsgUnknownMethod, clipPath(x.name), clipPath(x.name))
	}
	if x.param != "" && m.PathParam == "" {
		// <prefix>/receiveLicense/extra is not receiveLicense.
		return g.answer(x, w, http.StatusNotFound, outcomeUnknown, pia.MsgNoSuchPath, clipPath(r.URL.EscapedPath()))
	}
	x.method, x.route = m, g.routes[m.Name]
	if r.Method != m.HTTPMethod {
		w.Header().Set("Allow", m.HTTPMethod)
		return g.answer(x, w, http.StatusMethodNotAllowed, outcomeBadVerb, pia.MsgWrongVerb, m.Name, m.HTTPMethod)
	}
	if m.PathParam != "" && x.param == "" {
		return g.answer(x, w, http.StatusNotFound, outcomeUnknown, pia.MsgNoSuchPath, clipPath(r.URL.EscapedPath())+"/{"+m.PathParam+"}")
	}
	if m.PathParam != "" && !singleSegment(x.param) {
		return g.answer(x, w, http.StatusBadRequest, outcomeBadRequest, pia.MsgPathParam, m.PathParam)
	}
	if m.Name == "sendSecurityKey" && g.keys != nil {
		return g.issueKey(x, w, r)
	}
	up := x.route.upstream
	if up == nil {
		return g.answer(x, w, http.StatusNotFound, outcomeNoUpstream, pia.MsgNoUpstream, m.Name, m.Side)
	}
	x.upstreamVer = up.version
	if m.WithdrawnAt(up.version) {
		return g.answer(x, w, http.StatusGone, outcomeWithdrawn, pia.MsgWithdrawn, m.Name, m.WithdrawnIn)
	}
	if r.ContentLength > g.maxBody {
		return g.refuse(x, w, tooLarge(g.maxBody))
	}

	claims, ref := g.authenticate(x, r)
	if ref != nil {
		return g.refuse(x, w, ref)
	}
	var claimed string
	if claims != nil {
		claimed = claims.PIAVersion
	}
	callerVer, refused := g.catalog.CallerVersion(claimed, r.Header.Get(headerVersion), x.route.clientVer)
	if refused {
		return g.answer(x, w, http.StatusBadRequest, outcomeBadRequest, pia.MsgVersion, clipPath(r.Header.Get(headerVersion)), g.supportedVersions())
	}
	x.clientVer = callerVer
	var ossTok string
	if x.route.ossToken {
		// Refused before the body is read: a caller without a credential
		// costs no memory.
		if ossTok, ref = g.findOSSToken(r); ref != nil {
			return g.refuse(x, w, ref)
		}
	}

	body, ref := readBody(r, g.maxBody)
	if ref != nil {
		return g.refuse(x, w, ref)
	}
	hasBody := m.HTTPMethod != http.MethodGet
	if hasBody {
		ct := r.Header.Get("Content-Type")
		cs := charset(ct)
		var rewritten bool
		if body, rewritten, ref = inUTF8(body, cs); ref != nil {
			return g.refuse(x, w, ref)
		}
		if !acceptedType(ct, body) {
			return g.answer(x, w, http.StatusUnsupportedMediaType, outcomeMediaType, pia.MsgUnsupportedMediaType, clipPath(ct))
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return g.answer(x, w, http.StatusBadRequest, outcomeBadJSON, pia.MsgEmptyBody)
		}
		if rewritten || !utf8Label(cs) || !isJSON(ct) {
			// What goes upstream is JSON in UTF-8 and says so, as the
			// gateway read it (policies content-type-lenient, body-charset).
			r.Header.Set("Content-Type", "application/json")
		}
	}

	if x.route.ossToken {
		// The Token covers the payload's NIB, found by a scan that builds
		// no tree: the body is decoded only once the Token is right.
		if ref := g.verifyOSSToken(m, ossTok, body); ref != nil {
			return g.refuse(x, w, ref)
		}
	}

	out := body
	if hasBody {
		var ref *refusal
		if out, ref = g.processBody(x, w, r, body, claims); ref != nil {
			return g.refuse(x, w, ref)
		}
	}
	x.buffer = x.clientVer != up.version && g.transform.Needed(m.Name, pia.Response, up.version, x.clientVer)
	return g.proxy(x, w, r, next, up, out)
}

// processBody decodes the body once and runs the stages that need it,
// returning the bytes to forward: the original ones when nothing changed.
func (g *Gateway) processBody(x *exchange, w http.ResponseWriter, r *http.Request, body []byte, claims *auth.Claims) ([]byte, *refusal) {
	m, up := x.method, x.route.upstream
	adapt := x.clientVer != up.version && g.transform.Needed(m.Name, pia.Request, x.clientVer, up.version)
	check := x.route.cleaner.Has()
	checkData := claims != nil && auth.InstansiNeedsPayload(claims, m)
	if !adapt && !check && !checkData {
		if !jsonbody.Valid(body) {
			return nil, g.brokenBody(body)
		}
		return body, nil
	}
	if check || adapt {
		// The usual request, valid and from a client of the upstream's
		// version, or of another version that no version rule acts on
		// but to remove members, is read once without building a tree
		// and goes on as sent, less those members, or with the values
		// the path below would normalise written in place: what it would
		// conclude (validate.Cleaner.Mend, CarryAcross), the client's
		// kd_instansi read from the bytes too, as sent. Without
		// validation the same holds: a body CarryAcross finds valid is
		// one the path below carries alike.
		out, applied, ok := g.cleanBody(x.route, x.clientVer, body)
		if ok && checkData {
			decided, err := auth.CheckInstansiJSON(claims, m, body)
			if decided && err != nil {
				return nil, g.authRefusal(err)
			}
			ok = decided
		}
		if ok {
			g.applied(x, "request", applied)
			return out, nil
		}
	}
	doc, err := jsonbody.DecodeWith(body, g.decode)
	if err != nil {
		return nil, g.decodeRefusal(body, err)
	}
	if checkData {
		if ref := g.checkInstansi(claims, m, doc); ref != nil {
			return nil, ref
		}
	}
	if check && x.route.mode == validate.ModeEnforce {
		if ref := g.checkRoot(x, doc); ref != nil {
			return nil, ref
		}
	}
	changed := false
	if check || adapt {
		var norm bool
		doc, norm = g.validator.Normalize(x.clientVer, m.Name, pia.Request, doc)
		changed = changed || norm
	}
	// untranslated is what the version rules could not carry: refused,
	// except in report mode, where it is reported with the violations and
	// the body goes on carried as far as the rules go (policy
	// report-mode-carries-what-it-can).
	var untranslated []pia.FieldError
	if adapt {
		var rep transform.Report
		doc, rep = g.transform.Convert(m.Name, pia.Request, x.clientVer, up.version, doc)
		if len(rep.Errors) > 0 && !(check && x.route.mode == validate.ModeReport) {
			return nil, &refusal{status: http.StatusBadRequest, outcome: outcomeUntranslated, msg: pia.MsgTransform,
				args: []any{up.version, pia.Summary(rep.Errors, g.lang)}, errors: rep.Errors}
		}
		untranslated = rep.Errors
		changed = changed || len(rep.Applied) > 0
		g.applied(x, "request", rep.Applied)
	}
	if check {
		var errs []pia.FieldError
		if res := g.validator.Validate(up.version, m.Name, pia.Request, doc); res != nil {
			errs = res.Errors
		}
		errs = withUntranslated(untranslated, errs)
		if len(errs) > 0 {
			x.violations = len(errs)
			g.metrics.invalid(m.Name, x.route.mode)
			if x.route.mode == validate.ModeEnforce {
				return nil, &refusal{status: http.StatusBadRequest, outcome: outcomeInvalid, msg: pia.MsgValidation,
					args: []any{pia.Summary(errs, g.lang)}, errors: errs}
			}
			w.Header().Set(headerValidation, reportHeader(errs, doc))
			x.message = pia.Summary(errs, g.lang)
		}
	}
	if !changed {
		return body, nil
	}
	out, err := encodeJSON(doc, body)
	if err != nil {
		return nil, &refusal{status: http.StatusInternalServerError, outcome: outcomeInternalError, msg: pia.MsgInternal}
	}
	return out, nil
}

// cleanBody says whether the path below would accept body, and what it
// would forward (out, by the rules named in applied), read on its bytes
// without a tree: validate.Cleaner.Mend for a client of the upstream's
// version, the values Normalize would change written in place (policy
// normalised-on-the-bytes), CarryAcross for a client of another (policies
// carried-untouched-as-sent, carried-on-the-bytes).
func (g *Gateway) cleanBody(rt *route, client pia.Version, body []byte) (out []byte, applied []string, ok bool) {
	if client == rt.upstream.version {
		out, ok = rt.cleaner.Mend(body, g.decode)
		return out, nil, ok
	}
	return g.validator.CarryAcross(g.guard(rt.method.Name, client, rt.upstream.version), body, g.decode)
}

// guard is what CarryAcross checks for method between a client's version
// and its upstream's, built on first use. The versions are those the
// catalog knows (an unknown one is refused before), so the set is bounded.
func (g *Gateway) guard(method string, client, upstream pia.Version) *validate.Guard {
	k := guardKey{method, client, upstream}
	if v, ok := g.guards.Load(k); ok {
		return v.(*validate.Guard)
	}
	gd := g.validator.Guard(client, upstream, method, pia.Request, g.transform.Watches(method, pia.Request, client, upstream))
	v, _ := g.guards.LoadOrStore(k, gd)
	return v.(*validate.Guard)
}

type guardKey struct {
	method           string
	client, upstream pia.Version
}

// withUntranslated reports what the version rules could not carry with
// the violations of the carried body: a field named by both is reported
// once, in the rules' words, which say which version made it mandatory or
// what could not be converted.
func withUntranslated(untranslated, violations []pia.FieldError) []pia.FieldError {
	if len(untranslated) == 0 {
		return violations
	}
	named := make(map[string]bool, len(untranslated))
	for _, e := range untranslated {
		named[e.Field] = true
	}
	errs := append([]pia.FieldError(nil), untranslated...)
	for _, e := range violations {
		if !named[e.Field] {
			errs = append(errs, e)
		}
	}
	pia.SortFieldErrors(errs)
	return errs
}

// brokenBody answers a body found not to be JSON without decoding it (by
// Valid or ScanString) with what the strict decoder says of it, so one
// broken body gets one answer whichever route found it (policy
// one-broken-body-answer). It reads the body with jsonbody.Check, which
// builds no tree: a caller whose Token has not been checked yet gets no
// tree for the asking, and a valid body never comes here.
func (g *Gateway) brokenBody(body []byte) *refusal {
	if err := jsonbody.Check(body, g.decode); err != nil {
		return g.decodeRefusal(body, err)
	}
	// Unreachable: the strict decoder accepts less than Valid and
	// ScanString do. Still an answer, never a crash.
	return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgBadJSON, args: []any{"?"}}
}

// decodeRefusal answers a body the strict decoder refused: a repeated
// member is named (400), too many values is 413, as too many bytes is
// (policy strict-request-json); a body whose first fault is that it is not
// UTF-8 is told how to send it (policy body-charset).
func (g *Gateway) decodeRefusal(body []byte, err error) *refusal {
	var dup *jsonbody.DuplicateMemberError
	var many *jsonbody.TooManyElementsError
	if ref := notUTF8(body, err); ref != nil {
		return ref
	}
	switch {
	case errors.As(err, &dup):
		return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgDuplicateMember,
			args:   []any{clipPath(pia.PointerToDotted(dup.Path))},
			errors: []pia.FieldError{{Field: dup.Path, Rule: "duplicate"}}}
	case errors.As(err, &many):
		return &refusal{status: http.StatusRequestEntityTooLarge, outcome: outcomeTooLarge, msg: pia.MsgTooManyElements, args: []any{many.Limit}}
	}
	var syntax *jsonbody.SyntaxError
	switch {
	case !errors.As(err, &syntax):
		return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgBadJSON, args: []any{err.Error()}}
	case syntax.Path == "":
		return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgBadJSONAt, args: []any{syntax.Offset, err.Error()}}
	}
	// Where it breaks: the member whose value holds the fault, and how far
	// into the body, so that a 38 KB body is not searched by eye.
	return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgBadJSONIn,
		args: []any{clipPath(pia.PointerToDotted(syntax.Path)), syntax.Offset, err.Error()}}
}

// proxy hands the request to the upstream and turns its failures into
// envelopes while nothing has been written yet.
func (g *Gateway) proxy(x *exchange, w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, up *upstream, body []byte) error {
	x.forward.Reset(body)
	r.Body = &x.forward
	r.ContentLength = int64(len(body))
	// The whole body is here: it goes with its length, not chunked as a
	// client may have sent it (an upstream behind FastCGI or an older
	// server may want a length).
	r.TransferEncoding = nil
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if r.Method != http.MethodGet {
		// The length goes as r.ContentLength, which the transport writes
		// as Content-Length (it never writes the header map's entry), so
		// the entry goes: what reaches the upstream is the same, and the
		// copy of the header map reverse_proxy makes, with the request ID,
		// X-PIA-Version, its X-Forwarded-*, Via and an empty User-Agent,
		// stays within the eight members of Go's smallest map instead of
		// growing on every request.
		delete(r.Header, "Content-Length")
		// The bytes going on are the JSON the gateway read as such (and
		// may have re-encoded): a Content-Encoding claiming otherwise
		// would be wrong.
		r.Header.Del("Content-Encoding")
	}
	r.Header.Set(headerVersion, up.versionText)
	if x.buffer {
		// An answer to be carried must come readable (policy
		// carried-answer-uncompressed): the client's Accept-Encoding stays
		// off the upstream request, so the transport asks for its own
		// compression and undoes it.
		r.Header.Del("Accept-Encoding")
	}
	if g.keys != nil && x.method.Side == pia.SideOSS {
		g.keys.authority.StripTokens(r.Header)
	}
	prefix := up.pathPrefix
	if prefix == "" {
		prefix, _ = g.prefixOf(r.URL.Path)
	}
	path := r.URL.Path
	if !joined(path, prefix, x.method.Name) {
		// Another name for the method, a path prefix of the upstream's or
		// a parameter: the upstream gets its own name for it.
		path = prefix + "/" + x.method.Name
	}
	r.URL.Path, r.URL.RawPath = path, ""
	if x.param != "" {
		// The parameter is one segment (singleSegment), escaped so that
		// nothing in it reads as path structure upstream.
		r.URL.RawPath = r.URL.EscapedPath() + "/" + url.PathEscape(x.param)
		r.URL.Path = path + "/" + x.param
	}

	x.outcome = outcomeForwarded
	err := g.serveUpstream(x, w, r, next, up)
	if err == nil || errors.Is(err, errTruncated) {
		return err
	}
	if x.status() != 0 {
		return err // the upstream already answered; nothing to add
	}
	var he caddyhttp.HandlerError
	status := http.StatusBadGateway
	if errors.As(err, &he) && he.StatusCode != 0 {
		status = he.StatusCode
	}
	g.logger.Debug("upstream failed", zap.String("request_id", x.requestID), zap.String("upstream", up.name), zap.Error(err))
	switch status {
	case http.StatusGatewayTimeout:
		return g.answer(x, w, status, outcomeTimeout, pia.MsgUpstreamTimeout, up.name)
	case 499: // the client went away; there is nobody to answer
		x.outcome = "client_closed"
		return nil
	default:
		return g.answer(x, w, http.StatusBadGateway, outcomeUnreachable, pia.MsgUpstreamUnreachable, up.name)
	}
}

// serveUpstream runs the upstream's handler. reverse_proxy aborts the
// handler (http.ErrAbortHandler) when the upstream breaks off its answer:
// while the answer is buffered nothing has reached the client, so that
// becomes errTruncated and a 502 envelope; otherwise the abort goes on,
// the only way left to tell the client its answer is incomplete.
func (g *Gateway) serveUpstream(x *exchange, w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, up *upstream) (err error) {
	// Only an answer held to be carried (x.buffer) gets a recorder: any
	// other goes to the client as it comes, an abort included.
	if x.buffer {
		x.rec = g.recorder(x)
		rec := x.rec
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler && rec.Buffered() && !x.spilled { //nolint:errorlint // a panic value, compared as reverse_proxy panics it
					g.logger.Warn("upstream broke off its answer", zap.String("request_id", x.requestID), zap.String("upstream", up.name))
					err = errTruncated
					return
				}
				panic(v)
			}
		}()
		w = &bufferCap{ResponseWriter: rec, rec: rec, real: &x.answer, x: x, g: g}
	}
	return up.handler.ServeHTTP(w, r, next)
}

// joined reports whether path is prefix + "/" + name, which then need not
// be built again.
func joined(path, prefix, name string) bool {
	return len(path) == len(prefix)+1+len(name) && strings.HasPrefix(path, prefix) &&
		path[len(prefix)] == '/' && strings.HasSuffix(path, name)
}

func (g *Gateway) prefixOf(path string) (string, bool) {
	for _, p := range g.prefixes {
		if strings.HasPrefix(path, p+"/") {
			return p, true
		}
	}
	return "", false
}

// applied notes the version rules that carried x's request or answer
// (direction): named in its log lines, counted in
// caddy_pia_transforms_total.
func (g *Gateway) applied(x *exchange, direction string, rules []string) {
	if len(rules) == 0 {
		return
	}
	if x.applied == nil {
		x.applied = rules // the request's: taken, not copied
	} else {
		x.applied = append(x.applied, rules...)
	}
	g.metrics.transformed(x.method.Name, direction, len(rules))
}

// adaptResponse carries a buffered upstream answer back to the caller's
// version. An answer that cannot be carried goes out as the upstream wrote
// it: upstream answers are never replaced by the gateway's.
func (g *Gateway) adaptResponse(x *exchange, rec caddyhttp.ResponseRecorder, w http.ResponseWriter) error {
	body := rec.Buffer().Bytes()
	out, plain := body, body
	if ce := coding(w.Header().Get("Content-Encoding")); ce != "" {
		// Compressed though not asked to be (policy
		// carried-answer-uncompressed): read decoded, within the cap;
		// nothing to carry when it cannot be.
		plain, _ = readDecoded(ce, bytes.NewReader(body), maxBufferedResponse)
	}
	// A .NET application's byte order mark is no part of the JSON (policy
	// bom-dropped).
	plain = withoutBOM(plain)
	// Read in the characters its Content-Type states (policy
	// body-charset); one that is not UTF-8 under any reading goes out as
	// written, where decoding would make its bytes U+FFFD.
	cs := charset(w.Header().Get("Content-Type"))
	plain, rewritten, ref := inUTF8(plain, cs)
	if ref != nil || !rewritten && !utf8.Valid(plain) {
		plain = nil
	}
	if doc, err := jsonbody.Decode(plain); err == nil {
		doc, rep := g.transform.Convert(x.method.Name, pia.Response, x.upstreamVer, x.clientVer, doc)
		applied, errs := rep.Applied, rep.Errors
		if len(errs) == 0 && len(applied) > 0 {
			if b, err := encodeJSON(doc, plain); err == nil {
				out = b
				w.Header().Del("Content-Encoding")
				if !utf8Label(cs) {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
				}
				g.applied(x, "response", applied)
			}
		} else if len(errs) > 0 {
			g.logger.Warn("response not adapted", zap.String("request_id", x.requestID), zap.String("reason", pia.Summary(errs, g.lang)))
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rec.Status())
	_, err := w.Write(out)
	return err
}

// readBody reads a request body whole: at most limit bytes, once decoded
// from its Content-Encoding (policy request-content-encoding), so a
// compressed body bounds the memory as a plain one does; without a
// leading byte order mark (policy bom-dropped).
func readBody(r *http.Request, limit int64) ([]byte, *refusal) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	ce := coding(r.Header.Get("Content-Encoding"))
	if n := r.ContentLength; ce == "" && n > 0 && n <= limit {
		// The usual case: one allocation of the announced size (net/http
		// ends the body there).
		b := make([]byte, n)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, unreadable(err, limit, "")
		}
		return withoutBOM(b), nil
	}
	// The bytes sent are bounded too: a stream of empty deflate blocks
	// decodes to nothing however long it runs.
	b, err := readDecoded(ce, http.MaxBytesReader(nil, r.Body, limit), limit)
	switch {
	case err == nil:
		return withoutBOM(b), nil
	case errors.Is(err, errCoding):
		return nil, &refusal{status: http.StatusUnsupportedMediaType, outcome: outcomeMediaType, msg: pia.MsgUnsupportedEncoding,
			args: []any{clipPath(ce)}, header: http.Header{"Accept-Encoding": {readCodings}}}
	case errors.Is(err, errTooLarge):
		return nil, tooLarge(limit)
	}
	return nil, unreadable(err, limit, ce)
}

// tooLarge is the answer to a body over limit bytes.
func tooLarge(limit int64) *refusal {
	return &refusal{status: http.StatusRequestEntityTooLarge, outcome: outcomeTooLarge, msg: pia.MsgBodyTooLarge, args: []any{limit}}
}

// unreadable is the answer to a body that could not be read: too large
// for Caddy's own limit (request_body), not what its Content-Encoding ce
// says (or cut off inside it), or cut off.
func unreadable(err error, limit int64, ce string) *refusal {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(min(limit, mbe.Limit))
	case ce != "":
		return &refusal{status: http.StatusBadRequest, outcome: outcomeBadRequest, msg: pia.MsgUndecodableBody, args: []any{clipPath(ce + ": " + err.Error())}}
	}
	return &refusal{status: http.StatusBadRequest, outcome: outcomeBadRequest, msg: pia.MsgUnreadableBody}
}

// readCodings are the Content-Encodings a request body may come in, as a
// 415's Accept-Encoding names them.
const readCodings = "gzip, deflate"

var (
	errCoding   = errors.New("unsupported content coding")
	errTooLarge = errors.New("larger than its limit once decoded")
)

// readDecoded reads r whole, decoded from the Content-Encoding ce (as
// coding gives it): errCoding for a coding it does not read, errTooLarge
// past limit bytes once decoded.
func readDecoded(ce string, r io.Reader, limit int64) ([]byte, error) {
	dec, err := decoding(ce, r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(dec, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// coding is a Content-Encoding as decoding reads it: "" for none or
// identity.
func coding(ce string) string {
	ce = strings.ToLower(strings.TrimSpace(ce))
	if ce == "identity" {
		return ""
	}
	return ce
}

// decoding reads a body sent in the Content-Encoding ce (as coding gives
// it): gzip, or deflate (zlib, as HTTP defines it), or none.
func decoding(ce string, body io.Reader) (io.Reader, error) {
	switch ce {
	case "":
		return body, nil
	case "gzip", "x-gzip":
		return gzip.NewReader(body)
	case "deflate":
		return zlib.NewReader(body)
	}
	return nil, errCoding
}

// refusal is a decision to answer with an envelope instead of forwarding.
type refusal struct {
	status  int
	outcome string
	// text is the sentence; when empty, msg and args make it.
	text   string
	msg    pia.Msg
	args   []any
	errors []pia.FieldError
	header http.Header
}

func (g *Gateway) refuse(x *exchange, w http.ResponseWriter, ref *refusal) error {
	for k, v := range ref.header {
		w.Header()[k] = v
	}
	x.outcome = ref.outcome
	x.message = ref.text
	if x.message == "" {
		x.message = g.lang.Text(ref.msg, ref.args...)
	}
	return g.write(x, w, ref.status, x.message, ref.errors)
}

// answer writes one of the gateway's own envelopes.
func (g *Gateway) answer(x *exchange, w http.ResponseWriter, status int, outcome string, msg pia.Msg, args ...any) error {
	return g.refuse(x, w, &refusal{status: status, outcome: outcome, msg: msg, args: args})
}

func (g *Gateway) write(x *exchange, w http.ResponseWriter, status int, text string, errs []pia.FieldError) error {
	env := pia.Envelope{Shape: x.shape(), Kode: status, Keterangan: text, Errors: errs}
	return env.Write(w)
}

// finish counts the request and writes the gateway's "pia request" line:
// at INFO for what an operator must see (every refusal, a reported
// violation, a request carried between versions, an upstream failure, an
// internal error), at DEBUG for a request forwarded as sent, whose line
// Caddy's access log already writes with the same facts (x.logged;
// policy request-log-in-the-access-log).
func (g *Gateway) finish(x *exchange, r *http.Request, status int, err error) {
	if status == 0 && err == nil {
		status = http.StatusOK
	}
	elapsed := now().Sub(x.start)
	if x.outcome == "" {
		x.outcome = outcomeInternalError
	}
	g.metrics.request(x, elapsed)
	level := zap.InfoLevel
	if x.asSent(status, err) || g.carriedAgain(x, status, err) {
		level = zap.DebugLevel
	}
	if ce := g.logger.Check(level, "pia request"); ce != nil {
		errField := zap.Skip()
		if err != nil {
			errField = zap.Error(err)
		}
		ce.Write(zap.Inline(x), zap.String("remote_ip", clientIP(r)), zap.Int("status", status),
			zap.Duration("duration", elapsed), errField)
	}
}

// carriedLogEvery is how often a client whose requests to a method the
// rules carry from its version gets an INFO line for it.
const carriedLogEvery = time.Hour

type carriedKey struct {
	client, method string
	version        pia.Version
}

// carriedAgain reports whether x was carried between versions, and went
// otherwise as a request forwarded as sent does, for a client, method and
// version already logged at INFO within carriedLogEvery: the operator
// learns that a client still speaks an older version without a line for
// every request it sends (policy request-log-in-the-access-log).
func (g *Gateway) carriedAgain(x *exchange, status int, err error) bool {
	if len(x.applied) == 0 || !x.forwardedWell(status, err) {
		return false
	}
	k := carriedKey{x.client, x.method.Name, x.clientVer}
	if last, ok := g.carried.Load(k); ok && x.start.Sub(last.(time.Time)) < carriedLogEvery {
		return true
	}
	g.carried.Store(k, x.start)
	return false
}

func clientIP(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok {
		return ip
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

// requestID keeps a sane incoming X-Request-Id and makes one otherwise.
func requestID(r *http.Request) string {
	if id := r.Header.Get(headerRequestID); id != "" && len(id) <= 128 && printable(id) {
		return id
	}
	// 128 random bits: unique, not secret (math/rand/v2's generator is
	// seeded by the runtime and costs no system call, crypto/rand's does).
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var h [32]byte
	hex.Encode(h[:], b[:])
	return string(h[:])
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// usualJSON reports the JSON types clients send most, which state UTF-8
// or no charset: decided without parsing (which allocates), on every
// request.
func usualJSON(ct string) bool {
	return strings.EqualFold(ct, "application/json") || strings.EqualFold(ct, "application/json; charset=utf-8") ||
		strings.EqualFold(ct, "application/json;charset=utf-8")
}

// isJSON reports a JSON media type: application/json, or one with the
// +json suffix.
func isJSON(contentType string) bool {
	if usualJSON(contentType) {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// reportHeader names the violations for report mode in X-PIA-Validation:
// for each, the field, the rule and the value received, within
// maxReportHeader bytes of ASCII (anything else is escaped \uXXXX), ending
// with how many it left out: `IZINFINAL.nib maxLength got="812000000000123"; (+2 more)`.
func reportHeader(errs []pia.FieldError, doc any) string {
	var b strings.Builder
	for i, e := range errs {
		part := asciiText(e.DottedField()) + " " + asciiText(e.Rule)
		if got, ok := receivedValue(doc, e.Field); ok {
			part += " got=" + got
		}
		if i > 0 {
			part = "; " + part
		}
		rest := len(errs) - i
		more := fmt.Sprintf("; (+%d more)", rest)
		if i == len(errs)-1 {
			more = ""
		}
		if b.Len()+len(part)+len(more) > maxReportHeader {
			if i == 0 {
				fmt.Fprintf(&b, "(%d violations)", len(errs))
			} else {
				fmt.Fprintf(&b, "; (+%d more)", rest)
			}
			break
		}
		b.WriteString(part)
	}
	return b.String()
}

// receivedValue renders, for the report header, the scalar a violation's
// pointer names in doc: a string quoted, other scalars as JSON writes them,
// clipped. A structure, a missing field or a secret one (a password, a
// key) gives nothing.
func receivedValue(doc any, ptr string) (string, bool) {
	if ptr == "" || validate.SecretField(ptr) {
		return "", false
	}
	cur, ok := jsonbody.Lookup(doc, jsonbody.PointerSegments(ptr))
	if !ok {
		return "", false
	}
	switch v := cur.(type) {
	case string:
		return strconv.QuoteToASCII(pia.Clip(v, pia.ClipHeaderValue)), true
	case json.Number:
		return asciiText(clipPath(string(v))), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "null", true
	}
	return "", false
}

// asciiText escapes what is not printable ASCII, as a header value needs.
func asciiText(s string) string {
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeJSON writes a tree back as JSON without encoding/json's HTML
// escaping, so a URL's & stays & and not \u0026 on its way upstream
// (jsonbody.AppendJSON: encoding/json's bytes, without its reflection). The
// buffer is sized from the body the tree was read from, which the carried
// body seldom outgrows.
func encodeJSON(doc any, body []byte) ([]byte, error) {
	return jsonbody.AppendJSON(make([]byte, 0, len(body)+len(body)/8), doc)
}

// passOn hands a request the gateway does not claim to the next handler.
// When nothing after it answers (a site with only pia), the client gets a
// 404 envelope rather than Caddy's empty 200, which a client reading only
// the status would record as a success (policy unclaimed-path-404).
func (g *Gateway) passOn(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	watch := &answerWatch{ResponseWriterWrapper: &caddyhttp.ResponseWriterWrapper{ResponseWriter: w}}
	err := next.ServeHTTP(watch, r)
	if err != nil || watch.wrote {
		return err
	}
	name := path.Base(r.URL.Path)
	if !methodName(name) {
		name = ""
	}
	x := &exchange{start: now(), name: name, requestID: requestID(r)}
	x.logged(r)
	w.Header().Set(headerRequestID, x.requestID)
	err = g.answer(x, w, http.StatusNotFound, outcomeUnclaimed, pia.MsgNoSuchPath, clipPath(r.URL.EscapedPath()))
	x.name = ""
	g.finish(x, r, http.StatusNotFound, err)
	return err
}

// answerWatch notes whether a handler answered.
type answerWatch struct {
	*caddyhttp.ResponseWriterWrapper
	wrote bool
}

func (a *answerWatch) WriteHeader(status int) {
	a.wrote = true
	a.ResponseWriterWrapper.WriteHeader(status)
}

func (a *answerWatch) Write(b []byte) (int, error) {
	a.wrote = true
	return a.ResponseWriterWrapper.Write(b)
}

func (a *answerWatch) ReadFrom(r io.Reader) (int64, error) {
	a.wrote = true
	return a.ResponseWriterWrapper.ReadFrom(r)
}

// methodName reports a name that can be a method's: letters and digits.
func methodName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// clipPath bounds what a client sent before a message quotes it.
func clipPath(s string) string { return pia.Clip(s, pia.ClipPath) }

// lenientType reports the Content-Types a JSON body is accepted under when
// it parses as JSON (policy content-type-lenient): PHP curl's default
// form type and text/plain.
func lenientType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/x-www-form-urlencoded" || mt == "text/plain"
}

// answerMayBeJSON reports whether an upstream's answer of Content-Type ct
// is read as JSON to be carried (policy answer-type-lenient): a JSON type,
// or none, text/html or text/plain, which a PHP application answering with
// echo json_encode(...) sends unless it says otherwise. What does not
// parse as JSON goes out as the upstream wrote it.
func answerMayBeJSON(ct string) bool {
	if ct == "" || isJSON(ct) {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/html" || mt == "text/plain")
}

// acceptedType reports whether a body is read under its Content-Type ct
// (policy content-type-lenient): a JSON type, none, or a form or text type
// with a body meant as JSON.
func acceptedType(ct string, body []byte) bool {
	return ct == "" || isJSON(ct) || lenientType(ct) && meantAsJSON(body)
}

// utf8BOM is the byte order mark some writers put before a body (.NET's
// Encoding.UTF8 in a StreamWriter, editors saving a template).
var utf8BOM = []byte("\xef\xbb\xbf")

// withoutBOM is a body without its leading UTF-8 byte order mark,
// if it has one (policy bom-dropped): read and forwarded without it.
func withoutBOM(body []byte) []byte { return bytes.TrimPrefix(body, utf8BOM) }

// meantAsJSON reports whether a body under a lenient type is read as JSON
// (policy content-type-lenient): valid JSON, or one that starts as an
// object or an array does, so that a broken one gets the broken-body
// answer saying where it breaks rather than a 415 about its type.
func meantAsJSON(body []byte) bool {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return true
	}
	return jsonbody.Valid(body)
}

// checkRoot refuses a body whose root is another method's, naming what was
// sent and what the method expects (policy wrong-root).
func (g *Gateway) checkRoot(x *exchange, doc any) *refusal {
	root := g.validator.Root(x.clientVer, x.method.Name, pia.Request)
	if root == "" {
		return nil
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		msg := pia.MsgNoRoot
		if s, isString := doc.(string); isString && strings.HasPrefix(strings.TrimSpace(s), "{") {
			// json_encode applied to what json_encode already made.
			msg = pia.MsgEncodedTwice
		}
		return &refusal{status: http.StatusBadRequest, outcome: outcomeInvalid, msg: msg, args: []any{x.method.Name, root},
			errors: []pia.FieldError{{Field: "", Rule: "type", Expected: "object", Msg: msg, Args: []any{x.method.Name, root}}}}
	}
	if _, ok := obj[root]; ok || len(obj) == 0 {
		return nil
	}
	if up := g.validator.Root(x.upstreamVer, x.method.Name, pia.Request); up != "" {
		// The upstream version's root under an older client's name for
		// itself: the version rules carry it (transform-rename-both).
		if _, ok := obj[up]; ok {
			return nil
		}
	}
	sent := make([]string, 0, len(obj))
	for k := range obj {
		sent = append(sent, k)
	}
	sort.Strings(sent)
	if len(sent) > 3 {
		sent = append(sent[:3], "…")
	}
	got := clipPath(strings.Join(sent, ", "))
	args := []any{got, x.method.Name, root}
	return &refusal{status: http.StatusBadRequest, outcome: outcomeInvalid, msg: pia.MsgWrongRoot, args: args,
		errors: []pia.FieldError{{Field: jsonbody.Pointer(root), Rule: "required", Expected: root, Got: got, Msg: pia.MsgWrongRoot, Args: args}}}
}

// supportedVersions lists, for a message, the versions a client may state.
func (g *Gateway) supportedVersions() string {
	var out []string
	for _, v := range g.catalog.Versions() {
		out = append(out, v.String())
	}
	s := strings.Join(out, ", ")
	if h := pia.HistoryVersions(); len(h) > 0 {
		s += "; " + g.lang.Text(pia.MsgHistoryVersions, h[0].String(), h[len(h)-1].String())
	}
	return s
}
