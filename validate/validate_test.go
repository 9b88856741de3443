package validate

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

var (
	v4320 = pia.MustVersion("4.3.20")
	v4321 = pia.MustVersion("4.3.21")
)

func newValidator(t testing.TB, opts Options) (*pia.Catalog, *Validator) {
	t.Helper()
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	v, err := New(cat, opts)
	require.NoError(t, err)
	return cat, v
}

func decode(t testing.TB, s string) any {
	t.Helper()
	doc, err := jsonbody.Decode([]byte(s))
	require.NoError(t, err)
	return doc
}

// rules lists field and rule of each violation, the part of a result the
// tests compare exactly.
func rules(r *Result) []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = e.Field + " " + e.Rule
	}
	return out
}

func TestEveryBuiltinSchemaCompiles(t *testing.T) {
	cat, v := newValidator(t, Options{})
	all := cat.All()
	require.Greater(t, len(all), 200, "every method of every version, both kinds")
	for _, s := range all {
		assert.True(t, v.Has(s.Version, s.Method, s.Kind), s.Source+" "+s.ID)
	}
	_, err := New(cat, Options{Strict: true})
	assert.NoError(t, err, "the strict variants compile too")
}

// TestValidatorsShareWhatTheyCompile: a Caddy reload or a second pia site
// builds its Validator over a catalog read again. It compiles nothing a
// live Validator holds; a schema whose file was edited, or read under
// other options, is compiled afresh and validates as edited; and a schema
// no Validator holds any more is forgotten.
func TestValidatorsShareWhatTheyCompile(t *testing.T) {
	// Built by hand: one drop-in method whose only rule is a length.
	schema := func(maxLength int) string {
		return `{"type":"object","required":["IZINUJI"],"properties":{"IZINUJI":{"type":"object",` +
			`"properties":{"kode":{"type":"string","maxLength":` + strconv.Itoa(maxLength) + `}}}}}`
	}
	load := func(raw string, opts Options) (*pia.Catalog, *Validator) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "receiveIzinUji.request.json"), []byte(raw), 0o644))
		cat, err := pia.NewCatalog()
		require.NoError(t, err)
		require.NoError(t, cat.LoadDir(dir))
		v, err := New(cat, opts)
		require.NoError(t, err)
		return cat, v
	}
	compiledOf := func(cat *pia.Catalog, v *Validator) map[string]*compiled {
		out := map[string]*compiled{}
		for _, s := range cat.All() {
			out[s.ID] = v.compiled[s]
		}
		return out
	}
	first := compiledOf(load(schema(8), Options{}))
	again := compiledOf(load(schema(8), Options{}))
	require.Len(t, again, len(first))
	for id, c := range first {
		assert.Same(t, c, again[id], "read again, %s is not compiled again", id)
	}

	catEdited, edited := load(schema(4), Options{})
	id := ""
	for sid, c := range compiledOf(catEdited, edited) {
		if strings.Contains(sid, "receiveIzinUji") {
			id = sid
			assert.NotSame(t, first[sid], c, "the edited file is compiled afresh")
		} else {
			assert.Same(t, first[sid], c, "%s did not change", sid)
		}
	}
	require.NotEmpty(t, id)
	body := decode(t, `{"IZINUJI":{"kode":"123456"}}`)
	assert.Equal(t, []string{"/IZINUJI/kode maxLength"}, rules(edited.Validate(pia.Version{}, "receiveIzinUji", pia.Request, body)),
		"the edit is in force")

	for sid, c := range compiledOf(load(schema(8), Options{Strict: true})) {
		assert.NotSame(t, first[sid], c, "%s under Strict is another schema", sid)
	}

	// Built over a schema no other test writes, then dropped: its entry
	// goes once the collector has freed it.
	_, alone := load(schema(7), Options{})
	k := compileKey{id: id, raw: sha256.Sum256([]byte(schema(7)))}
	shared.Lock()
	_, held := shared.m[k]
	shared.Unlock()
	require.True(t, held)
	runtime.KeepAlive(alone) // and not used past here
	assert.Eventually(t, func() bool {
		runtime.GC()
		shared.Lock()
		defer shared.Unlock()
		_, held := shared.m[k]
		return !held
	}, 10*time.Second, 10*time.Millisecond, "a schema no Validator holds is forgotten")
}

