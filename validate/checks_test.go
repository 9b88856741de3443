package validate

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// numericMutations are values equal as numbers but written differently,
// codes written with decimals, null and "".
func numericMutations(s map[string]any) []mutation {
	var out []mutation
	for _, v := range []string{"0", "-0", "1.0", "1e2", "1E-2", "10.000", "-99.99", "5", "5.0", "05"} {
		out = append(out, mutation{name: "number " + v, value: json.Number(v)})
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if n, ok := e.(json.Number); ok {
				out = append(out, mutation{name: "a code written with decimals", value: json.Number(string(n) + ".0")})
			}
		}
	}
	return append(out, mutation{name: "null", value: nil}, mutation{name: "empty", value: ""})
}

// verdict is what the library says of a payload: the locations of its
// violations (missing members named), sorted; nil when valid.
func verdict(t *testing.T, s *jsonschema.Schema, doc any) []string {
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	require.True(t, errors.As(err, &verr))
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := pointer(e.InstanceLocation)
		if r, ok := e.ErrorKind.(*kind.Required); ok {
			for _, m := range r.Missing {
				seen[loc+jsonbody.Pointer(m)] = true
			}
			return
		}
		seen[loc] = true
	}
	walk(verr)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestChecksAgreeWithTheLibrary compiles every built-in schema twice, with
// its codes and number sizes taken over by checks and as written, and
// requires the same verdict, at the same fields, for the full sample and
// for every single mutation of it, plus values that are equal as numbers
// but written differently.
func TestChecksAgreeWithTheLibrary(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	compared := 0
	for _, s := range cat.All() {
		if v := s.Version.String(); v != "4.3.12" && v != "4.3.20" {
			// The checks do not depend on the version; the oldest and the
			// newest schemas hold every shape of field there is.
			continue
		}
		fast, err := compile(s, Options{}, true)
		require.NoError(t, err)
		plain, err := compile(s, Options{}, false)
		require.NoError(t, err)
		schema := s.Doc.(map[string]any)
		sample := piatest.Sampler{Members: 2, MaxText: 12}.Build(schema)
		require.Equal(t, verdict(t, plain.schema, sample), verdict(t, fast.schema, sample), s.ID)
		for _, site := range sitesOf(schema, nil, nil) {
			muts := mutationsOf(site.schema, site.required)
			types := typesOf(site.schema)
			if _, hasEnum := site.schema["enum"]; hasEnum || types["number"] || types["integer"] {
				// The checks take over codes and number sizes only: other
				// fields get the single mutations alone.
				muts = append(muts, numericMutations(site.schema)...)
			}
			for _, m := range muts {
				obj := at(sample, site.segs).(map[string]any)
				last := site.segs[len(site.segs)-1]
				old := obj[last]
				if m.drop {
					delete(obj, last)
				} else {
					obj[last] = m.value
				}
				assert.Equal(t, verdict(t, plain.schema, sample), verdict(t, fast.schema, sample), "%s %s: %s", s.ID, jsonbody.Pointer(site.segs...), m.name)
				obj[last] = old
				compared++
			}
		}
	}
	t.Logf("%d payloads compared", compared)
}

func TestCanonicalNumbersCompareByValue(t *testing.T) {
	same := [][]any{
		{json.Number("1"), json.Number("1.0"), json.Number("1e0"), json.Number("0.1e1"), json.Number("10e-1"), float64(1), 1},
		{json.Number("0"), json.Number("-0"), json.Number("0.000"), json.Number("0e5")},
		{json.Number("-12.5"), json.Number("-125e-1"), float64(-12.5)},
	}
	for _, group := range same {
		first, ok := canonical(group[0])
		require.True(t, ok)
		for _, v := range group[1:] {
			got, ok := canonical(v)
			require.True(t, ok)
			assert.Equal(t, first, got, "%v equals %v", v, group[0])
		}
	}
	a, _ := canonical(json.Number("1"))
	b, _ := canonical("1")
	c, _ := canonical(json.Number("-1"))
	assert.NotEqual(t, a, b, "a number is not the string of its digits")
	assert.NotEqual(t, a, c)
	_, ok := canonical(map[string]any{})
	assert.False(t, ok)
}

// A number of absurd magnitude costs the gateway nothing: in a built-in
// schema the checks read its digits, and before an override schema that
// compares numbers arithmetically it is turned away.
func TestAbsurdNumbers(t *testing.T) {
	_, v := newValidator(t, Options{})
	doc := decode(t, `{"dataNIB":{"kd_kawasan":1e999999999,"total_pma":1e-999999999,"jenis_pelaku_usaha":1e999999}}`)
	r := v.Validate(v4320, "receiveNIB", pia.Request, doc)
	require.NotNil(t, r)
	assert.Contains(t, rules(r), "/dataNIB/kd_kawasan "+RuleDigits)
	assert.Contains(t, rules(r), "/dataNIB/total_pma "+RuleDecimals)

	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.Add(pia.Version{}, "receiveIzinDaerah", pia.Request,
		[]byte(`{"type":"object","properties":{"luas":{"type":"number","minimum":0},"n":{"type":"integer"}}}`), "test"))
	v, err = New(cat, Options{})
	require.NoError(t, err)
	for body, want := range map[string][]string{
		`{"luas": 1e10000000}`:              {" " + RuleRange},
		`{"luas": 12.5, "n": -1e-10000000}`: {" " + RuleRange},
		`{"luas": 1e999, "n": 3}`:           nil,
		`{"luas": -1}`:                      {"/luas minimum"},
	} {
		r := v.Validate(v4320, "receiveIzinDaerah", pia.Request, decode(t, body))
		var got []string
		for _, x := range rules(r) {
			got = append(got, x[strings.Index(x, " "):])
		}
		if want != nil && want[0] == "/luas minimum" {
			got = rules(r)
		}
		assert.Equal(t, want, got, body)
	}
	r = v.Validate(v4320, "receiveIzinDaerah", pia.Request, decode(t, `{"luas": 1e10000000}`))
	require.NotNil(t, r)
	assert.Equal(t, "/luas", r.Errors[0].Field)
	assert.Equal(t, `luas: angka 1e10000000 di luar jangkauan`, r.Summary())
}
