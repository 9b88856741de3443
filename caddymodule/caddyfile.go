package caddymodule

import (
	"fmt"
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"github.com/dustin/go-humanize"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/validate"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("pia", parseCaddyfile)
	// pia claims only its own paths and passes the rest on, so it runs
	// before respond: a catch-all respond then serves everything else.
	httpcaddyfile.RegisterDirectiveOrder("pia", httpcaddyfile.Before, "respond")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	g := new(Gateway)
	if err := g.UnmarshalCaddyfile(h.Dispenser); err != nil {
		return nil, err
	}
	// handle_response blocks inside an upstream need the helper.
	for name, rp := range g.proxies {
		if err := rp.FinalizeUnmarshalCaddyfile(h); err != nil {
			return nil, err
		}
		g.Upstreams[name].ProxyRaw = caddyconfig.JSONModuleObject(rp, "handler", "reverse_proxy", nil)
	}
	g.proxies = nil
	return g, nil
}

// UnmarshalCaddyfile sets up the gateway from Caddyfile tokens:
//
//	pia [<matcher>] {
//	    prefixes        <path...>             # default /v1/kl/rba /stg/v1/kl/rba; the longest matching wins
//	    lang            id|en                 # default id
//	    max_body_size   <size>                # default 10MB
//	    max_elements    <n>                   # JSON values in a body; default 250000
//	    validation      enforce|report|off    # default: report for the methods OSS calls, enforce for the others
//	    strict                                # reject undeclared fields
//	    strip_response_fields                 # drop fields the client's version lacks from answers
//	    schema_dir      <dir>                 # add/override schemas
//	    rules_dir       <dir>                 # add/override version rules
//	    client_version  <version>             # caller's version when nothing says
//
//	    # upstreams: any reverse_proxy syntax, plus version and path_prefix
//	    oss <upstreams...> {
//	        version     <version>             # default 4.3.20
//	        path_prefix <path>                # default: keep the path
//	        ...                               # reverse_proxy subdirectives
//	    }
//	    kld <upstreams...> { ... }
//	    upstream <name> <upstreams...> { ... }
//
//	    method <name> {
//	        upstream        <name>
//	        validation      enforce|report|off
//	        client_version  <version>
//	        side            oss|kld           # custom methods only
//	        verb            <http method>     # custom methods only, default POST
//	        schema          <file>            # custom methods only
//	        oss_token       off               # K/L/D side: no Token needed
//	    }
//	    alias <alias> <method>
//
//	    auth {
//	        issuer     <iss>                  # default caddy-pia
//	        audience   <aud>                  # default pia
//	        ttl        <duration>             # default 24h
//	        key <kid> hs256 <secret>
//	        key <kid> rs256|es256|eddsa <private.pem>
//	        key <kid> rs256|es256|eddsa {
//	            private_key_file <file>
//	            public_key_file  <file>       # verify only
//	        }
//	        signing_key   <kid>               # default: the first key that can sign
//	        client <name> {
//	            user_akses    <user>
//	            password_hash <bcrypt hash>
//	            methods       <method...>|*
//	            version       <version>
//	            kd_instansi   <code>
//	        }
//	        token_headers <header...>         # default user_key OSS-API-KEY Authorization
//	        jwks_path     <path>
//	        lockout    <max failures> <window> <cooldown>   # default 5 5m 15m
//	        revocation_refresh <duration>     # default 5s
//	        revoke jti <jti> [until <RFC 3339 time>]
//	        revoke client <name> before <RFC 3339 time>
//	    }
//	    oss_token {
//	        username <username>
//	        password <password>
//	        skew     <duration>               # default 5m
//	    }
//	}
//
// Every option is spelled as its JSON field. The spellings of the previous
// release (prefix, max_body, schemas, rules, sign, headers, jwks,
// private_key, public_key, a client's password) are accepted for one more
// release, with a warning.
func (g *Gateway) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	once := func(name string) error {
		if seen[name] {
			return d.Errf("duplicate subdirective %q", name)
		}
		seen[name] = true
		return nil
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		sub := optionName(d, gatewayRenames)
		switch sub {
		case "oss", "kld", "upstream":
			name := sub
			if sub == "upstream" {
				if !d.NextArg() {
					return d.ArgErr()
				}
				name = d.Val()
				if name == "oss" || name == "kld" {
					return d.Errf("upstream %s: write it as the %s subdirective", name, name)
				}
			}
			if err := once("upstream " + name); err != nil {
				return err
			}
			if err := g.unmarshalUpstream(d, name); err != nil {
				return err
			}
			continue
		case "method":
			if err := g.unmarshalMethod(d); err != nil {
				return err
			}
			continue
		case "alias":
			args := d.RemainingArgs()
			if len(args) != 2 {
				return d.ArgErr()
			}
			if g.Aliases == nil {
				g.Aliases = map[string]string{}
			}
			if _, dup := g.Aliases[args[0]]; dup {
				return d.Errf("duplicate alias %q", args[0])
			}
			g.Aliases[args[0]] = args[1]
			continue
		case "auth":
			if err := once(sub); err != nil {
				return err
			}
			g.Auth = new(AuthConfig)
			if err := g.Auth.unmarshal(d); err != nil {
				return err
			}
			continue
		case "oss_token":
			if err := once(sub); err != nil {
				return err
			}
			g.OSSToken = new(OSSTokenConfig)
			if err := g.OSSToken.unmarshal(d); err != nil {
				return err
			}
			continue
		}
		if err := once(sub); err != nil {
			return err
		}
		switch sub {
		case "prefixes":
			g.Prefixes = d.RemainingArgs()
			if len(g.Prefixes) == 0 {
				return d.ArgErr()
			}
		case "lang":
			if err := oneArg(d, &g.Lang); err != nil {
				return err
			}
		case "max_elements":
			var s string
			if err := oneArg(d, &s); err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return d.Errf("max_elements %q: want a positive number", s)
			}
			g.MaxElements = n
		case "max_body_size":
			var s string
			if err := oneArg(d, &s); err != nil {
				return err
			}
			n, err := humanize.ParseBytes(s)
			if err != nil || n == 0 {
				return d.Errf("max_body_size %q: want a size such as 10MB", s)
			}
			g.MaxBodySize = int64(n)
		case "validation":
			if err := oneArg(d, &g.Validation); err != nil {
				return err
			}
			if _, err := validate.ParseMode(g.Validation); err != nil {
				return d.WrapErr(err)
			}
		case "strict":
			if d.NextArg() {
				return d.ArgErr()
			}
			g.Strict = true
		case "strip_response_fields":
			if d.NextArg() {
				return d.ArgErr()
			}
			g.StripResponseFields = true
		case "schema_dir":
			if err := oneArg(d, &g.SchemaDir); err != nil {
				return err
			}
		case "rules_dir":
			if err := oneArg(d, &g.RulesDir); err != nil {
				return err
			}
		case "client_version":
			if err := oneArg(d, &g.ClientVersion); err != nil {
				return err
			}
		default:
			return d.Errf("unrecognized subdirective %q", sub)
		}
	}
	return nil
}