// TestDocumentationRequestExamplesValidate runs every request example of
// every version's documentation (repaired as deviations.json records)
// through Normalize and Validate against its own version's schema.
func TestDocumentationRequestExamplesValidate(t *testing.T) {
	_, v := newValidator(t, Options{})
	for _, ver := range pia.Versions() {
		examples, err := piatest.Examples(ver, "request")
		require.NoError(t, err)
		if pia.MustVersion("4.3.20").Less(ver) {
			continue // examples were extracted up to 4.3.20
		}
		require.NotEmpty(t, examples)
		for _, ex := range examples {
			t.Run(ex.Name(), func(t *testing.T) {
				require.True(t, v.Has(ver, ex.Method, pia.Request), "a schema exists")
				doc, err := jsonbody.Decode(ex.JSON)
				require.NoError(t, err)
				doc, _ = v.Normalize(ver, ex.Method, pia.Request, doc)
				r := v.Validate(ver, ex.Method, pia.Request, doc)
				assert.Nil(t, r, "%s", r.Summary())
			})
		}
	}
}

// mutation is one single change to a valid sample and the violation it
// must cause.
type mutation struct {
	name string
	rule string
	// value replaces the field's; drop removes it.
	value any
	drop  bool
}

// mutationsOf derives the mutations a field's schema calls for.
func mutationsOf(s map[string]any, required bool) []mutation {
	var out []mutation
	if required {
		out = append(out, mutation{name: "mandatory field dropped", rule: RuleRequired, drop: true})
	}
	types := typesOf(s)
	if len(types) > 0 {
		for _, candidate := range []any{true, map[string]any{"x": "y"}, "x"} {
			if !types[jsonType(candidate)] {
				out = append(out, mutation{name: "wrong type", rule: RuleType, value: candidate})
				break
			}
		}
	}
	_, hasEnum := s["enum"].([]any)
	format, _ := s["format"].(string)
	if max, ok := piatest.IntKeyword(s, "maxLength"); ok && types["string"] && !types["number"] && !types["integer"] && !hasEnum && format == "" {
		out = append(out, mutation{name: "string one character too long", rule: RuleMaxLength, value: piatest.Text(max + 1)})
	}
	switch format {
	case formatDate:
		out = append(out, mutation{name: "bad date", rule: RuleFormat, value: "2023-02-29"})
	case formatDateTime:
		out = append(out, mutation{name: "bad datetime", rule: RuleFormat, value: "2023-02-28T10:00:00"})
	}
	if hasEnum {
		if bad, ok := outsideEnum(s); ok {
			out = append(out, mutation{name: "code outside its table", rule: RuleEnum, value: bad})
		}
	}
	if lim, ok := s["exclusiveMaximum"].(json.Number); ok && !hasEnum {
		out = append(out, mutation{name: "one digit too many", rule: RuleDigits, value: lim})
	}
	if step, ok := s["multipleOf"].(json.Number); ok && !hasEnum {
		out = append(out, mutation{name: "one decimal too many", rule: RuleDecimals, value: json.Number(string(step) + "1")})
	}
	if types["integer"] && !types["number"] && !hasEnum {
		out = append(out, mutation{name: "decimals in a whole number", rule: RuleType, value: json.Number("1.5")})
	}
	return out
}

func typesOf(s map[string]any) map[string]bool {
	out := map[string]bool{}
	switch t := s["type"].(type) {
	case string:
		out[t] = true
	case []any:
		for _, x := range t {
			out[x.(string)] = true
		}
	}
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case string:
		return "string"
	}
	return ""
}

