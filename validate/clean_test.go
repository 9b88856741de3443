package validate

// Fixtures: bodies built by the shared sampler and the documentation
// examples (piatest), and the sampled 4.3.20 request fixtures of
// internal/pia/testdata; byteMutations, variantsOf, and mendSchema with
// its bodies are made by hand.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
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

// forwards is what the full path forwards (strict decode, Normalize,
// Validate, the root check): the tree it writes, whether Normalize
// changed it, and ok false where it refuses body.
func forwards(v *Validator, ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options) (doc any, changed, ok bool) {
	doc, err := jsonbody.DecodeWith(body, o)
	if err != nil {
		return nil, false, false
	}
	doc, changed = v.Normalize(ver, method, kind, doc)
	if v.Validate(ver, method, kind, doc) != nil {
		return nil, false, false
	}
	if root := v.Root(ver, method, kind); root != "" {
		obj, ok := doc.(map[string]any)
		if _, has := obj[root]; !ok || !has && len(obj) > 0 {
			return nil, false, false
		}
	}
	return doc, changed, true
}

// untouched is what Clean promises: the full path forwards body as it is.
func untouched(v *Validator, ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options) bool {
	_, changed, ok := forwards(v, ver, method, kind, body, o)
	return ok && !changed
}

// mendedAs is what Mend promises when it passes a body: the full path
// accepts it and forwards what out holds, and out is body itself where
// Normalize changes nothing.
func mendedAs(v *Validator, ver pia.Version, method string, kind pia.Kind, body, out []byte, o jsonbody.Options) bool {
	doc, changed, ok := forwards(v, ver, method, kind, body, o)
	if !ok {
		return false
	}
	if !changed {
		return len(out) == len(body) && &out[0] == &body[0]
	}
	sent, err := jsonbody.DecodeWith(out, jsonbody.Options{Strict: true})
	return err == nil && reflect.DeepEqual(doc, sent)
}

// sound fails the test where Clean passes a body the full path would
// refuse or change, or Mend passes one the full path would refuse or
// forward otherwise than Mend does, and returns Clean's and Mend's
// verdicts.
func sound(t *testing.T, v *Validator, ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options, what string) (clean, mended bool) {
	t.Helper()
	clean = v.Clean(ver, method, kind, body, o)
	if clean && !untouched(v, ver, method, kind, body, o) {
		t.Errorf("%s: Clean passes a body the full path refuses or changes: %.300s", what, body)
	}
	out, mended := v.Cleaner(ver, method, kind).Mend(body, o)
	if mended && !mendedAs(v, ver, method, kind, body, out, o) {
		t.Errorf("%s: Mend passes a body the full path refuses or forwards otherwise: %.300s\nmended: %.300s", what, body, out)
	}
	if clean != (mended && len(out) > 0 && &out[0] == &body[0]) {
		t.Errorf("%s: Clean %v, but Mend %v and forwards it as sent %v", what, clean, mended, mended && &out[0] == &body[0])
	}
	return clean, mended
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
						clean, _ := sound(t, v, ver, ex.Method, pia.Request, body, gatewayDecode, ex.Name())
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
		// normalised counts the bodies the full path forwards changed by
		// Normalize alone, mended those of them Mend passes.
		normalised, mended := 0, 0
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
					clean, mend := sound(t, v, s.Version, s.Method, s.Kind, body, gatewayDecode, s.ID+" "+what)
					if clean {
						passed++
					}
					if _, changed, ok := forwards(v, s.Version, s.Method, s.Kind, body, gatewayDecode); ok && changed {
						normalised++
						if mend {
							mended++
						} else {
							t.Logf("not mended: %s %s %.300s", s.ID, what, body)
						}
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
				for _, val := range variantsOf(old) {
					values = append(values, mutation{name: "as a client varies it: " + describeValue(val), value: val})
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
		t.Logf("%d bodies, %d passed by Clean; of the %d the full path normalises, Mend passes %d", total, passed, normalised, mended)
		assert.Greater(t, total, 20000)
		assert.Greater(t, passed, 1000, "Clean passes the valid ones")
		assert.Greater(t, normalised, 4000)
		assert.Equal(t, normalised, mended, "every body the full path forwards normalised is one Mend passes")
	})
}

