package transform

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// The fixtures of this file are the documentation's own request examples
// (piatest.Examples: internal/pia/source/spec, repaired as
// deviations.json records). The examples are templates: where one breaks
// its own version's schema (a placeholder like "YYYY-MM-DD", a mandatory
// field the example forgot), sanitize blanks that field first, so the
// checks below see only what the conversion does. Every check then asks
// for exact agreement between the target version's schema and the
// engine: the converted payload's violations must be exactly the
// mandatory fields the engine reported it could not fill.

type exampleCase struct {
	name     string
	method   string
	from, to pia.Version
	json     []byte
}

// exampleCases lists the request examples of version from whose method
// version to also documents.
func exampleCases(t *testing.T, cat *pia.Catalog, from, to pia.Version) []exampleCase {
	t.Helper()
	exs, err := piatest.Examples(from, "request")
	require.NoError(t, err)
	var out []exampleCase
	for _, ex := range exs {
		if _, ok := cat.Own(to, ex.Method, pia.Request); !ok {
			continue
		}
		out = append(out, exampleCase{name: fmt.Sprintf("%s to %s", ex.Name(), to), method: ex.Method, from: from, to: to, json: ex.JSON})
	}
	if len(exs) > 0 {
		require.NotEmpty(t, out, "%s has request examples", from)
	}
	return out
}

func checkExampleConversion(t *testing.T, cat *pia.Catalog, e *Engine, c exampleCase) {
	doc := decode(t, string(c.json))
	if touched := sanitize(t, cat, c.from, c.method, pia.Request, doc); len(touched) > 0 {
		t.Logf("%s: blanked what the documentation's example has wrong in its own version: %v", c.name, touched)
	}
	out, rep := e.Convert(c.method, pia.Request, c.from, c.to, doc)
	var got []violation
	for _, v := range violations(t, cat, c.to, c.method, pia.Request, out) {
		if v.Keyword == "enum" && noted(t, c.method, pia.Request, dotted(v.Pointer), c.from, c.to) {
			t.Logf("%s: %s: a code the target version does not have, noted as having no mapping", c.name, v)
			continue
		}
		got = append(got, v)
	}
	assert.ElementsMatch(t, requiredErrors(t, c.name, rep), got,
		"%s: the converted example's violations are exactly the mandatory fields the engine reported", c.name)
}

func TestDocumentationExamplesUpgradeEachStep(t *testing.T) {
	cat, e := builtin(t)
	for _, st := range steps(cat) {
		for _, c := range exampleCases(t, cat, st[0], st[1]) {
			t.Run(c.name, func(t *testing.T) { checkExampleConversion(t, cat, e, c) })
		}
	}
}

func TestDocumentationExamplesDowngradeEachStep(t *testing.T) {
	cat, e := builtin(t)
	for _, st := range steps(cat) {
		for _, c := range exampleCases(t, cat, st[1], st[0]) {
			t.Run(c.name, func(t *testing.T) { checkExampleConversion(t, cat, e, c) })
		}
	}
}

func TestDocumentationExamplesAcrossSeveralSteps(t *testing.T) {
	cat, e := builtin(t)
	vs := cat.Versions()
	for i := range vs {
		for j := range vs {
			if j-i < 2 && i-j < 2 {
				continue // single steps are the tests above
			}
			for _, c := range exampleCases(t, cat, vs[i], vs[j]) {
				t.Run(c.name, func(t *testing.T) { checkExampleConversion(t, cat, e, c) })
			}
		}
	}
}
