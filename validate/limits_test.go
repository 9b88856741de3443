package validate

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// limitsSchema is a hand-written drop-in schema (built by hand for these
// tests) whose one number field, nilai, is stated by the given keywords;
// extra adds members to IZINDAERAH's properties.
func limitsSchema(nilai, extra string) string {
	return `{"type": "object", "properties": {"IZINDAERAH": {"type": "object", "properties": {
		"nilai": {"type": ["number", "string", "null"], "maxLength": 0` + nilai + `}` + extra + `},
		"required": ["nilai"]}}, "required": ["IZINDAERAH"]}`
}

// limitsValidator loads the given drop-in schemas (file name → content).
func limitsValidator(t *testing.T, files map[string]string) *Validator {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.LoadDir(dir))
	v, err := New(cat, Options{Lang: pia.English})
	require.NoError(t, err)
	return v
}

// limitsOfField is the limits the compiled plan checks nilai against.
func limitsOfField(t *testing.T, v *Validator, method string) numberLimits {
	t.Helper()
	c := v.lookup(v4320, method, pia.Request)
	require.NotNil(t, c)
	require.NotNil(t, c.plan, "%v", c.unplanned)
	p := c.plan.member("IZINDAERAH").member("nilai")
	require.NotNil(t, p.check, "nilai has a check")
	require.True(t, p.check.hasLimits)
	return p.check.limits
}

// numberAnswers is, for each value of nilai, the violations in English, as
// the envelope's keterangan would read them.
func numberAnswers(t *testing.T, v *Validator, method string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, lit := range []string{"99999.9", "-99999.9", "123456", "12345.6", "1.25", "123456.78", "0.10"} {
		doc := map[string]any{"IZINDAERAH": map[string]any{"nilai": json.Number(lit)}}
		r := v.Validate(v4320, method, pia.Request, doc)
		var got []string
		if r != nil {
			for _, e := range r.Errors {
				got = append(got, fmt.Sprintf("%s %s %s: %s", e.Field, e.Rule, e.Expected, e.Text(pia.English)))
			}
		}
		out[lit] = got
	}
	return out
}

// The limits of number(5.1) as the annotation states them.
var fiveDigitAnswers = map[string][]string{
	"99999.9":  nil,
	"-99999.9": nil,
	"123456":   {"/IZINDAERAH/nilai digits 5: at most 5 digits before the decimal point, got 6"},
	"12345.6":  nil,
	"1.25":     {"/IZINDAERAH/nilai decimals 1: at most 1 decimal places, got 2"},
	"123456.78": {
		"/IZINDAERAH/nilai decimals 1: at most 1 decimal places, got 2",
		"/IZINDAERAH/nilai digits 5: at most 5 digits before the decimal point, got 6",
	},
	"0.10": nil,
}

// TestNumberAnnotationIsWhatThePlanAndTheMessageUse: a node that states
// its size only in the annotation (no keyword a JSON Schema tool would
// read) is checked, and its violations worded, by the annotation's
// digits and decimals, on the plan and on the library's path alike.
func TestNumberAnnotationIsWhatThePlanAndTheMessageUse(t *testing.T) {
	annotated := `, "x-pia-number": {"digits": 5, "decimals": 1}`
	v := limitsValidator(t, map[string]string{
		"receiveIzinPlan.request.json": limitsSchema(annotated, ""),
		// oneOf has no plan: this schema goes to the library, with the
		// annotation's check as its format.
		"receiveIzinLibrary.request.json": limitsSchema(annotated, `, "x": {"oneOf": [{"type": "string"}, {"type": "number"}]}`),
	})
	assert.Equal(t, numberLimits{Digits: 5, Decimals: 1}, limitsOfField(t, v, "receiveIzinPlan"))
	assert.Equal(t, fiveDigitAnswers, numberAnswers(t, v, "receiveIzinPlan"), "the plan")

	c := v.lookup(v4320, "receiveIzinLibrary", pia.Request)
	require.NotNil(t, c)
	require.Nil(t, c.plan, "the oneOf keeps this schema off the plan")
	assert.Equal(t, fiveDigitAnswers, numberAnswers(t, v, "receiveIzinLibrary"), "the library")

	// The field index the other packages read says the same.
	s, ok := v.cat.Lookup(v4320, "receiveIzinPlan", pia.Request)
	require.True(t, ok)
	info := s.Fields["IZINDAERAH.nilai"]
	require.NotNil(t, info)
	assert.Equal(t, []int{5, 1}, []int{info.Digits, info.Decimals})
}