// outsideEnum finds a value of the field's type, within its length or
// digits, that its table does not list.
func outsideEnum(s map[string]any) (any, bool) {
	enum := s["enum"].([]any)
	listed := map[string]bool{}
	for _, e := range enum {
		listed[fmt.Sprint(e)] = true
	}
	numeric := typesOf(s)["number"] || typesOf(s)["integer"]
	max, hasMax := piatest.IntKeyword(s, "maxLength")
	for _, c := range []string{"9", "99", "999", "8", "88", "Z", "ZZ", "ZZZ", "7777"} {
		if listed[c] || (numeric && c[0] == 'Z') || (!numeric && hasMax && len(c) > max) {
			continue
		}
		if numeric {
			return json.Number(c), true
		}
		return c, true
	}
	return nil, false
}

// fieldSite is one field of a schema, addressed in a sample built with two
// members per array: members of arrays are mutated at index 1, so the
// pointers the test expects carry an index.
type fieldSite struct {
	segs     []string
	schema   map[string]any
	required bool
}

func sitesOf(s map[string]any, at []string, out []fieldSite) []fieldSite {
	switch piatest.PrimaryType(s) {
	case "object":
		props, _ := s["properties"].(map[string]any)
		req := map[string]bool{}
		if rs, ok := s["required"].([]any); ok {
			for _, r := range rs {
				req[r.(string)] = true
			}
		}
		for name, p := range props {
			ps := p.(map[string]any)
			segs := append(append([]string(nil), at...), name)
			out = append(out, fieldSite{segs: segs, schema: ps, required: req[name]})
			out = sitesOf(ps, segs, out)
		}
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			out = sitesOf(items, append(append([]string(nil), at...), "1"), out)
		}
	}
	return out
}

// at returns the container holding the last segment of segs.
func at(doc any, segs []string) any {
	cur := doc
	for _, s := range segs[:len(segs)-1] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[s]
		case []any:
			i, _ := strconv.Atoi(s)
			cur = x[i]
		}
	}
	return cur
}

// TestGeneratedSamplesAndSingleMutations builds, for every schema of every
// method and version (requests and success responses), a sample with every
// field filled; it must validate. Then each single mutation of one field
// must be rejected with exactly one violation, at that field's pointer,
// naming the rule broken.
func TestGeneratedSamplesAndSingleMutations(t *testing.T) {
	cat, v := newValidator(t, Options{})
	total := 0
	for _, s := range cat.All() {
		t.Run(s.Version.String()+"/"+s.Method+"/"+string(s.Kind), func(t *testing.T) {
			schema := s.Doc.(map[string]any)
			sample := piatest.Sampler{Members: 2, MaxText: 12}.Build(schema)
			r := v.Validate(s.Version, s.Method, s.Kind, sample)
			require.Nil(t, r, "the full sample is valid: %s", r.Summary())
			for _, site := range sitesOf(schema, nil, nil) {
				ptr := jsonbody.Pointer(site.segs...)
				for _, m := range mutationsOf(site.schema, site.required) {
					parent := at(sample, site.segs)
					last := site.segs[len(site.segs)-1]
					obj, _ := parent.(map[string]any)
					require.NotNil(t, obj, "%s: the sample has the field's object", ptr)
					old := obj[last]
					if m.drop {
						delete(obj, last)
					} else {
						obj[last] = m.value
					}
					r := v.Validate(s.Version, s.Method, s.Kind, sample)
					obj[last] = old
					total++
					if assert.NotNil(t, r, "%s %s: rejected", ptr, m.name) {
						assert.Equal(t, []string{ptr + " " + m.rule}, rules(r), "%s %s", ptr, m.name)
						for _, e := range r.Errors {
							assert.NotEmpty(t, e.Text(pia.Indonesian))
						}
					}
				}
			}
		})
	}
	t.Logf("%d mutations over %d schemas", total, len(cat.All()))
	assert.Greater(t, total, 10000)
}

