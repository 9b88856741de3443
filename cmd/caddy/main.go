// Command caddy is Caddy with the standard modules and caddy-pia, so that
// `go run ./cmd/caddy run --config Caddyfile.example` starts the gateway on
// any machine with Go installed. Production builds use xcaddy (xcaddy.txt).
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-pia/caddy-pia"
)

func main() { caddycmd.Main() }
