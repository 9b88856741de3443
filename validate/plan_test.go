package validate

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// reference validates doc with the JSON Schema library alone, as the
// gateway did before plans: the answer a plan must give.
func (v *Validator) reference(ver pia.Version, method string, kind pia.Kind, doc any) *Result {
	c := v.lookup(ver, method, kind)
	if c == nil {
		return nil
	}
	if r := v.absurd(c, doc); r != nil {
		return r
	}
	return v.viaLibrary(c, doc)
}

// agree checks that the plan and the library give the same answer on doc:
// valid or not, and the same violations, field, rule, expected, got and
// message, in the same order.
func agree(t *testing.T, v *Validator, ver pia.Version, method string, kind pia.Kind, doc any, what string) bool {
	t.Helper()
	if c := v.lookup(ver, method, kind); c != nil {
		require.NotNil(t, c.plan, "%s: the built-in schema has a plan (%v)", what, c.unplanned)
	}
	want := v.reference(ver, method, kind, doc)
	got := v.Validate(ver, method, kind, doc)
	if want == nil || got == nil {
		return assert.Equal(t, want == nil, got == nil, "%s: valid by the library %v, by the plan %v: %s | %s", what, want == nil, got == nil, want.Summary(), got.Summary())
	}
	return assert.Equal(t, want.Errors, got.Errors, what)
}

// TestPlanAgreesWithTheLibrary is the differential test of the validation
// plans against santhosh-tekuri/jsonschema, the reference: every built-in
// schema (lenient and strict) on the documentation's examples, on a sample
// built from the schema and on every single-field mutation of it (the
// mutations of TestGeneratedSamplesAndSingleMutations and a set of values
// of every type), and the fuzz corpus.
func TestPlanAgreesWithTheLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("compares every mutation of every schema")
	}
	cat, lenient := newValidator(t, Options{})
	_, strict := newValidator(t, Options{Strict: true, Lang: pia.English})
	validators := []*Validator{lenient, strict}
	assert.Empty(t, lenient.Warnings(), "every built-in schema has a plan")
	assert.Empty(t, strict.Warnings(), "every built-in schema has a plan in strict mode")

	t.Run("documentation examples", func(t *testing.T) {
		n := 0
		for _, ver := range pia.Versions() {
			for _, ex := range examplesOf(t, ver) {
				kind := pia.Response
				if ex.Kind == "request" {
					kind = pia.Request
				}
				if !lenient.Has(ver, ex.Method, kind) {
					continue
				}
				for _, v := range validators {
					doc, err := jsonbody.Decode(ex.JSON)
					require.NoError(t, err)
					agree(t, v, ver, ex.Method, kind, doc, ex.Name())
					doc, _ = v.Normalize(ver, ex.Method, kind, doc)
					agree(t, v, ver, ex.Method, kind, doc, ex.Name()+" normalised")
					n++
				}
			}
		}
		assert.Greater(t, n, 100)
	})

	t.Run("samples and single-field mutations", func(t *testing.T) {
		total, seen, tried := 0, map[string]bool{}, map[string]bool{}
		for _, s := range cat.All() {
			// Versions share most documents: each distinct one once.
			if seen[string(s.Raw)] {
				continue
			}
			seen[string(s.Raw)] = true
			schema := s.Doc.(map[string]any)
			sample := piatest.Sampler{Members: 2, MaxText: 12}.Build(schema)
			for _, v := range validators {
				agree(t, v, s.Version, s.Method, s.Kind, sample, s.ID+" sample")
				agree(t, v, s.Version, s.Method, s.Kind, nil, s.ID+" null")
				agree(t, v, s.Version, s.Method, s.Kind, []any{sample}, s.ID+" in an array")
				agree(t, v, s.Version, s.Method, s.Kind, map[string]any{}, s.ID+" empty")
			}
			for _, site := range sitesOf(schema, nil, nil) {
				ptr := jsonbody.Pointer(site.segs...)
				parent := at(sample, site.segs)
				obj, _ := parent.(map[string]any)
				require.NotNil(t, obj, "%s: the sample has the field's object", ptr)
				last := site.segs[len(site.segs)-1]
				old := obj[last]
				// Every field: the mutations of
				// TestGeneratedSamplesAndSingleMutations through both
				// validators. Each distinct field (fieldKey): values of
				// every type and the edges of the checks, through the
				// strict one (which differs from the lenient one only by
				// naming undeclared members).
				values := append([]mutation{{name: "dropped", drop: true}}, mutationsOf(site.schema, site.required)...)
				if key := fieldKey(site); !tried[key] {
					tried[key] = true
					for i, val := range differentialValues {
						values = append(values, mutation{name: describeValue(val), value: val, rule: strconv.Itoa(i)})
					}
				}
				for _, m := range values {
					if m.drop {
						delete(obj, last)
					} else {
						obj[last] = m.value
					}
					vs := validators
					if _, err := strconv.Atoi(m.rule); err == nil {
						vs = validators[1:]
					}
					for _, v := range vs {
						if !agree(t, v, s.Version, s.Method, s.Kind, sample, s.ID+" "+ptr+" "+m.name) {
							t.FailNow()
						}
					}
					obj[last] = old
					total++
				}
				// An undeclared member next to the field: strict mode names it.
				obj["zz_undeclared"] = "x"
				for _, v := range validators {
					agree(t, v, s.Version, s.Method, s.Kind, sample, s.ID+" "+ptr+" beside an undeclared member")
				}
				delete(obj, "zz_undeclared")
			}
		}
		t.Logf("%d mutations over %d distinct fields of %d distinct schemas", total, len(tried), len(seen))
		assert.Greater(t, total, 20000)
	})

	t.Run("fuzz corpus", func(t *testing.T) {
		corpus := fuzzSeeds(t)
		dir := filepath.Join("testdata", "fuzz", "FuzzValidate")
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			corpus = append(corpus, corpusBytes(t, b))
		}
		require.NotEmpty(t, corpus)
		for _, b := range corpus {
			for _, m := range fuzzMethods {
				for _, v := range validators {
					doc, err := jsonbody.Decode(b)
					if err != nil {
						continue
					}
					agree(t, v, v4320, m, pia.Request, doc, m+" "+string(b))
				}
			}
		}
	})
}