// The messages an integrator reads, in both languages. Payloads are built
// by hand on the 4.3.20 receiveLicense request.
func TestMessagesInBothLanguages(t *testing.T) {
	_, id := newValidator(t, Options{})
	_, en := newValidator(t, Options{Lang: pia.English})
	valid := func() map[string]any {
		return map[string]any{"IZINFINAL": map[string]any{
			"nib": "8120207730001", "id_proyek": "", "oss_id": "", "id_izin": "", "kd_izin": "", "kd_daerah": "",
			"nomor_izin": "", "tgl_terbit_izin": "2021-12-17", "tgl_berlaku_izin": "", "nama_ttd": "", "nip_ttd": "",
			"jabatan_ttd": "", "status_izin": "50", "file_izin": "", "keterangan": "", "file_lampiran": "",
			"nomenklatur_nomor_izin": "", "jenis_perizinan": "", "data_teknis": map[string]any{},
		}}
	}
	require.Nil(t, id.Validate(v4320, "receiveLicense", pia.Request, valid()), "the base payload is valid")
	tests := []struct {
		name   string
		field  string
		value  any
		drop   bool
		rule   string
		id, en string
	}{
		{"a string too long names limit and length", "nib", "812020773000123", false, RuleMaxLength,
			"IZINFINAL.nib: panjang maksimal 13 karakter, diterima 15",
			"IZINFINAL.nib: at most 13 characters, got 15"},
		{"a missing field is required", "nib", nil, true, RuleRequired,
			"IZINFINAL.nib: wajib ada",
			"IZINFINAL.nib: is required"},
		{"a date in another layout quotes it back", "tgl_terbit_izin", "17-12-2021", false, RuleFormat,
			`IZINFINAL.tgl_terbit_izin: harus berformat YYYY-MM-DD, diterima "17-12-2021"`,
			`IZINFINAL.tgl_terbit_izin: must be formatted YYYY-MM-DD, got "17-12-2021"`},
		{"a date that does not exist", "tgl_terbit_izin", "2021-02-29", false, RuleFormat,
			`IZINFINAL.tgl_terbit_izin: tanggal "2021-02-29" tidak ada di kalender`,
			`IZINFINAL.tgl_terbit_izin: "2021-02-29" is not a calendar date`},
		{"a code outside its Lampiran names the table", "status_izin", "99", false, RuleEnum,
			`IZINFINAL.status_izin: kode "99" tidak ada di Lampiran 10 (gunakan salah satu dari: 05, 09, 10, 11, 12, 20, 30, 31, 32, 33, 34, 40, …)`,
			`IZINFINAL.status_izin: code "99" is not in Lampiran 10 (use one of: 05, 09, 10, 11, 12, 20, 30, 31, 32, 33, 34, 40, …)`},
		{"a non-numeric string in a number field asks for a number", "bln_berlaku_izin", "12a", false, RuleType,
			`IZINFINAL.bln_berlaku_izin: harus berupa angka, diterima "12a"`,
			`IZINFINAL.bln_berlaku_izin: must be a number, got "12a"`},
		{"too many digits", "bln_berlaku_izin", json.Number("123456"), false, RuleDigits,
			"IZINFINAL.bln_berlaku_izin: maksimal 5 digit sebelum koma, diterima 6",
			"IZINFINAL.bln_berlaku_izin: at most 5 digits before the decimal point, got 6"},
		{"an object where text is documented", "nib", map[string]any{"a": "b"}, false, RuleType,
			"IZINFINAL.nib: harus berupa teks, diterima objek",
			"IZINFINAL.nib: must be a string, got an object"},
		{"an optional object may be null (null-is-no-value)", "data_teknis", nil, false, "", "", ""},
		{"an array where an object is documented", "data_teknis", []any{map[string]any{}}, false, RuleType,
			"IZINFINAL.data_teknis: harus berupa objek, diterima array",
			"IZINFINAL.data_teknis: must be an object, got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				v    *Validator
				want string
			}{{id, tt.id}, {en, tt.en}} {
				doc := valid()
				obj := doc["IZINFINAL"].(map[string]any)
				if tt.drop {
					delete(obj, tt.field)
				} else {
					obj[tt.field] = tt.value
				}
				r := c.v.Validate(v4320, "receiveLicense", pia.Request, doc)
				if tt.rule == "" {
					assert.Nil(t, r)
					continue
				}
				require.NotNil(t, r)
				assert.Equal(t, c.want, r.Summary())
				require.Len(t, r.Errors, 1)
				assert.Equal(t, "/IZINFINAL/"+tt.field, r.Errors[0].Field)
				assert.Equal(t, tt.rule, r.Errors[0].Rule)
			}
		})
	}
}

