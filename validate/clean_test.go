package validate

// Fixtures: bodies built by the shared sampler and the documentation
// examples (piatest), and the sampled 4.3.20 request fixtures of
// internal/pia/testdata; byteMutations are made by hand.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// gatewayDecode is how the gateway decodes a request (its default
// max_elements).
var gatewayDecode = jsonbody.Options{Strict: true, MaxElements: 250000}

// untouched is what Clean promises: the full path (strict decode,
// Normalize, Validate, the root check) forwards body as it is.
func untouched(v *Validator, ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options) bool {
	doc, err := jsonbody.DecodeWith(body, o)
	if err != nil {
		return false
	}
	doc, changed := v.Normalize(ver, method, kind, doc)
	if changed || v.Validate(ver, method, kind, doc) != nil {
		return false
	}
	if root := v.Root(ver, method, kind); root != "" {
		obj, ok := doc.(map[string]any)
		if _, has := obj[root]; !ok || !has && len(obj) > 0 {
			return false
		}
	}
	return true
}

// sound fails the test where Clean passes a body the full path would
// refuse or change, and returns Clean's verdict.
func sound(t *testing.T, v *Validator, ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options, what string) bool {
	t.Helper()
	clean := v.Clean(ver, method, kind, body, o)
	if clean && !untouched(v, ver, method, kind, body, o) {
		t.Errorf("%s: Clean passes a body the full path refuses or changes: %.300s", what, body)
	}
	return clean
}

// byteMutations are changes a tree cannot express, applied to the text of
// a valid body: each must send it to the full path or be harmless.
var byteMutations = []struct {
	name  string
	apply func(string) string
}{
	{"a member named twice", func(s string) string {
		i := strings.Index(s, `":`)
		j := strings.LastIndex(s[:i], `"`)
		name := s[j : i+1]
		k := strings.Index(s[i:], ",")
		if k < 0 {
			return s
		}
		return s[:i+k+1] + name + `:null,` + s[i+k+1:]
	}},
	{"invalid UTF-8 in a string", func(s string) string { return strings.Replace(s, `":"`, "\":\"\xff", 1) }},
	{"a lone surrogate", func(s string) string { return strings.Replace(s, `":"`, `":"\ud800`, 1) }},
	{"an escaped member name", func(s string) string { return strings.Replace(s, `{"`, `{"\u0061`, 1) }},
	{"an escaped value", func(s string) string { return strings.Replace(s, `":"`, `":"\u0030`, 1) }},
	{"trailing garbage", func(s string) string { return s + "x" }},
	{"a second value", func(s string) string { return s + " {}" }},
	{"whitespace everywhere", func(s string) string {
		return strings.NewReplacer(`:`, " :\n\t", `,`, " ,\r\n", `{`, "{ ", `}`, " }").Replace(s)
	}},
	{"truncated", func(s string) string { return s[:len(s)/2] }},
	{"a number with an exponent", func(s string) string { return strings.Replace(s, `":1`, `":1e0`, 1) }},
	{"a number with a fraction", func(s string) string { return strings.Replace(s, `":1`, `":1.0`, 1) }},
	{"a digit string for a number", func(s string) string { return strings.Replace(s, `":1`, `":"1`, 1) }},
	{"a date for a datetime", func(s string) string { return strings.Replace(s, ` 00:00:00"`, `"`, 1) }},
	{"a control byte", func(s string) string { return strings.Replace(s, `":"`, "\":\"\x01", 1) }},
	{"an object in an array", func(s string) string { return strings.Replace(s, `":{`, `":[{`, 1) }},
	{"true for a value", func(s string) string { return strings.Replace(s, `":"`, `":true,"x":"`, 1) }},
}