// differentialValues are put in every field of every schema in turn: a
// value of every JSON type, and the edges of the checks (empty, numbers as
// text, big, long and exponent numbers, dates that do not exist).
var differentialValues = []any{
	nil, false, "", "12", "007", "2024-02-29 23:59:60", "2024-02-29",
	json.Number("-0.0"), json.Number("12.345"), json.Number("1.5e-2"),
	json.Number("123456789012345678901234567890"), json.Number("1e999999"),
	strings.Repeat("é", 300), map[string]any{}, []any{map[string]any{"x": "y"}}, []any{},
}

// fieldKey identifies what decides a field's verdicts and messages: its
// schema node but for the description, the Lampiran tables the description
// names, whether its name is a secret, whether it is mandatory.
func fieldKey(site fieldSite) string {
	node := make(map[string]any, len(site.schema))
	for k, v := range site.schema {
		if k != "description" {
			node[k] = v
		}
	}
	b, _ := json.Marshal(node)
	desc, _ := site.schema["description"].(string)
	return fmt.Sprint(string(b), lampiranRe.FindAllString(desc, -1), secret(site.segs), site.required)
}

func describeValue(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 30 {
		b = append(b[:30], "…"...)
	}
	return string(b)
}

func examplesOf(t *testing.T, ver pia.Version) []piatest.Example {
	t.Helper()
	// The success and error examples are not all JSON; the requests are.
	examples, err := piatest.Examples(ver, "request")
	require.NoError(t, err)
	return examples
}

