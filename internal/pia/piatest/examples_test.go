package piatest

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"testing"
)

func TestEveryRequestExampleIsJSONAfterRepairs(t *testing.T) {
	for _, v := range pia.Versions() {
		ex, err := Examples(v, "request")
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) == 0 {
			t.Fatalf("%s: no request examples", v)
		}
	}
}
