// Package caddymodule is the Caddy glue of caddy-pia: the http.handlers.pia
// gateway, its pia Caddyfile directive and the admin.api.pia endpoints.
// Protocol knowledge lives in internal/pia; tokens in auth; schemas in
// validate; version rules in transform.
package caddymodule

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
	"github.com/caddy-pia/caddy-pia/validate"
)

func init() {
	caddy.RegisterModule(Gateway{})
}

// Defaults applied in Provision, so JSON and Caddyfile users get the same
// gateway.
const (
	// DefaultMaxBodySize is the largest request body accepted: 10 MB.
	DefaultMaxBodySize = 10 << 20
	// DefaultMaxElements bounds the JSON values (members, elements and
	// scalars) of a request body the gateway decodes: 250000. The
	// largest real payload, a receiveNIB, holds about 38 values per KB
	// (the 38.7 KB 4.3.20 sample with every field filled: 1433), so the
	// bound fits a 6 MB receiveNIB while a 10 MB body of zeros (5 million
	// values) is refused before it costs a tree of half a gigabyte.
	DefaultMaxElements = 250000
)

// DefaultPrefixes are OSS's production and staging path prefixes.
var DefaultPrefixes = []string{"/v1/kl/rba", "/stg/v1/kl/rba"}

// Gateway is an integration gateway for the OSS RBA integration API (the
// PIA). It recognises <prefix>/<method>, authenticates the caller, adapts
// the payload between the caller's PIA version and the upstream's,
// validates it against the method's schema and hands it to the upstream
// serving the method (a reverse_proxy), answering every failure itself in
// the PIA's response envelope.
type Gateway struct {
	// Prefixes the method name follows. Default: /v1/kl/rba and
	// /stg/v1/kl/rba.
	Prefixes []string `json:"prefixes,omitempty"`

	// Upstreams by name. "oss" serves the methods OSS serves, "kld" those
	// the K/L/D serves; other names serve the methods routed to them.
	Upstreams map[string]*Upstream `json:"upstreams,omitempty"`

	// Methods configures single methods: routing overrides, validation
	// modes, and custom methods an agency adds.
	Methods map[string]*MethodConfig `json:"methods,omitempty"`

	// Aliases lets other names stand for a method (alias → method).
	Aliases map[string]string `json:"aliases,omitempty"`

	// ClientVersion is the PIA version assumed for a caller whose token and
	// X-PIA-Version header say nothing. Default: the upstream's version.
	ClientVersion string `json:"client_version,omitempty"`

	// Validation is the mode for every method: enforce, report or off.
	// Unset, the methods OSS calls (receiveNIB, receiveFileDS, ...) are in
	// report mode, so a push of OSS's is never lost over a deviation from
	// the documentation, and the methods K/L/D clients call are enforced.
	Validation string `json:"validation,omitempty"`

	// StripResponseFields removes from an answer carried to an older (or
	// newer) client the fields its version does not have. By default they
	// are kept: only renames, moves and retypes are applied.
	StripResponseFields bool `json:"strip_response_fields,omitempty"`

	// Strict rejects fields a schema does not declare.
	Strict bool `json:"strict,omitempty"`

	// SchemaDir adds or overrides schemas at provision:
	// <dir>/<version>/<method>.<request|response>.json.
	SchemaDir string `json:"schema_dir,omitempty"`

	// RulesDir adds or overrides version rules at provision:
	// <dir>/<from>-<to>.json.
	RulesDir string `json:"rules_dir,omitempty"`

	// MaxBodySize limits request bodies, in bytes. Default 10 MB.
	MaxBodySize int64 `json:"max_body_size,omitempty"`

	// MaxElements limits the JSON values (members, array elements and
	// scalars) of a request body the gateway decodes. Default 250000.
	MaxElements int `json:"max_elements,omitempty"`

	// Lang of the gateway's own messages: id (default) or en.
	Lang string `json:"lang,omitempty"`

	// Auth issues security keys through sendSecurityKey and verifies them
	// on every method OSS serves. Without it, keys pass through untouched.
	Auth *AuthConfig `json:"auth,omitempty"`

	// OSSToken verifies the Token OSS puts on its calls to K/L/D methods.
	OSSToken *OSSTokenConfig `json:"oss_token,omitempty"`

	// proxies holds the Caddyfile's reverse_proxy handlers until their
	// handle_response blocks are finalized.
	proxies map[string]*reverseproxy.Handler

	table     *pia.Table
	catalog   *pia.Catalog
	lang      pia.Lang
	prefixes  []string
	upstreams map[string]*upstream
	routes    map[string]*route
	validator *validate.Validator
	transform *transform.Engine
	// guards holds CarryAcross's guards by guardKey (serve.go guard).
	guards *sync.Map
	// carried holds when a client's requests to a method, carried from
	// its version, were last logged at INFO, by carriedKey (serve.go
	// finish).
	carried   *sync.Map
	keys      *keyService
	ossToken  *auth.OSSToken
	metrics   *metrics
	logger    *zap.Logger
	mode      validate.Mode
	clientVer pia.Version
	maxBody   int64
	decode    jsonbody.Options
}