// fuzzSeeds are FuzzValidate's seeds.
func fuzzSeeds(t *testing.T) [][]byte {
	t.Helper()
	examples, err := piatest.Examples(v4320, "request")
	require.NoError(t, err)
	var out [][]byte
	for _, ex := range examples {
		out = append(out, ex.JSON)
	}
	return append(out, fuzzExtraSeeds...)
}

// corpusBytes reads a file of the go test fuzz v1 corpus format holding one
// []byte.
func corpusBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	lines := strings.SplitN(string(b), "\n", 2)
	require.Len(t, lines, 2)
	require.Equal(t, "go test fuzz v1", lines[0])
	lit := strings.TrimSpace(lines[1])
	lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	require.NoError(t, err, lit)
	return []byte(s)
}

func TestWarningNamesASchemaThePlanCannotExpress(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "4.3.20"), 0o755))
	custom := `{"type":"object","properties":{"IZINFINAL":{"type":"object","properties":{"nib":{"type":"string"}},
		"oneOf":[{"required":["nib"]},{"required":["npwp"]}]}},"required":["IZINFINAL"]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "4.3.20", "receiveLicense.request.json"), []byte(custom), 0o644))
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.LoadDir(dir))
	v, err := New(cat, Options{})
	require.NoError(t, err)
	w := v.Warnings()
	require.Len(t, w, 1, "only the drop-in schema")
	assert.Contains(t, w[0], filepath.Join(dir, "4.3.20", "receiveLicense.request.json"))
	assert.Contains(t, w[0], "receiveLicense")
	assert.Contains(t, w[0], "oneOf")

	// The library validates it: oneOf holds when exactly one branch does.
	r := v.Validate(v4320, "receiveLicense", pia.Request, decode(t, `{"IZINFINAL":{"nib":"1","npwp":"2"}}`))
	require.NotNil(t, r)
	assert.Equal(t, []string{"/IZINFINAL oneOf"}, rules(r))
	assert.Nil(t, v.Validate(v4320, "receiveLicense", pia.Request, decode(t, `{"IZINFINAL":{"nib":"1"}}`)))
}

func TestPlanValidPayloadAllocatesNothing(t *testing.T) {
	_, v := newValidator(t, Options{})
	for _, m := range benchMethods {
		s, ok := v.cat.Lookup(v4320, m, pia.Request)
		require.True(t, ok)
		raw, err := json.Marshal(piatest.Sampler{Members: 3, MaxText: 15}.Build(s.Doc.(map[string]any)))
		require.NoError(t, err)
		doc, err := jsonbody.Decode(raw)
		require.NoError(t, err)
		require.Nil(t, v.Validate(v4320, m, pia.Request, doc))
		allocs := testing.AllocsPerRun(20, func() {
			d, _ := v.Normalize(v4320, m, pia.Request, doc)
			if v.Validate(v4320, m, pia.Request, d) != nil {
				t.Fatal("invalid")
			}
		})
		assert.Zero(t, allocs, "%s: normalise and validate a valid body that needs no change", m)
	}
}

func TestMeasurePlainAgreesWithMeasure(t *testing.T) {
	for _, lit := range []string{"0", "-0", "0.0", "00.00", "12", "-12.50", "0012.500", "100", "0.001", "1.", ".5", "-", "", "1a", "123456789012345678901234567890.123"} {
		d, dec, ok := measurePlain(lit)
		if !ok {
			continue
		}
		wd, wdec, wok := measure(lit)
		require.True(t, wok, lit)
		assert.Equal(t, [2]int{wd, wdec}, [2]int{d, dec}, lit)
	}
}

// dropIn is an operator's schema for a method of their own, using every
// keyword the plan implements in the ways the generated schemas do not:
// minLength, pattern, an enum beside a format, additionalProperties false
// written out, anyOf of required members, nested arrays, a secret field.
const dropIn = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["IZINDAERAH"],
  "properties": {
    "IZINDAERAH": {
      "type": "object",
      "required": ["nib", "kode"],
      "additionalProperties": false,
      "anyOf": [{"required": ["npwp"]}, {"required": ["nik", "nama"]}],
      "properties": {
        "nib": {"type": "string", "minLength": 13, "maxLength": 13, "pattern": "^[0-9]+$"},
        "kode": {"type": ["string", "null"], "enum": ["2024-01-01", "2024-02-29", null], "format": "pia-date"},
        "npwp": {"type": "string", "pattern": "^\\d{15,16}$"},
        "nik": {"type": "string"},
        "nama": {"type": "string", "minLength": 1},
        "pwd_akses": {"type": "string", "minLength": 8, "maxLength": 64},
        "nilai": {"type": ["number", "null"], "exclusiveMaximum": 1000, "exclusiveMinimum": -1000, "multipleOf": 0.1},
        "jenis": {"type": "number", "enum": [1, 2, 10]},
        "waktu": {"type": "string", "format": "pia-datetime"},
        "lokasi": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["kd_daerah"],
            "properties": {
              "kd_daerah": {"type": "string", "maxLength": 10},
              "titik": {"type": "array", "items": {"type": "number"}}
            }
          }
        }
      }
    }
  }
}`