func TestMandatoryObjectMayNotBeNull(t *testing.T) {
	_, v := newValidator(t, Options{})
	r := v.Validate(v4320, "receiveLicense", pia.Request, decode(t, `{"IZINFINAL": null}`))
	require.NotNil(t, r)
	assert.Equal(t, "IZINFINAL: harus berupa objek, diterima null", r.Summary(), "policy null-is-no-value")
}

func TestResultListsEveryViolationInFieldOrder(t *testing.T) {
	cat, v := newValidator(t, Options{})
	sent := map[string]any{"nib": "812020773000123", "tgl_terbit_izin": "2021-13-01", "status_izin": "99",
		"bln_berlaku_izin": "x", "data_teknis": map[string]any{}}
	s, _ := cat.Lookup(v4320, "receiveLicense", pia.Request)
	missing := 0
	for path, f := range s.Fields {
		name, ok := strings.CutPrefix(path, "IZINFINAL.")
		if ok && !strings.Contains(name, ".") && f.Required && sent[name] == nil {
			missing++
		}
	}
	require.Greater(t, missing, 5)
	r := v.Validate(v4320, "receiveLicense", pia.Request, map[string]any{"IZINFINAL": sent})
	require.NotNil(t, r)
	fields := r.Fields()
	assert.Contains(t, fields, "IZINFINAL.nib")
	assert.Contains(t, fields, "IZINFINAL.kd_izin", "missing fields are listed beside wrong ones")
	assert.Len(t, r.Errors, 4+missing, "four wrong fields and every mandatory one left out")
	for i := 1; i < len(r.Errors); i++ {
		assert.LessOrEqual(t, pia.ComparePointers(r.Errors[i-1].Field, r.Errors[i].Field), 0, "ordered by field")
	}
	assert.Equal(t, len(r.Errors)-1, strings.Count(r.Summary(), "; "))
	nib := r.Errors[slicesIndex(r.Errors, "/IZINFINAL/nib")]
	assert.Equal(t, pia.FieldError{Field: "/IZINFINAL/nib", Rule: RuleMaxLength, Expected: "13", Got: "15"},
		pia.FieldError{Field: nib.Field, Rule: nib.Rule, Expected: nib.Expected, Got: nib.Got})
	assert.Equal(t, "panjang maksimal 13 karakter, diterima 15", nib.Text(pia.Indonesian))
	b, err := json.Marshal(nib)
	require.NoError(t, err)
	assert.JSONEq(t, `{"field":"/IZINFINAL/nib","rule":"maxLength","expected":"13","got":"15"}`, string(b),
		"the errors array of the envelope")
}

func slicesIndex(errs []pia.FieldError, field string) int {
	for i, e := range errs {
		if e.Field == field {
			return i
		}
	}
	return -1
}