// unmarshalUpstream reads "<name> <upstreams...> { ... }" with
// reverse_proxy's own parser, after taking out version and path_prefix.
func (g *Gateway) unmarshalUpstream(d *caddyfile.Dispenser, name string) error {
	seg := d.NewFromNextSegment()
	up := new(Upstream)
	for seg.Next() {
		for seg.NextBlock(0) {
			if seg.Nesting() != 1 {
				continue
			}
			switch seg.Val() {
			case "version", "path_prefix":
				key := seg.Val()
				if !seg.NextArg() {
					return seg.ArgErr()
				}
				val := seg.Val()
				if seg.NextArg() {
					return seg.ArgErr()
				}
				if key == "version" {
					if up.Version != "" {
						return seg.Errf("duplicate subdirective %q", key)
					}
					up.Version = val
				} else {
					if up.PathPrefix != "" {
						return seg.Errf("duplicate subdirective %q", key)
					}
					up.PathPrefix = val
				}
				seg.DeleteN(2)
			}
		}
	}
	seg.Reset()
	rp := new(reverseproxy.Handler)
	if err := rp.UnmarshalCaddyfile(seg); err != nil {
		return err
	}
	if rp.Upstreams == nil && rp.DynamicUpstreamsRaw == nil {
		return d.Errf("upstream %s: give at least one upstream address", name)
	}
	up.ProxyRaw = caddyconfig.JSONModuleObject(rp, "handler", "reverse_proxy", nil)
	if g.Upstreams == nil {
		g.Upstreams = map[string]*Upstream{}
	}
	if g.proxies == nil {
		g.proxies = map[string]*reverseproxy.Handler{}
	}
	g.Upstreams[name] = up
	g.proxies[name] = rp
	return nil
}