// Upstream is one service requests are handed to.
type Upstream struct {
	// Proxy serves the requests: a reverse_proxy handler (any HTTP
	// handler module works, which tests and stand-ins use).
	ProxyRaw json.RawMessage `json:"proxy,omitempty" caddy:"namespace=http.handlers inline_key=handler"`

	// Version of the PIA the upstream speaks. Default 4.3.20.
	Version string `json:"version,omitempty"`

	// PathPrefix replaces the recognised prefix on the way upstream, so
	// /v1/kl/rba/receiveNIB reaches a K/L/D app as <path_prefix>/receiveNIB.
	// Empty keeps the path as received.
	PathPrefix string `json:"path_prefix,omitempty"`
}

// MethodConfig configures one method.
type MethodConfig struct {
	// Side serves a custom method: oss or kld. Not settable for the
	// PIA's own methods.
	Side string `json:"side,omitempty"`

	// Upstream names the upstream serving the method instead of its
	// side's.
	Upstream string `json:"upstream,omitempty"`

	// Verb is the HTTP method of a custom method. Default POST.
	Verb string `json:"verb,omitempty"`

	// Schema is a file holding the request schema of a custom method; it
	// applies to every PIA version.
	Schema string `json:"schema,omitempty"`

	// Validation overrides the gateway's mode for this method.
	Validation string `json:"validation,omitempty"`

	// ClientVersion overrides the gateway's default client version.
	ClientVersion string `json:"client_version,omitempty"`

	// OSSToken is "off" to let a method the K/L/D serves be called
	// without OSS's Token when oss_token is configured (a method of the
	// agency's own that OSS does not sign). Every other method of the
	// K/L/D side requires it.
	OSSToken string `json:"oss_token,omitempty"`
}

// upstream is a provisioned Upstream.
type upstream struct {
	name       string
	handler    caddyhttp.MiddlewareHandler
	version    pia.Version
	pathPrefix string
	// versionText is version as X-PIA-Version states it upstream, written
	// once.
	versionText string
}

// route is everything the request path needs to know about one method,
// resolved at provision.
type route struct {
	method   *pia.Method
	upstream *upstream
	mode     validate.Mode
	// cleaner reads a request from a client of the upstream's version
	// on its bytes (validate.Clean), its schema looked up once. It has a
	// schema (Cleaner.Has) exactly when a request is validated: mode is
	// not off and the upstream's version has a request schema for the
	// method.
	cleaner   validate.Cleaner
	clientVer pia.Version // the caller's version when nothing else says
	// ossToken: the caller must show OSS's Token (oss_token is configured,
	// the method is on the K/L/D side and does not opt out).
	ossToken bool
	// series are the method's metrics for a forwarded request, made on
	// its first (metrics.request).
	series atomic.Pointer[methodSeries]
}

// CaddyModule returns the Caddy module information.
func (Gateway) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.pia",
		New: func() caddy.Module { return new(Gateway) },
	}
}