func TestCleanNeverPassesWhatTheFullPathWouldNot(t *testing.T) {
	cat, lenient := newValidator(t, Options{})
	_, strict := newValidator(t, Options{Strict: true})
	validators := []*Validator{lenient, strict}

	t.Run("documentation examples and their byte mutations", func(t *testing.T) {
		passed, total := 0, 0
		for _, ver := range pia.Versions() {
			for _, ex := range examplesOf(t, ver) {
				if !lenient.Has(ver, ex.Method, pia.Request) {
					continue
				}
				for _, v := range validators {
					// The documentation's whitespace, then compact.
					var compact []byte
					doc, err := jsonbody.Decode(ex.JSON)
					require.NoError(t, err)
					compact, err = json.Marshal(doc)
					require.NoError(t, err)
					for _, body := range [][]byte{ex.JSON, compact} {
						clean := sound(t, v, ver, ex.Method, pia.Request, body, gatewayDecode, ex.Name())
						if untouched(v, ver, ex.Method, pia.Request, body, gatewayDecode) {
							total++
							if clean {
								passed++
							} else {
								t.Logf("not passed: %s %.200s", ex.Name(), body)
							}
						}
					}
					for _, m := range byteMutations {
						sound(t, v, ver, ex.Method, pia.Request, []byte(m.apply(string(compact))), gatewayDecode, ex.Name()+" "+m.name)
					}
				}
			}
		}
		t.Logf("Clean passes %d of the %d example bodies the full path forwards untouched", passed, total)
		require.Greater(t, total, 50)
		// Every example the full path forwards untouched is one Clean
		// passes: the fast path is the usual path.
		assert.Equal(t, total, passed)
	})

	t.Run("the load test's bodies", func(t *testing.T) {
		for _, name := range []string{"receiveNIB", "receiveLicense"} {
			body, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", name+"-4.3.20.json"))
			require.NoError(t, err)
			ver := pia.MustVersion("4.3.20")
			require.True(t, untouched(strict, ver, name, pia.Request, body, gatewayDecode), name)
			assert.True(t, strict.Clean(ver, name, pia.Request, body, gatewayDecode), name)
			// One value fewer than it holds is too many.
			doc, err := jsonbody.Decode(body)
			require.NoError(t, err)
			n := countValues(doc)
			assert.True(t, strict.Clean(ver, name, pia.Request, body, jsonbody.Options{Strict: true, MaxElements: n}), name)
			assert.False(t, strict.Clean(ver, name, pia.Request, body, jsonbody.Options{Strict: true, MaxElements: n - 1}), name)
			assert.False(t, strict.Clean(ver, name, pia.Request, body, jsonbody.Options{MaxElements: n}), "%s: only a strict decode is promised", name)
		}
	})

	t.Run("samples and single-field mutations", func(t *testing.T) {
		if testing.Short() {
			t.Skip("every mutation of every schema")
		}
		total, passed, seen, tried := 0, 0, map[string]bool{}, map[string]bool{}
		for _, s := range cat.All() {
			if s.Kind != pia.Request || seen[string(s.Raw)] {
				continue
			}
			seen[string(s.Raw)] = true
			schema := s.Doc.(map[string]any)
			sample := piatest.Sampler{Members: 2, MaxText: 12}.Build(schema)
			check := func(what string) {
				body, err := json.Marshal(sample)
				require.NoError(t, err)
				for _, v := range validators {
					if sound(t, v, s.Version, s.Method, s.Kind, body, gatewayDecode, s.ID+" "+what) {
						passed++
					}
					total++
				}
			}
			check("sample")
			for _, site := range sitesOf(schema, nil, nil) {
				obj, _ := at(sample, site.segs).(map[string]any)
				require.NotNil(t, obj)
				last := site.segs[len(site.segs)-1]
				old := obj[last]
				// As in TestPlanAgreesWithTheLibrary: the values of every
				// type once per distinct field.
				values := append([]mutation{{name: "dropped", drop: true}}, mutationsOf(site.schema, site.required)...)
				if key := fieldKey(site); !tried[key] {
					tried[key] = true
					for _, val := range differentialValues {
						values = append(values, mutation{name: describeValue(val), value: val})
					}
				}
				for _, m := range values {
					if m.drop {
						delete(obj, last)
					} else {
						obj[last] = m.value
					}
					check(jsonbody.Pointer(site.segs...) + " " + m.name)
					obj[last] = old
				}
				obj["zz_undeclared"] = "x"
				check(jsonbody.Pointer(site.segs...) + " beside an undeclared member")
				delete(obj, "zz_undeclared")
			}
		}
		t.Logf("%d bodies, %d passed by Clean", total, passed)
		assert.Greater(t, total, 20000)
		assert.Greater(t, passed, 1000, "Clean passes the valid ones")
	})
}