// TestNumberLimitsWithoutAnnotationComeFromTheKeywords: a hand-written
// schema that states number(5.1) with the standard keywords alone gets
// the same checks and the same words as the annotated one.
func TestNumberLimitsWithoutAnnotationComeFromTheKeywords(t *testing.T) {
	v := limitsValidator(t, map[string]string{
		"receiveIzinKeywords.request.json": limitsSchema(`, "exclusiveMaximum": 100000, "exclusiveMinimum": -1e5, "multipleOf": 0.1`, ""),
		"receiveIzinWhole.request.json":    limitsSchema(`, "type": ["integer", "string", "null"], "exclusiveMaximum": 1000, "exclusiveMinimum": -1000`, ""),
	})
	assert.Equal(t, numberLimits{Digits: 5, Decimals: 1}, limitsOfField(t, v, "receiveIzinKeywords"))
	assert.Equal(t, fiveDigitAnswers, numberAnswers(t, v, "receiveIzinKeywords"))
	for lit := range fiveDigitAnswers {
		doc := map[string]any{"IZINDAERAH": map[string]any{"nilai": json.Number(lit)}}
		agree(t, v, v4320, "receiveIzinKeywords", pia.Request, doc, lit)
	}

	assert.Equal(t, numberLimits{Digits: 3, Decimals: 0}, limitsOfField(t, v, "receiveIzinWhole"), "type integer is number(N.0)")
	r := v.Validate(v4320, "receiveIzinWhole", pia.Request, map[string]any{"IZINDAERAH": map[string]any{"nilai": json.Number("1000.5")}})
	assert.Equal(t, []string{"/IZINDAERAH/nilai " + RuleDigits, "/IZINDAERAH/nilai " + RuleType}, rules(r))
}

// TestNumberAnnotationTheSchemaContradictsFailsNew: an annotation the
// keywords beside it contradict, or one that is not two whole numbers,
// fails the load naming the file, rather than letting the gateway check
// something else than the schema says.
func TestNumberAnnotationTheSchemaContradictsFailsNew(t *testing.T) {
	tests := []struct{ name, nilai, want string }{
		{"fewer digits than exclusiveMaximum", `, "exclusiveMaximum": 1000000, "exclusiveMinimum": -1000000, "x-pia-number": {"digits": 5}`, "x-pia-number says 5 digits and any decimals"},
		{"decimals where multipleOf says none", `, "exclusiveMaximum": 100000, "exclusiveMinimum": -100000, "x-pia-number": {"digits": 5, "decimals": 1}`, "x-pia-number says 5 digits and 1 decimals"},
		{"decimals on an integer", `, "type": ["integer", "null"], "x-pia-number": {"decimals": 2}`, "x-pia-number says any digits and 2 decimals"},
		{"bounds that are not a power of ten", `, "exclusiveMaximum": 500, "x-pia-number": {"digits": 3}`, "state the number's size once"},
		{"a digits written as a string", `, "x-pia-number": {"digits": "5"}`, `digits must be a whole number`},
		{"a negative decimals", `, "x-pia-number": {"decimals": -1}`, `decimals must be a whole number`},
		{"a misspelt member", `, "x-pia-number": {"digit": 5}`, `unknown member "digit"`},
		{"not an object", `, "x-pia-number": 5`, `x-pia-number must be an object`},
		{"beside a format", `, "format": "pia-date", "x-pia-number": {"digits": 5}`, "a format of its own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			newFailsNamingTheFile(t, dir, filepath.Join(dir, "receiveIzinDaerah.request.json"), limitsSchema(tt.nilai, ""), tt.want)
		})
	}
}

// TestBuiltinSchemasStateEveryNumberSizeByAnnotation: the generated
// schemas never leave the plan to work limits out of keywords, and their
// annotation and keywords say the same (New checks that they agree).
func TestBuiltinSchemasStateEveryNumberSizeByAnnotation(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	annotated := 0
	for _, s := range cat.All() {
		eachSchema(s.Doc.(map[string]any), func(n map[string]any) {
			_, hasMax := n["exclusiveMaximum"]
			_, hasStep := n["multipleOf"]
			if !hasMax && !hasStep && !integerType(n) {
				return
			}
			l, ok, err := pia.AnnotatedLimits(n)
			require.NoError(t, err)
			if !assert.True(t, ok, "%s: a number node without %s: %v", s.ID, pia.NumberAnnotation, n) {
				return
			}
			fromKeywords, _ := keywordLimits(n)
			assert.Equal(t, fromKeywords, l, s.ID)
			annotated++
		})
	}
	assert.Greater(t, annotated, 100)
}