// Provision sets defaults, loads schemas, rules, keys and upstreams, and
// fails the config load on anything wrong, so no request ever meets a
// broken configuration.
func (g *Gateway) Provision(ctx caddy.Context) error {
	if g.logger == nil { // caddy pia validate provisions a quiet one
		g.logger = ctx.Logger()
	}
	var err error
	// Defaults go into the exported fields, as Caddy's modules do, so the
	// provisioned module says what is in force.
	if g.lang, err = pia.ParseLang(g.Lang); err != nil {
		return fmt.Errorf("loading lang: %w", err)
	}
	g.Lang = g.lang.String()
	if len(g.Prefixes) == 0 {
		g.Prefixes = append([]string(nil), DefaultPrefixes...)
	}
	g.prefixes = nil
	for _, p := range g.Prefixes {
		p = "/" + strings.Trim(p, "/")
		if p == "/" {
			p = ""
		}
		g.prefixes = append(g.prefixes, p)
	}
	// The longest prefix wins, whatever the order they are given in: with
	// "/" and "/v1/kl/rba", /v1/kl/rba/receiveLicense is receiveLicense
	// under /v1/kl/rba, and /receiveLicense the legacy OSS 1.1 path.
	sort.SliceStable(g.prefixes, func(i, j int) bool { return len(g.prefixes[i]) > len(g.prefixes[j]) })
	if g.MaxBodySize <= 0 {
		g.MaxBodySize = DefaultMaxBodySize
	}
	g.maxBody = g.MaxBodySize
	if g.MaxElements <= 0 {
		g.MaxElements = DefaultMaxElements
	}
	g.decode = jsonbody.Options{Strict: true, MaxElements: g.MaxElements}
	if g.mode, err = validate.ParseMode(g.Validation); err != nil {
		return fmt.Errorf("loading validation: %w", err)
	}
	if g.ClientVersion != "" {
		if g.clientVer, err = pia.ParseVersion(g.ClientVersion); err != nil {
			return fmt.Errorf("loading client_version: %w", err)
		}
	}

	g.table = pia.NewTable()
	g.catalog, err = pia.NewCatalog()
	if err != nil {
		return fmt.Errorf("loading schemas: %w", err)
	}
	if g.SchemaDir != "" {
		if err := g.catalog.LoadDir(g.SchemaDir); err != nil {
			return fmt.Errorf("loading schemas: %w", err)
		}
	}
	if err := g.provisionMethods(); err != nil {
		return fmt.Errorf("loading methods: %w", err)
	}
	for alias, canonical := range g.Aliases {
		if err := g.table.AddAlias(alias, canonical); err != nil {
			return fmt.Errorf("loading alias %s: %w", alias, err)
		}
	}
	g.guards, g.carried = new(sync.Map), new(sync.Map)
	if g.validator, err = validate.New(g.catalog, validate.Options{Strict: g.Strict, Lang: g.lang}); err != nil {
		return fmt.Errorf("loading schemas: %w", err)
	}
	for _, w := range g.validator.Warnings() {
		g.logger.Warn("schema without a validation plan", zap.String("detail", w))
	}
	var ruleDirs []string
	if g.RulesDir != "" {
		ruleDirs = append(ruleDirs, g.RulesDir)
	}
	if g.transform, err = transform.Load(g.catalog, ruleDirs...); err != nil {
		return fmt.Errorf("loading rules: %w", err)
	}
	g.transform.StripResponses(g.StripResponseFields)
	if err := g.provisionSteps(); err != nil {
		return err
	}
	if err := g.provisionUpstreams(ctx); err != nil {
		return err
	}
	if err := g.provisionRoutes(); err != nil {
		return fmt.Errorf("loading routes: %w", err)
	}
	// Compiled: the schema documents are no longer needed.
	g.catalog.Compact()
	if g.metrics, err = newMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("loading metrics: %w", err)
	}
	if g.Auth != nil {
		if g.keys, err = newKeyService(ctx, g.Auth, g.table, g.logger); err != nil {
			return fmt.Errorf("loading auth: %w", err)
		}
	} else {
		g.logger.Warn("no auth configured: security keys pass through to the upstream unverified")
	}
	if g.OSSToken != nil {
		if g.ossToken, err = newOSSToken(g.OSSToken); err != nil {
			return fmt.Errorf("loading oss_token: %w", err)
		}
	} else if g.servesSide(pia.SideKLD) {
		g.logger.Warn("no oss_token configured: the methods OSS calls reach the K/L/D application without OSS's Token being checked")
	}
	return nil
}

