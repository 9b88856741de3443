package piatest

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"testing"
)

// The examples were extracted with the specifications of 4.3.12 ... 4.3.20.
func TestEveryRequestExampleIsJSONAfterRepairs(t *testing.T) {
	for _, v := range pia.Versions() {
		ex, err := Examples(v, "request")
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) == 0 && !pia.MustVersion("4.3.20").Less(v) {
			t.Fatalf("%s: no request examples", v)
		}
	}
}