func (g *Gateway) unmarshalMethod(d *caddyfile.Dispenser) error {
	if !d.NextArg() {
		return d.ArgErr()
	}
	name := d.Val()
	if d.NextArg() {
		return d.ArgErr()
	}
	if g.Methods == nil {
		g.Methods = map[string]*MethodConfig{}
	}
	if g.Methods[name] != nil {
		return d.Errf("duplicate method %q", name)
	}
	mc := new(MethodConfig)
	g.Methods[name] = mc
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		if seen[key] {
			return d.Errf("method %s: duplicate subdirective %q", name, key)
		}
		seen[key] = true
		var dst *string
		switch key {
		case "upstream":
			dst = &mc.Upstream
		case "validation":
			dst = &mc.Validation
		case "client_version":
			dst = &mc.ClientVersion
		case "side":
			dst = &mc.Side
		case "verb":
			dst = &mc.Verb
		case "schema":
			dst = &mc.Schema
		case "oss_token":
			dst = &mc.OSSToken
		default:
			return d.Errf("method %s: unrecognized subdirective %q", name, key)
		}
		if err := oneArg(d, dst); err != nil {
			return err
		}
	}
	return nil
}

func (a *AuthConfig) unmarshal(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := optionName(d, authRenames)
		if key != "key" && key != "client" && key != "revoke" {
			if seen[key] {
				return d.Errf("auth: duplicate subdirective %q", key)
			}
			seen[key] = true
		}
		switch key {
		case "issuer":
			if err := oneArg(d, &a.Issuer); err != nil {
				return err
			}
		case "audience":
			if err := oneArg(d, &a.Audience); err != nil {
				return err
			}
		case "ttl":
			if err := durationArg(d, &a.TTL); err != nil {
				return err
			}
		case "signing_key":
			if err := oneArg(d, &a.SigningKey); err != nil {
				return err
			}
		case "jwks_path":
			if err := oneArg(d, &a.JWKSPath); err != nil {
				return err
			}
		case "token_headers":
			a.TokenHeaders = d.RemainingArgs()
			if len(a.TokenHeaders) == 0 {
				return d.ArgErr()
			}
		case "revocation_refresh":
			if err := durationArg(d, &a.RevocationRefresh); err != nil {
				return err
			}
		case "lockout":
			args := d.RemainingArgs()
			if len(args) != 3 {
				return d.Errf("lockout: want <max failures> <window> <cooldown>")
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return d.Errf("lockout: %q is not a positive number", args[0])
			}
			win, err := caddy.ParseDuration(args[1])
			if err != nil {
				return d.WrapErr(err)
			}
			cool, err := caddy.ParseDuration(args[2])
			if err != nil {
				return d.WrapErr(err)
			}
			a.Lockout = &LockoutConfig{MaxFailures: n, Window: caddy.Duration(win), Cooldown: caddy.Duration(cool)}
		case "key":
			k, err := unmarshalKey(d)
			if err != nil {
				return err
			}
			for _, other := range a.Keys {
				if other.ID == k.ID {
					return d.Errf("auth: duplicate key %q", k.ID)
				}
			}
			a.Keys = append(a.Keys, k)
		case "client":
			c, err := unmarshalClient(d)
			if err != nil {
				return err
			}
			for _, other := range a.Clients {
				if other.Name == c.Name {
					return d.Errf("auth: duplicate client %q", c.Name)
				}
			}
			a.Clients = append(a.Clients, c)
		case "revoke":
			args := d.RemainingArgs()
			switch {
			case len(args) == 2 && args[0] == "jti":
				a.Revoke = append(a.Revoke, auth.Revocation{JTI: args[1]})
			case len(args) == 4 && args[0] == "jti" && args[2] == "until":
				a.Revoke = append(a.Revoke, auth.Revocation{JTI: args[1], Until: args[3]})
			case len(args) == 4 && args[0] == "client" && args[2] == "before":
				a.Revoke = append(a.Revoke, auth.Revocation{Client: args[1], Before: args[3]})
			default:
				return d.Errf("revoke: want 'jti <jti> [until <time>]' or 'client <name> before <time>'")
			}
		default:
			return d.Errf("auth: unrecognized subdirective %q", key)
		}
	}
	return nil
}