// provisionMethods adds custom methods and their schemas to the table.
func (g *Gateway) provisionMethods() error {
	for name, mc := range g.Methods {
		if mc == nil {
			return fmt.Errorf("method %s: empty configuration", name)
		}
		if _, known := g.table.Lookup(name); known {
			if mc.Side != "" || mc.Schema != "" || mc.Verb != "" {
				return fmt.Errorf("method %s is defined by the PIA: its side, verb and schema cannot be changed", name)
			}
			continue
		}
		if mc.Side == "" {
			return fmt.Errorf("method %s is not a PIA method: declare its side (oss or kld) to add it", name)
		}
		side, err := pia.ParseSide(mc.Side)
		if err != nil {
			return fmt.Errorf("method %s: %w", name, err)
		}
		verb := strings.ToUpper(mc.Verb)
		if verb == "" {
			verb = http.MethodPost
		}
		if err := g.table.Add(pia.Method{Name: name, Side: side, HTTPMethod: verb, Custom: true}); err != nil {
			return err
		}
		if mc.Schema == "" {
			g.logger.Warn("custom method declared without a schema: its payloads are forwarded unvalidated; give it one with schema <file>",
				zap.String("method", name))
		}
		if mc.Schema != "" {
			raw, err := os.ReadFile(mc.Schema)
			if err != nil {
				return fmt.Errorf("method %s: schema: %w", name, err)
			}
			if err := g.catalog.Add(pia.Version{}, name, pia.Request, raw, mc.Schema); err != nil {
				return err
			}
		}
	}
	return nil
}

// provisionSteps applies what the version steps say of methods: a method a
// step declares that the table does not know is added (an imported version
// routes its new methods), and a withdrawn one is answered 410 from that
// version on.
func (g *Gateway) provisionSteps() error {
	for _, d := range g.transform.Added() {
		if _, known := g.table.Lookup(d.Name); known {
			continue
		}
		side, _ := pia.ParseSide(d.Side)
		verb := strings.ToUpper(d.Verb)
		if verb == "" {
			verb = http.MethodPost
		}
		if err := g.table.Add(pia.Method{Name: d.Name, Side: side, HTTPMethod: verb}); err != nil {
			return fmt.Errorf("loading rules: %w", err)
		}
	}
	for name, v := range g.transform.Withdrawn() {
		if err := g.table.Withdraw(name, v); err != nil {
			return fmt.Errorf("loading rules: %w", err)
		}
	}
	return nil
}

func (g *Gateway) provisionUpstreams(ctx caddy.Context) error {
	g.upstreams = make(map[string]*upstream, len(g.Upstreams))
	for name, u := range g.Upstreams {
		if u == nil || u.ProxyRaw == nil {
			return fmt.Errorf("loading upstream %s: no proxy", name)
		}
		mod, err := ctx.LoadModule(u, "ProxyRaw")
		if err != nil {
			return fmt.Errorf("loading upstream %s: %w", name, err)
		}
		v := pia.DefaultVersion
		if u.Version != "" {
			if v, err = pia.ParseVersion(u.Version); err != nil {
				return fmt.Errorf("loading upstream %s: %w", name, err)
			}
		}
		u.Version = v.String()
		if !g.catalog.Known(v) {
			return fmt.Errorf("loading upstream %s: no schemas for PIA %s (add them with schema_dir)", name, v)
		}
		prefix := ""
		if u.PathPrefix != "" {
			prefix = "/" + strings.Trim(u.PathPrefix, "/")
			if prefix == "/" {
				prefix = ""
			}
		}
		g.upstreams[name] = &upstream{name: name, handler: mod.(caddyhttp.MiddlewareHandler), version: v, versionText: v.String(), pathPrefix: prefix}
	}
	return nil
}