func TestArrayIndicesInPointersAndMessages(t *testing.T) {
	_, v := newValidator(t, Options{})
	cat, _ := pia.NewCatalog()
	s, ok := cat.Lookup(v4320, "receiveNIB", pia.Request)
	require.True(t, ok)
	doc := piatest.Sampler{Members: 3, MaxText: 5}.Build(s.Doc.(map[string]any)).(map[string]any)
	proyek := doc["dataNIB"].(map[string]any)["data_proyek"].([]any)
	proyek[2].(map[string]any)["data_proyek_produk"].([]any)[1].(map[string]any)["tkdn"] = json.Number("100.555")
	r := v.Validate(v4320, "receiveNIB", pia.Request, doc)
	require.NotNil(t, r)
	assert.Equal(t, []string{"/dataNIB/data_proyek/2/data_proyek_produk/1/tkdn " + RuleDecimals}, rules(r))
	assert.Equal(t, "dataNIB.data_proyek[2].data_proyek_produk[1].tkdn: maksimal 2 angka di belakang koma, diterima 3", r.Summary())
}

func TestInqueryNIBAsksByNIBOrNPWP(t *testing.T) {
	_, v := newValidator(t, Options{})
	for _, body := range []string{`{"INQUERYNIB":{"nib":"8120207730001"}}`, `{"INQUERYNIB":{"npwp":"0123456789012345"}}`} {
		assert.Nil(t, v.Validate(v4320, "inqueryNIB", pia.Request, decode(t, body)), body)
	}
	r := v.Validate(v4320, "inqueryNIB", pia.Request, decode(t, `{"INQUERYNIB":{"oss_id":"x"}}`))
	require.NotNil(t, r)
	assert.Equal(t, []string{"/INQUERYNIB " + RuleRequired}, rules(r))
	assert.Equal(t, "INQUERYNIB: wajib ada salah satu dari: nib, npwp", r.Summary())
	assert.Equal(t, "nib | npwp", r.Errors[0].Expected)
}

func TestValidateWithoutSchemaAcceptsEverything(t *testing.T) {
	_, v := newValidator(t, Options{})
	assert.False(t, v.Has(v4320, "rekonAHUNIB", pia.Request), "known from the overview only")
	assert.Nil(t, v.Validate(v4320, "rekonAHUNIB", pia.Request, decode(t, `{"x":1}`)))
	doc := decode(t, `{"x":"1"}`)
	out, changed := v.Normalize(v4320, "rekonAHUNIB", pia.Request, doc)
	assert.False(t, changed)
	assert.Equal(t, doc, out)
	assert.True(t, v.Has(pia.MustVersion("4.3.99"), "receiveNIB", pia.Request), "a newer version inherits the newest schema")
}

func TestStrictRejectsUndeclaredFields(t *testing.T) {
	body := `{"IZINFINAL": {"nib": "", "id_proyek": "", "oss_id": "", "id_izin": "", "kd_izin": "", "kd_daerah": "",
		"nomor_izin": "", "tgl_terbit_izin": "", "tgl_berlaku_izin": "", "nama_ttd": "", "nip_ttd": "", "jabatan_ttd": "",
		"status_izin": "", "file_izin": "", "keterangan": "", "file_lampiran": "", "nomenklatur_nomor_izin": "",
		"jenis_perizinan": "", "data_teknis": {"id_komitmen": "", "catatan_baru": "x"}, "kolom_baru": 1}, "ekstra": true}`
	_, lax := newValidator(t, Options{})
	assert.Nil(t, lax.Validate(v4320, "receiveLicense", pia.Request, decode(t, body)), "extra fields are accepted by default")
	_, strict := newValidator(t, Options{Strict: true})
	r := strict.Validate(v4320, "receiveLicense", pia.Request, decode(t, body))
	require.NotNil(t, r)
	assert.Equal(t, []string{
		"/IZINFINAL/data_teknis/catatan_baru " + RuleAdditional,
		"/IZINFINAL/kolom_baru " + RuleAdditional,
		"/ekstra " + RuleAdditional,
	}, rules(r))
	assert.Contains(t, r.Summary(), "IZINFINAL.kolom_baru: field tidak dikenal (mode strict)")
}

