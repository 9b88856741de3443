package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// commonFields lists the leaves of doc whose dotted path both versions'
// schemas declare, with their values.
func commonFields(cat *pia.Catalog, method string, k pia.Kind, a, b pia.Version, doc any) map[string]any {
	sa, _ := cat.Lookup(a, method, k)
	sb, _ := cat.Lookup(b, method, k)
	out := map[string]any{}
	for ptr, v := range leaves(doc) {
		if f := dotted(ptr); sa.Fields.Has(f) && sb.Fields.Has(f) {
			out[ptr] = v
		}
	}
	return out
}

// roundTrip converts doc from a to b and back and checks that every field
// both versions have comes back with its value.
func roundTrip(t *testing.T, e *Engine, cat *pia.Catalog, name, method string, k pia.Kind, a, b pia.Version, doc any) {
	// A renamed root leaves no field in common (checkLicenseStatus): the
	// rename tests of convert_test.go cover it.
	before := commonFields(cat, method, k, a, b, doc)
	there, _ := e.Convert(method, k, a, b, doc)
	back, _ := e.Convert(method, k, b, a, there)
	after := commonFields(cat, method, k, a, b, back)
	for ptr, v := range before {
		assert.Equal(t, v, after[ptr], "%s: %s, a field both versions have, survives the round trip", name, ptr)
	}
}

func TestRoundTripKeepsEveryFieldBothVersionsHave(t *testing.T) {
	cat, e := builtin(t)
	for _, st := range steps(cat) {
		for _, pair := range [][2]pia.Version{{st[0], st[1]}, {st[1], st[0]}} {
			a, b := pair[0], pair[1]
			exs, err := piatest.Examples(a, "request")
			require.NoError(t, err)
			for _, ex := range exs {
				if _, ok := cat.Own(b, ex.Method, pia.Request); !ok {
					continue
				}
				name := fmt.Sprintf("documentation example %s via %s", ex.Name(), b)
				t.Run(name, func(t *testing.T) {
					doc := decode(t, string(ex.JSON))
					sanitize(t, cat, a, ex.Method, pia.Request, doc)
					roundTrip(t, e, cat, name, ex.Method, pia.Request, a, b, doc)
				})
			}
		}
	}
}

// Every method, both kinds, with every field filled and three elements
// in every array (built from the schemas by sample): converted to each
// other version, the payload's violations are exactly what the engine
// reports, and it comes back with every field both versions have.
func TestFilledPayloadsOfEveryMethodConvertBetweenAllVersions(t *testing.T) {
	cat, e := builtin(t)
	vs := cat.Versions()
	for _, k := range []pia.Kind{pia.Request, pia.Response} {
		for _, a := range vs {
			for _, s := range cat.All() {
				if s.Version != a || s.Kind != k {
					continue
				}
				for _, b := range vs {
					if a == b {
						continue
					}
					if _, ok := cat.Own(b, s.Method, k); !ok {
						continue
					}
					name := fmt.Sprintf("%s %s %s to %s", s.Method, k, a, b)
					t.Run(name, func(t *testing.T) {
						doc := fullSample(t, cat, a, s.Method, k, 3)
						require.Empty(t, violations(t, cat, a, s.Method, k, doc), "the sample is valid in its own version")
						out, rep := e.Convert(s.Method, k, a, b, doc)
						var got []violation
						for _, v := range violations(t, cat, b, s.Method, k, out) {
							if noted(t, s.Method, k, dotted(v.Pointer), a, b) {
								t.Logf("%s: %s is noted as having no mapping", name, v)
								continue
							}
							got = append(got, v)
						}
						assert.ElementsMatch(t, requiredErrors(t, name, rep), got, "%s: violations are exactly the reported missing fields", name)

						roundTrip(t, e, cat, name, s.Method, k, a, b, fullSample(t, cat, a, s.Method, k, 3))
					})
				}
			}
		}
	}
}

// The load test's 4.3.12 client sends internal/pia/testdata's
// receiveLicense-4.3.12.json: the 4.3.20 sample carried down by the
// engine, which carries up again without a fault.
func TestTheLoadTestsOldClientBodyIsTheSampleCarriedDown(t *testing.T) {
	_, e := builtin(t)
	read := func(name string) any {
		b, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", name))
		require.NoError(t, err)
		doc, err := jsonbody.Decode(b)
		require.NoError(t, err)
		return doc
	}
	down, rep := e.Convert("receiveLicense", pia.Request, v4320, v4312, read("receiveLicense-4.3.20.json"))
	require.Empty(t, rep.Errors)
	assert.Equal(t, read("receiveLicense-4.3.12.json"), down)
	_, rep = e.Convert("receiveLicense", pia.Request, v4312, v4320, down)
	assert.Empty(t, rep.Errors)
	assert.NotEmpty(t, rep.Applied, "carrying it up applies rules")
}