func (g *Gateway) provisionRoutes() error {
	g.routes = make(map[string]*route)
	g.clientVer = g.snapshotOf(g.clientVer)
	for _, m := range g.table.Methods() {
		rt := &route{method: m, mode: g.mode, clientVer: g.clientVer, ossToken: g.OSSToken != nil && m.Side == pia.SideKLD}
		if g.Validation == "" && m.Side == pia.SideKLD {
			rt.mode = validate.ModeReport // OSS's pushes are never lost (see Validation)
		}
		upName := m.Side.String()
		if mc := g.Methods[m.Name]; mc != nil {
			if mc.Upstream != "" {
				if g.upstreams[mc.Upstream] == nil {
					return fmt.Errorf("method %s: unknown upstream %q", m.Name, mc.Upstream)
				}
				upName = mc.Upstream
			}
			if mc.Validation != "" {
				mode, err := validate.ParseMode(mc.Validation)
				if err != nil {
					return fmt.Errorf("method %s: %w", m.Name, err)
				}
				rt.mode = mode
			}
			switch strings.ToLower(mc.OSSToken) {
			case "", "required":
			case "off":
				if m.Side != pia.SideKLD {
					return fmt.Errorf("method %s: oss_token off: only a method the K/L/D serves takes OSS's Token", m.Name)
				}
				rt.ossToken = false
			default:
				return fmt.Errorf("method %s: oss_token %q: want off or required", m.Name, mc.OSSToken)
			}
			if mc.ClientVersion != "" {
				v, err := pia.ParseVersion(mc.ClientVersion)
				if err != nil {
					return fmt.Errorf("method %s: client_version: %w", m.Name, err)
				}
				rt.clientVer = g.snapshotOf(v)
			}
		}
		rt.upstream = g.upstreams[upName]
		if rt.upstream != nil && rt.mode != validate.ModeOff {
			rt.cleaner = g.validator.Cleaner(rt.upstream.version, m.Name, pia.Request)
		}
		if rt.clientVer.IsZero() {
			var ossVer, upVer pia.Version
			if oss := g.upstreams["oss"]; oss != nil {
				ossVer = oss.version
			}
			if rt.upstream != nil {
				upVer = rt.upstream.version
			}
			rt.clientVer = pia.DefaultCallerVersion(m.Side, ossVer, upVer)
		}
		g.routes[m.Name] = rt
	}
	for name := range g.Methods {
		if _, ok := g.routes[name]; !ok {
			return fmt.Errorf("method %s: not routed", name)
		}
	}
	if !g.clientVer.IsZero() && !g.catalog.Known(g.clientVer) {
		return fmt.Errorf("client_version: no schemas for PIA %s", g.clientVer)
	}
	return nil
}

// servesSide reports whether any method of the side has an upstream.
func (g *Gateway) servesSide(side pia.Side) bool {
	for _, rt := range g.routes {
		if rt.method.Side == side && rt.upstream != nil {
			return true
		}
	}
	return false
}

// snapshotOf is the snapshot a document-history version without one is
// served as (policy history-versions); other versions are themselves.
func (g *Gateway) snapshotOf(v pia.Version) pia.Version {
	if s, ok := pia.HistoryVersion(v); ok && !g.catalog.Known(v) {
		return s
	}
	return v
}

// Validate checks what Provision could not: that something is routed.
func (g *Gateway) Validate() error {
	if len(g.upstreams) == 0 {
		return fmt.Errorf("pia: no upstream configured: give at least oss or kld")
	}
	return nil
}

// Cleanup releases what Provision acquired.
func (g *Gateway) Cleanup() error {
	if g.keys != nil {
		g.keys.close()
	}
	return nil
}

// now is the gateway's clock; tests replace it.
var now = time.Now

// Interface guards
var (
	_ caddy.Provisioner           = (*Gateway)(nil)
	_ caddy.Validator             = (*Gateway)(nil)
	_ caddy.CleanerUpper          = (*Gateway)(nil)
	_ caddyhttp.MiddlewareHandler = (*Gateway)(nil)
)