// variantsOf writes a sample value as real clients vary it, in each way
// Normalize accepts: a number as text and back, a code with leading zeros
// as a number, a boolean as text, a date with a time and a datetime
// without, either in ISO 8601's layout, an object in a one-element array
// and an array's one member bare.
func variantsOf(v any) []any {
	switch x := v.(type) {
	case json.Number:
		return []any{string(x)}
	case bool:
		if x {
			return []any{"true"}
		}
		return []any{"false"}
	case string:
		var out []any
		if isJSONNumber(x) {
			out = append(out, json.Number(x))
		}
		if n := strings.TrimLeft(x, "0"); n != x && n != "" && pia.Digits(n) {
			out = append(out, json.Number(n)) // a code typed as a number
		}
		if validateDate(x) == nil {
			out = append(out, x+" 00:00:00", x+"T00:00:00.000")
		}
		if validateDateTime(x) == nil {
			out = append(out, x[:10], x[:10]+"T"+x[11:])
		}
		return out
	case map[string]any:
		return []any{[]any{x}}
	case []any:
		if len(x) > 0 {
			// Bare, and as PHP writes a list whose first index went.
			list := map[string]any{}
			for i, e := range x {
				list[strconv.Itoa(i+1)] = e
			}
			return []any{x[0], list}
		}
	}
	return nil
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
		cl := v.Cleaner(ver, name, pia.Request)
		allocs = testing.AllocsPerRun(20, func() { cl.Mend(body, gatewayDecode) })
		assert.Zero(t, allocs, "%s: Mend of a body it forwards as sent", name)
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

// mendSchema states a field of each kind Normalize varies.
const mendSchema = `{"type":"object","required":["IZINFINAL"],"properties":{"IZINFINAL":{"type":"object",
	"required":["nib"],"additionalProperties":false,"properties":{
	"nib":{"type":"string","maxLength":13},
	"jumlah":{"type":"number"},
	"status":{"type":"string","enum":["05","10"]},
	"aktif":{"type":"boolean"},
	"tgl":{"type":"string","format":"pia-date"},
	"waktu":{"type":"string","format":"pia-datetime"},
	"teknis":{"type":"object","properties":{"luas":{"type":"number"}}},
	"wajib":{"type":"object","required":["a"],"properties":{"a":{"type":"string"}}},
	"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"}}}}}}}}`

func TestMendWritesEachNormalisedValueInPlace(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.Add(v4320, "receiveLicense", pia.Request, []byte(mendSchema), "mend"))
	v, err := New(cat, Options{})
	require.NoError(t, err)
	cl := v.Cleaner(v4320, "receiveLicense", pia.Request)
	tenItems := func(n string) string {
		return `{"IZINFINAL":{"nib":"1","items":[` + strings.TrimSuffix(strings.Repeat(`{"n":`+n+`},`, 10), ",") + `]}}`
	}
	for _, c := range []struct{ name, body, want string }{
		{"a number as text", `{"IZINFINAL":{"nib":"1","jumlah":"12.50"}}`, `{"IZINFINAL":{"nib":"1","jumlah":12.50}}`},
		{"text as a number, written as sent", `{"IZINFINAL":{"nib":8120000000001}}`, `{"IZINFINAL":{"nib":"8120000000001"}}`},
		{"a code typed as a number", `{"IZINFINAL":{"nib":"1","status":5}}`, `{"IZINFINAL":{"nib":"1","status":"05"}}`},
		{"a boolean as text", `{"IZINFINAL":{"nib":"1","aktif":"false"}}`, `{"IZINFINAL":{"nib":"1","aktif":false}}`},
		{"a date with a time", `{"IZINFINAL":{"nib":"1","tgl":"2024-02-29 10:00:00"}}`, `{"IZINFINAL":{"nib":"1","tgl":"2024-02-29"}}`},
		{"a datetime without one", `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29"}}`, `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29 00:00:00"}}`},
		{"an ISO 8601 datetime", `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29T10:00:00.000"}}`, `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29 10:00:00"}}`},
		{"an escaped date", `{"IZINFINAL":{"nib":"1","waktu":"2024\u002d02-29"}}`, `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29 00:00:00"}}`},
		{"an object in a one-element array, spaced", "{\"IZINFINAL\":{\"nib\":\"1\",\"teknis\": [ {\"luas\":\"3\"}\n] }}", `{"IZINFINAL":{"nib":"1","teknis": {"luas":3} }}`},
		{"an empty array for an object, as PHP writes an empty one", "{\"IZINFINAL\":{\"nib\":\"1\",\"teknis\":[ ]}}", `{"IZINFINAL":{"nib":"1","teknis":{}}}`},
		{"a list PHP wrote as an object", "{\"IZINFINAL\":{\"nib\":\"1\",\"items\":{ \"1\" : {\"n\":7}, \"4\":{}\n}}}", "{\"IZINFINAL\":{\"nib\":\"1\",\"items\":[ {\"n\":\"7\"}, {}\n]}}"},
		{"an array's one member bare", `{"IZINFINAL":{"nib":"1","items":{"n":7}}}`, `{"IZINFINAL":{"nib":"1","items":[{"n":"7"}]}}`},
		{"the rest as sent: order, spacing, escapes", "{ \"IZINFINAL\" : {\n\t\"waktu\" : \"2024-02-29\",\n\t\"nib\" : \"\\u0031\"\n} }",
			"{ \"IZINFINAL\" : {\n\t\"waktu\" : \"2024-02-29 00:00:00\",\n\t\"nib\" : \"\\u0031\"\n} }"},
		{"more values than the walker holds", tenItems("7"), tenItems(`"7"`)},
	} {
		body := []byte(c.body)
		out, ok := cl.Mend(body, gatewayDecode)
		if assert.True(t, ok, c.name) {
			assert.Equal(t, c.want, string(out), c.name)
			assert.True(t, mendedAs(v, v4320, "receiveLicense", pia.Request, body, out, gatewayDecode), c.name)
			assert.False(t, cl.Clean(body, gatewayDecode), "%s: Clean leaves it to the full path", c.name)
		}
	}
	for _, c := range []struct{ name, body string }{
		{"text that is not a number", `{"IZINFINAL":{"nib":"1","jumlah":"12a"}}`},
		{"a boolean as other text", `{"IZINFINAL":{"nib":"1","aktif":"ya"}}`},
		{"a date with an impossible time", `{"IZINFINAL":{"nib":"1","tgl":"2024-02-29 24:00:00"}}`},
		{"a datetime with a zone", `{"IZINFINAL":{"nib":"1","waktu":"2024-02-29T10:00:00Z"}}`},
		{"two objects where one is documented", `{"IZINFINAL":{"nib":"1","teknis":[{},{}]}}`},
		{"text in a one-element array", `{"IZINFINAL":{"nib":"1","teknis":["x"]}}`},
		{"an empty array for an object with a mandatory member", `{"IZINFINAL":{"nib":"1","wajib":[]}}`},
		{"a PHP list written out of the order of its indexes, which the tree sorts", `{"IZINFINAL":{"nib":"1","items":{"4":{},"1":{}}}}`},
		{"a number no code is", `{"IZINFINAL":{"nib":"1","status":6}}`},
		{"a value normalised, another invalid", `{"IZINFINAL":{"nib":"12345678901234","jumlah":"1"}}`},
		{"a value normalised into an invalid one", `{"IZINFINAL":{"nib":12345678901234}}`},
		{"a normalised member named twice", `{"IZINFINAL":{"nib":"1","jumlah":"1","jumlah":"2"}}`},
	} {
		_, ok := cl.Mend([]byte(c.body), gatewayDecode)
		assert.False(t, ok, c.name)
	}
	// Nothing to mend: the body itself, not a copy.
	body := []byte(`{"IZINFINAL":{"nib":"1","jumlah":12}}`)
	out, ok := cl.Mend(body, gatewayDecode)
	require.True(t, ok)
	assert.Same(t, &body[0], &out[0])
}

// TestSplicedWritesEditsInOrderAndRefusesOthers: edits in the order of
// the bytes are spliced in; edits out of it, which only a mistake of the
// walker's would record, are answered false, for the full path, rather
// than with a body spliced wrong (or a panic).
func TestSplicedWritesEditsInOrderAndRefusesOthers(t *testing.T) {
	w := cleanWalker{b: []byte(`{"a":1,"b":"2"}`)}
	w.record(edit{5, 5, `"`})
	w.record(edit{6, 6, `"`})
	w.record(edit{11, 14, "2"})
	out, ok := w.spliced()
	require.True(t, ok)
	assert.Equal(t, `{"a":"1","b":2}`, string(out))
	for _, edits := range [][]edit{{{6, 6, ""}, {5, 5, ""}}, {{6, 5, ""}}, {{2, 8, ""}, {4, 9, ""}}} {
		w := cleanWalker{b: []byte(`{"a":1,"b":"2"}`)}
		for _, e := range edits {
			w.record(e)
		}
		_, ok := w.spliced()
		assert.False(t, ok, "%v", edits)
	}
}