// newFailsNamingTheFile drops content in as the schema file of dir and
// requires New to refuse the catalog, naming the file and saying want.
func newFailsNamingTheFile(t *testing.T, dir, file, content, want string) {
	t.Helper()
	writeFile(t, file, content)
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.LoadDir(dir))
	_, err = New(cat, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), file, "the error names the file")
	assert.Contains(t, err.Error(), want)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// An override directory written by hand: a new PIA version that widens one
// field, and an agency-specific method for every version.
func TestOverrideDirectoryAddsVersionAndCustomMethod(t *testing.T) {
	dir := t.TempDir()
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	base, ok := cat.Own(v4320, "receiveLicense", pia.Request)
	require.True(t, ok)
	widened := strings.Replace(string(base.Raw), `"maxLength": 13,`, `"maxLength": 16,`, 1)
	require.NotEqual(t, string(base.Raw), widened, "the 4.3.20 nib limit is in the built-in schema")
	// Copied as is, $id and all: the validator gives each document its own id.
	writeFile(t, filepath.Join(dir, "4.3.21", "receiveLicense.request.json"), widened)
	writeFile(t, filepath.Join(dir, "receiveIzinDaerah.request.json"), `{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"type": "object",
		"properties": {"IZINDAERAH": {"type": "object",
			"properties": {
				"nib": {"type": "string", "maxLength": 13},
				"tgl_izin": {"type": ["string", "null"], "format": "pia-date"},
				"jumlah": {"type": ["integer", "string", "null"], "maxLength": 0, "exclusiveMaximum": 1000, "exclusiveMinimum": -1000},
				"lampiran": {"type": "object"}
			},
			"required": ["nib"]}},
		"required": ["IZINDAERAH"]}`)
	require.NoError(t, cat.LoadDir(dir))
	v, err := New(cat, Options{Strict: true})
	require.NoError(t, err)

	nib16 := `{"IZINFINAL": {"nib": "8120207730001234"}}`
	r := v.Validate(v4320, "receiveLicense", pia.Request, decode(t, nib16))
	require.NotNil(t, r)
	assert.Contains(t, rules(r), "/IZINFINAL/nib "+RuleMaxLength, "4.3.20 keeps its own limit")
	r = v.Validate(v4321, "receiveLicense", pia.Request, decode(t, nib16))
	require.NotNil(t, r, "other members are still missing")
	assert.NotContains(t, rules(r), "/IZINFINAL/nib "+RuleMaxLength, "4.3.21 takes the override's limit")
	assert.True(t, v.Has(v4321, "receiveNIB", pia.Request), "methods the new version does not carry are inherited")

	for _, ver := range []pia.Version{pia.MustVersion("4.3.12"), v4320, v4321} {
		assert.True(t, v.Has(ver, "receiveIzinDaerah", pia.Request), "a custom method applies to every version")
	}
	good := `{"IZINDAERAH": {"nib": "8120207730001", "tgl_izin": "2024-02-29", "jumlah": 999, "lampiran": {"bebas": 1}}}`
	assert.Nil(t, v.Validate(v4320, "receiveIzinDaerah", pia.Request, decode(t, good)), "a free-form object stays open in strict mode")
	bad := `{"IZINDAERAH": {"tgl_izin": "2023-02-29", "jumlah": 1000.5, "x": 1}}`
	r = v.Validate(v4320, "receiveIzinDaerah", pia.Request, decode(t, bad))
	require.NotNil(t, r)
	assert.Equal(t, []string{
		"/IZINDAERAH/jumlah " + RuleDigits, "/IZINDAERAH/jumlah " + RuleType,
		"/IZINDAERAH/nib " + RuleRequired, "/IZINDAERAH/tgl_izin " + RuleFormat, "/IZINDAERAH/x " + RuleAdditional,
	}, rules(r))
	doc, changed := v.Normalize(v4320, "receiveIzinDaerah", pia.Request, decode(t, `{"IZINDAERAH": {"nib": 8120207730001, "jumlah": "12"}}`))
	assert.True(t, changed, "the override's fields index drives Normalize")
	assert.Equal(t, map[string]any{"IZINDAERAH": map[string]any{"nib": "8120207730001", "jumlah": json.Number("12")}}, doc)
}

