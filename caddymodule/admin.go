package caddymodule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-pia/caddy-pia/auth"
)

func init() {
	caddy.RegisterModule(AdminAPI{})
}

// AdminAPI adds the gateway's endpoints to Caddy's admin API:
//
//	GET  /pia/revocations   the revocation list
//	POST /pia/revocations   {"jti": "<jti>"} revokes one security key;
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

// revocationRequest is the body of POST /pia/revocations.
type revocationRequest struct {
	JTI    string `json:"jti,omitempty"`
	Until  string `json:"until,omitempty"`
	Client string `json:"client,omitempty"`
	Before string `json:"before,omitempty"`
}

func (a *AdminAPI) handleRevocations(w http.ResponseWriter, r *http.Request) error {
	revs, live := a.revocations()
	switch r.Method {
	case http.MethodGet:
		if err := revs.Refresh(r.Context()); err != nil {
			return caddy.APIError{HTTPStatus: http.StatusInternalServerError, Err: err}
		}
	case http.MethodPost:
		var req revocationRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return badAdminRequest(fmt.Errorf("body: %w", err))
		}
		if err := revoke(r, revs, req); err != nil {
			return err
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

func revoke(r *http.Request, revs *auth.Revocations, req revocationRequest) error {
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return t, badAdminRequest(fmt.Errorf("%s: want an RFC 3339 time: %w", name, err))
		}
		return t, nil
	}
	var err error
	switch {
	case req.JTI != "" && req.Client == "":
		var until time.Time
		if until, err = parse("until", req.Until); err != nil {
			return err
		}
		err = revs.RevokeToken(r.Context(), req.JTI, until)
	case req.Client != "" && req.JTI == "":
		if !clientKnown(req.Client) {
			return badAdminRequest(fmt.Errorf("revoke client: no running gateway has a client %q: nothing would be revoked", req.Client))
		}
		var before time.Time
		if before, err = parse("before", req.Before); err != nil {
			return err
		}
		err = revs.RevokeClient(r.Context(), req.Client, before)
	default:
		return badAdminRequest(errors.New(`give {"jti": ...} or {"client": ..., "before": ...}`))
	}
	if err != nil {
		return badAdminRequest(err)
	}
	return nil
}

// revocations returns the list to act on: a running gateway's, which knows
// the token lifetime, or one read straight from storage, and the other
// running gateways' lists to refresh.
func (a *AdminAPI) revocations() (*auth.Revocations, []*auth.Revocations) {
	liveKeys.Lock()
	defer liveKeys.Unlock()
	var live []*auth.Revocations
	for ks := range liveKeys.set {
		live = append(live, ks.authority.Revocations())
	}
	if len(live) > 0 {
		return live[0], live[1:]
	}
	return auth.NewRevocations(auth.RevocationConfig{
		Storage: a.storage,
		Horizon: auth.DefaultTTL + auth.DefaultLeeway,
	}), nil
}

// clientKnown reports whether a running gateway has the client, or no
// running gateway has clients to say (one that only verifies keys issued
// elsewhere, or none at all): then the name cannot be checked.
func clientKnown(name string) bool {
	liveKeys.Lock()
	defer liveKeys.Unlock()
	checked := false
	for ks := range liveKeys.set {
		if _, ok := ks.authority.Client(name); ok {
			return true
		}
		checked = checked || ks.authority.HasClients()
	}
	return !checked
}

func badAdminRequest(err error) error {
	return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: err}
}

// Interface guards
var (
	_ caddy.AdminRouter = (*AdminAPI)(nil)
	_ caddy.Provisioner = (*AdminAPI)(nil)
)