func countValues(v any) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += countValues(e)
		}
	case []any:
		for _, e := range x {
			n += countValues(e)
		}
	}
	return n
}

func TestCleanAllocatesNothing(t *testing.T) {
	_, v := newValidator(t, Options{Strict: true})
	ver := pia.MustVersion("4.3.20")
	for _, name := range []string{"receiveNIB", "receiveLicense"} {
		body, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", name+"-4.3.20.json"))
		require.NoError(t, err)
		require.True(t, v.Clean(ver, name, pia.Request, body, gatewayDecode))
		allocs := testing.AllocsPerRun(20, func() { v.Clean(ver, name, pia.Request, body, gatewayDecode) })
		assert.Zero(t, allocs, name)
	}
}

// TestCleanReadsAnyMemberOrderAfterLearningOne: Clean guesses each member
// from the order of the first body its plan read; bodies in another order,
// and bodies that break the guessed member, are read exactly as before.
// The plans are shared by every Validator of the process, so another
// test's body may have taught the order; either way one of the two orders
// below is the guessed one and the other is not, and both are read.
func TestCleanReadsAnyMemberOrderAfterLearningOne(t *testing.T) {
	_, v := newValidator(t, Options{})
	sorted, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveLicense-4.3.20.json"))
	require.NoError(t, err)
	doc, err := jsonbody.Decode(sorted)
	require.NoError(t, err)
	reversed := reverseMembers(nil, doc)
	clean := func(body []byte) bool { return v.Clean(v4320, "receiveLicense", pia.Request, body, gatewayDecode) }
	require.True(t, clean(sorted), "sorted members, the order learned unless another test taught one")
	assert.True(t, clean(reversed), "the other order")
	assert.True(t, clean(sorted), "the first order again")
	for _, c := range []struct{ name, from, to string }{
		{"a member named twice where the guess expects the next", `"file_izin":`, `"file_izin":"x","file_izin":`},
		{"the guessed member too long", `"kd_daerah":"abcdéfghij"`, `"kd_daerah":"abcdéfghijk"`},
		{"the guessed member of another type", `"kd_daerah":"abcdéfghij"`, `"kd_daerah":[]`},
	} {
		for _, body := range [][]byte{sorted, reversed} {
			bad := strings.Replace(string(body), c.from, c.to, 1)
			require.NotEqual(t, string(body), bad, c.name)
			assert.False(t, clean([]byte(bad)), c.name)
		}
	}
}

// TestACleanerHasTheSchemaTheValidatorHas: the gateway's route validates
// exactly when its Cleaner has a schema.
func TestACleanerHasTheSchemaTheValidatorHas(t *testing.T) {
	_, v := newValidator(t, Options{})
	for _, c := range []struct {
		method string
		kind   pia.Kind
	}{{"receiveLicense", pia.Request}, {"receiveLicense", pia.Response}, {"noSuchMethod", pia.Request}} {
		assert.Equal(t, v.Has(v4320, c.method, c.kind), v.Cleaner(v4320, c.method, c.kind).Has(), c.method)
	}
	assert.True(t, v.Cleaner(v4320, "receiveLicense", pia.Request).Has())
	assert.False(t, v.Cleaner(v4320, "noSuchMethod", pia.Request).Has())
	assert.False(t, Cleaner{}.Has(), "the zero Cleaner")
}