func TestBrokenOverrideSchemaFailsNewNamingItsFile(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"a keyword of the wrong type", `{"type": "object", "properties": {"nib": {"maxLength": "13"}}}`, "maxLength"},
		{"an unknown type", `{"type": "objekt"}`, "at '/type'"},
		{"a misspelled format", `{"type": "object", "properties": {"tgl": {"type": "string", "format": "pia-dat"}}}`, `unknown format "pia-dat"`},
		{"a reference outside the catalog", `{"$ref": "https://example.com/other.json"}`, "example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			newFailsNamingTheFile(t, dir, filepath.Join(dir, "4.3.21", "receiveLicense.request.json"), tt.content, tt.want)
		})
	}
	t.Run("a file that is not JSON fails the load", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "4.3.21", "receiveLicense.request.json")
		writeFile(t, file, `{"type": "object",}`)
		cat, err := pia.NewCatalog()
		require.NoError(t, err)
		err = cat.LoadDir(dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), file)
	})
}

// One Validator serves every request: run this with -race.
func TestConcurrentUse(t *testing.T) {
	_, v := newValidator(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				nib := strings.Repeat("1", 10+(i+j)%6)
				// decode would require, which a worker goroutine must not.
				doc, err := jsonbody.Decode([]byte(`{"IZINFINAL": {"nib": "` + nib + `", "bln_berlaku_izin": "7"}}`))
				if !assert.NoError(t, err) {
					return
				}
				doc, _ = v.Normalize(v4320, "receiveLicense", pia.Request, doc)
				r := v.Validate(v4320, "receiveLicense", pia.Request, doc)
				if assert.NotNil(t, r) {
					assert.Equal(t, len(nib) > 13, strings.Contains(r.Summary(), "IZINFINAL.nib:"))
				}
			}
		}()
	}
	wg.Wait()
}

func TestNilResult(t *testing.T) {
	var r *Result
	assert.Equal(t, "", r.Summary())
	assert.Nil(t, r.Fields())
}

// Values of secret fields (passwords, keys, tokens) are never quoted back:
// the summary goes to logs and, in report mode, to a response header.
func TestSecretValuesAreNotQuotedBack(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.Add(pia.Version{}, "sendSecurityKey", pia.Request, []byte(`{"type":"object","properties":{
		"securityKey":{"type":"object","properties":{
			"user_akses":{"type":"string","enum":["dinas"]},
			"pwd_akses":{"type":"string","enum":["rahasia"]},
			"user_key":{"type":"string","format":"pia-date"},
			"Token":{"type":"string"}}}}}`), "test"))
	v, err := New(cat, Options{})
	require.NoError(t, err)
	r := v.Validate(v4320, "sendSecurityKey", pia.Request, decode(t,
		`{"securityKey":{"user_akses":"dinaz","pwd_akses":"S3cr3t-pwd","user_key":"K3y-value","Token":12345}}`))
	require.NotNil(t, r)
	assert.Equal(t, []string{
		"/securityKey/Token " + RuleType, "/securityKey/pwd_akses " + RuleEnum,
		"/securityKey/user_akses " + RuleEnum, "/securityKey/user_key " + RuleFormat,
	}, rules(r))
	summary := r.Summary()
	for _, secret := range []string{"S3cr3t", "K3y-value", "12345", "rahasia"} {
		assert.NotContains(t, summary, secret)
		for _, e := range r.Errors {
			assert.NotContains(t, e.Got, secret)
			assert.NotContains(t, e.Expected, secret)
		}
	}
	assert.Contains(t, summary, `"dinaz"`, "other values are still quoted back")
	assert.Contains(t, summary, "securityKey.pwd_akses: nilai *** tidak diizinkan;", "the field is still named")
}
