package caddymodule

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-pia/caddy-pia/auth"
)

func init() {
	caddy.RegisterModule(AdminAPI{})
}

// AdminAPI adds the gateway's endpoints to Caddy's admin API:
//
//	GET  /pia/revocations   the revocation list
//	POST /pia/revocations   {"jti": "<jti>"} revokes one security key
//	                        (optionally "until": its expiry, RFC 3339);
//	                        {"client": "<name>", "before": "<RFC 3339>"}
//	                        revokes every key of a client issued before
//	                        then (default: now)
//
// Revocations live in Caddy's storage, so every gateway instance sharing
// that storage refuses the keys within its revocation_refresh; the
// instance that served the call refuses them at once.
type AdminAPI struct {
	storage auth.Storage
}

// CaddyModule returns the Caddy module information.
func (AdminAPI) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "admin.api.pia",
		New: func() caddy.Module { return new(AdminAPI) },
	}
}

// Provision takes the storage revocations are kept in.
func (a *AdminAPI) Provision(ctx caddy.Context) error {
	a.storage = ctx.Storage()
	return nil
}

// Routes returns the admin routes.
func (a *AdminAPI) Routes() []caddy.AdminRoute {
	return []caddy.AdminRoute{{Pattern: "/pia/revocations", Handler: caddy.AdminHandlerFunc(a.handleRevocations)}}
}

func (a *AdminAPI) handleRevocations(w http.ResponseWriter, r *http.Request) error {
	revs, live := a.revocations()
	switch r.Method {
	case http.MethodGet:
		if err := revs.Refresh(r.Context()); err != nil {
			return caddy.APIError{HTTPStatus: http.StatusInternalServerError, Err: err}
		}
	case http.MethodPost:
		var req auth.Revocation
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return badAdminRequest(fmt.Errorf("body: %w", err))
		}
		if req.Client != "" && !clientKnown(req.Client) {
			return badAdminRequest(fmt.Errorf("revoke client: no running gateway has a client %q: nothing would be revoked", req.Client))
		}
		if err := revs.Revoke(r.Context(), req); err != nil {
			return badAdminRequest(err)
		}
		for _, other := range live {
			_ = other.Refresh(r.Context()) // the others read it from storage anyway
		}
	default:
		return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s not allowed", r.Method)}
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(revs.List())
}

// revocations returns the list to act on: a running gateway's, which knows
// the token lifetime, or one read straight from storage, and the other
// running gateways' lists to refresh.
func (a *AdminAPI) revocations() (*auth.Revocations, []*auth.Revocations) {
	var live []*auth.Revocations
	revocationPool.Range(func(_, v any) bool {
		live = append(live, v.(pooledRevocations).Revocations)
		return true
	})
	if len(live) > 0 {
		return live[0], live[1:]
	}
	return auth.NewRevocations(auth.RevocationConfig{Storage: a.storage}), nil
}

// clientKnown reports whether a running gateway has the client, or no
// running gateway has clients to say (one that only verifies keys issued
// elsewhere, or none at all): then the name cannot be checked.
func clientKnown(name string) bool {
	if _, ok := clientPool.References(name); ok {
		return true
	}
	some := false
	clientPool.Range(func(_, _ any) bool {
		some = true
		return false
	})
	return !some
}

func badAdminRequest(err error) error {
	return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: err}
}

// Interface guards
var (
	_ caddy.AdminRouter = (*AdminAPI)(nil)
	_ caddy.Provisioner = (*AdminAPI)(nil)
)
