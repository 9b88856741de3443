// Package caddypia plugs the caddy-pia gateway into Caddy. Importing it (as
// xcaddy does with --with github.com/caddy-pia/caddy-pia) registers the
// http.handlers.pia module, its pia Caddyfile directive and the
// admin.api.pia endpoints; the code lives in caddymodule.
package caddypia

import (
	// Registers the modules.
	_ "github.com/caddy-pia/caddy-pia/caddymodule"
)