// TestPlanAgreesOnADropInSchema: a schema dropped in at run time gets a
// plan (no warning), and the plan answers what the library answers for
// every field set to every value of differentialValues.
func TestPlanAgreesOnADropInSchema(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "receiveIzinDaerah.request.json"), []byte(dropIn), 0o644))
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.LoadDir(dir))
	for _, opts := range []Options{{}, {Strict: true, Lang: pia.English}} {
		v, err := New(cat, opts)
		require.NoError(t, err)
		require.Empty(t, v.Warnings(), "the drop-in schema has a plan")
		s, ok := cat.Lookup(v4320, "receiveIzinDaerah", pia.Request)
		require.True(t, ok)
		c := v.compiled[s]
		require.NotNil(t, c.plan, "%v", c.unplanned)

		valid := decode(t, `{"IZINDAERAH":{"nib":"8120000000001","kode":"2024-02-29","npwp":"012345678901234",
			"nama":"x","pwd_akses":"rahasia-sekali","nilai":999.9,"jenis":10,"waktu":"2024-02-29 23:59:59",
			"lokasi":[{"kd_daerah":"3201","titik":[1,2.5]},{"kd_daerah":"3202"}]}}`)
		require.Nil(t, v.Validate(v4320, "receiveIzinDaerah", pia.Request, valid))
		// The plan and the library agree, and Clean passes nothing the
		// full path would refuse or change.
		check := func(what string) {
			agree(t, v, v4320, "receiveIzinDaerah", pia.Request, valid, what)
			body, err := json.Marshal(valid)
			require.NoError(t, err)
			sound(t, v, v4320, "receiveIzinDaerah", pia.Request, body, gatewayDecode, what)
		}
		check("valid")
		body, err := json.Marshal(valid)
		require.NoError(t, err)
		assert.True(t, v.Clean(v4320, "receiveIzinDaerah", pia.Request, body, gatewayDecode), "a drop-in schema's valid body is read without a tree")
		obj := valid.(map[string]any)["IZINDAERAH"].(map[string]any)
		lokasi := obj["lokasi"].([]any)[1].(map[string]any)
		more := []any{"812000000000", "81200000000012", "81200000000a1", "2024-01-01", json.Number("1"),
			json.Number("1.0"), json.Number("10e0"), json.Number("3"), json.Number("999.95"), json.Number("-1000"),
			"012345678901234", "pendek", []any{json.Number("1"), "x"}}
		for _, holder := range []map[string]any{obj, lokasi} {
			for name, old := range holder {
				for _, val := range append(append([]any{}, differentialValues...), more...) {
					holder[name] = val
					check(name + " = " + describeValue(val))
				}
				delete(holder, name)
				check(name + " dropped")
				holder[name] = old
			}
		}
		delete(obj, "npwp")
		check("neither npwp nor nik and nama")
		obj["extra"] = "x"
		check("an undeclared member")
	}
}