func unmarshalKey(d *caddyfile.Dispenser) (*KeyConfig, error) {
	args := d.RemainingArgs()
	if len(args) < 2 || len(args) > 3 {
		return nil, d.Errf("key: want <kid> <algorithm> [<secret or private key file>]")
	}
	k := &KeyConfig{ID: args[0], Algorithm: auth.CanonicalAlgorithm(args[1])}
	if len(args) == 3 {
		if k.Algorithm == auth.HS256 {
			k.Secret = args[2]
		} else {
			k.PrivateKeyFile = args[2]
		}
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch optionName(d, keyRenames) {
		case "secret":
			if err := oneArg(d, &k.Secret); err != nil {
				return nil, err
			}
		case "private_key_file":
			if err := oneArg(d, &k.PrivateKeyFile); err != nil {
				return nil, err
			}
		case "public_key_file":
			if err := oneArg(d, &k.PublicKeyFile); err != nil {
				return nil, err
			}
		default:
			return nil, d.Errf("key %s: unrecognized subdirective %q", k.ID, d.Val())
		}
	}
	return k, nil
}

func unmarshalClient(d *caddyfile.Dispenser) (*ClientConfig, error) {
	if !d.NextArg() {
		return nil, d.ArgErr()
	}
	c := &ClientConfig{Name: d.Val()}
	if d.NextArg() {
		return nil, d.ArgErr()
	}
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := optionName(d, clientRenames)
		if seen[key] {
			return nil, d.Errf("client %s: duplicate subdirective %q", c.Name, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "user_akses":
			err = oneArg(d, &c.UserAkses)
		case "password_hash":
			err = oneArg(d, &c.PasswordHash)
		case "methods":
			c.Methods = d.RemainingArgs()
			if len(c.Methods) == 0 {
				err = d.ArgErr()
			}
		case "version":
			err = oneArg(d, &c.Version)
		case "kd_instansi":
			err = oneArg(d, &c.KdInstansi)
		default:
			err = d.Errf("client %s: unrecognized subdirective %q", c.Name, key)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (o *OSSTokenConfig) unmarshal(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		if seen[key] {
			return d.Errf("oss_token: duplicate subdirective %q", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "username":
			err = oneArg(d, &o.Username)
		case "password":
			err = oneArg(d, &o.Password)
		case "skew":
			err = durationArg(d, &o.Skew)
		default:
			err = d.Errf("oss_token: unrecognized subdirective %q", key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// The Caddyfile spellings of the previous release, each renamed to its
// JSON field's name: accepted for one more release, with a warning.
var (
	gatewayRenames = map[string]string{"prefix": "prefixes", "max_body": "max_body_size", "schemas": "schema_dir", "rules": "rules_dir"}
	authRenames    = map[string]string{"sign": "signing_key", "headers": "token_headers", "jwks": "jwks_path"}
	keyRenames     = map[string]string{"private_key": "private_key_file", "public_key": "public_key_file"}
	clientRenames  = map[string]string{"password": "password_hash"}
)

// caddyfileLogger receives the warnings of the Caddyfile adapter, as
// Caddy's own directives give them; tests replace it.
var caddyfileLogger = func() *zap.Logger { return caddy.Log().Named("config.adapter.caddyfile") }

// optionName is the option the dispenser is at, spelled as its JSON field:
// a spelling of the previous release is taken, with a warning.
func optionName(d *caddyfile.Dispenser, renames map[string]string) string {
	name := d.Val()
	if current, ok := renames[name]; ok {
		caddyfileLogger().Warn(fmt.Sprintf("pia: the subdirective '%s' is deprecated, please use '%s' instead", name, current),
			zap.String("file", d.File()), zap.Int("line", d.Line()))
		return current
	}
	return name
}

func oneArg(d *caddyfile.Dispenser, dst *string) error {
	if !d.NextArg() {
		return d.ArgErr()
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.ArgErr()
	}
	return nil
}

func durationArg(d *caddyfile.Dispenser, dst *caddy.Duration) error {
	var s string
	if err := oneArg(d, &s); err != nil {
		return err
	}
	v, err := caddy.ParseDuration(s)
	if err != nil {
		return d.Errf("%q is not a duration: %v", s, err)
	}
	*dst = caddy.Duration(v)
	return nil
}

// Interface guards
var _ caddyfile.Unmarshaler = (*Gateway)(nil)
