// Command gen builds the PIA data the gateway embeds from the published
// snapshots in internal/pia/source/published, corrected by
// internal/pia/deviations.json: the method table (internal/pia/methods_gen.go)
// and one JSON Schema (2020-12) per method, version and direction
// (internal/pia/schemas/<version>/). It is internal/pia/importer, the code
// `caddy pia import` runs for a new version.
//
// Run it with go generate ./... from the repository root.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/caddy-pia/caddy-pia/internal/pia/importer"
)

func main() {
	dir := flag.String("dir", ".", "the internal/pia directory")
	flag.Parse()
	warnings, err := importer.Generate(*dir)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if err != nil {
		log.Fatal(err)
	}
}
