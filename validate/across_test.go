package validate

// Fixtures: two versions of a receiveLicense schema written by hand, each
// differing in the ways the rules and the normalisations between versions
// turn on; the watches are written by hand as transform states its rules.

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

const (
	acrossFrom = `{"type":"object","required":["IZINFINAL"],"properties":{"IZINFINAL":{"type":"object",
		"required":["nib"],"properties":{
		"nib":{"type":"string"},
		"tgl":{"type":"string","format":"pia-date"},
		"jumlah":{"type":"string"},
		"luas":{"type":"string"},
		"kode":{"type":"string"},
		"lama":{"type":"string"},
		"kd":{"type":"number"},
		"tua":{"type":"number"},
		"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"},"k":{"type":"string"},"x":{"type":"string"}}}}}}}}`
	acrossTo = `{"type":"object","required":["IZINFINAL"],"properties":{"IZINFINAL":{"type":"object",
		"required":["nib"],"properties":{
		"nib":{"type":"string"},
		"tgl":{"type":"string","format":"pia-datetime"},
		"jumlah":{"type":"number"},
		"luas":{"type":"number"},
		"kode":{"type":"string"},
		"baru":{"type":"string"},
		"kd":{"type":"number"},
		"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"number"},"k":{"type":"string"}}}}}}}}`
)

var v4312 = pia.MustVersion("4.3.12")

// acrossValidator holds the two hand-written schemas, at 4.3.12 and 4.3.20.
func acrossValidator(t *testing.T) *Validator {
	t.Helper()
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	require.NoError(t, cat.Add(v4312, "receiveLicense", pia.Request, []byte(acrossFrom), "across from"))
	require.NoError(t, cat.Add(v4320, "receiveLicense", pia.Request, []byte(acrossTo), "across to"))
	v, err := New(cat, Options{})
	require.NoError(t, err)
	return v
}

func TestCarryAcrossSendsToTheTreeWhatARuleOrTheClientsVersionWouldChange(t *testing.T) {
	v := acrossValidator(t)
	watches := []Watch{
		{Path: []string{"IZINFINAL", "lama"}, When: WhenPresent},
		{Path: []string{"IZINFINAL", "baru"}, When: WhenAbsent},
		{Path: []string{"IZINFINAL", "jumlah"}, When: WhenString},
		{Path: []string{"IZINFINAL", "items", "n"}, When: WhenString},
		{Path: []string{"IZINFINAL", "kode"}, When: WhenCode, Codes: map[string]string{"11": "01"}},
		{Path: []string{"IZINFINAL", "kd"}, When: WhenCode, Codes: map[string]string{"11": "1"}},
		{Path: []string{"IZINFINAL", "items", "k"}, When: WhenCode, Codes: map[string]string{"11": "01"}},
	}
	g := v.Guard(v4312, v4320, "receiveLicense", pia.Request, watches)
	require.NotNil(t, g)
	for _, c := range []struct {
		name string
		body string
		want bool
	}{
		{"no rule acts, nothing to normalise", `{"IZINFINAL":{"nib":"1","baru":"x","jumlah":12,"kode":"02","items":[{"n":1,"k":"02"},{"n":2}]}}`, true},
		{"a field the rules remove is present", `{"IZINFINAL":{"nib":"1","baru":"x","lama":"y"}}`, false},
		{"a field a rule fills is absent", `{"IZINFINAL":{"nib":"1"}}`, false},
		{"a retyped field holds a string", `{"IZINFINAL":{"nib":"1","baru":"x","jumlah":"12"}}`, false},
		{"a retyped field holds an empty string, which the retype leaves", `{"IZINFINAL":{"nib":"1","baru":"x","jumlah":""}}`, false},
		{"a retyped field in an array member holds a string", `{"IZINFINAL":{"nib":"1","baru":"x","items":[{"n":1},{"n":"2"}]}}`, false},
		{"a code the rules recode", `{"IZINFINAL":{"nib":"1","baru":"x","kode":"11"}}`, false},
		{"a code the rules recode, as a number", `{"IZINFINAL":{"nib":"1","baru":"x","kd":11}}`, false},
		{"another number code", `{"IZINFINAL":{"nib":"1","baru":"x","kd":12}}`, true},
		{"a code the rules recode, in an array member", `{"IZINFINAL":{"nib":"1","baru":"x","items":[{"k":"02"},{"k":"11"}]}}`, false},
		{"a field whose format the client's version states otherwise", `{"IZINFINAL":{"nib":"1","baru":"x","tgl":"2024-01-01 10:00:00"}}`, false},
		{"a number where the client's version states text, with no retype", `{"IZINFINAL":{"nib":"1","baru":"x","luas":12}}`, false},
		{"invalid at the upstream's version", `{"IZINFINAL":{"baru":"x"}}`, false},
	} {
		assert.Equal(t, c.want, cleanAcross(v, g, []byte(c.body), gatewayDecode), c.name)
	}
	// The empty string is refused above by the plan (a number), not by the
	// watch: the watch itself lets "" through, as the retype does.
	izin := g.root.props[g.root.obj.index["IZINFINAL"]]
	assert.False(t, izin.props[izin.obj.index["jumlah"]].actsOnString(""))
	assert.True(t, izin.props[izin.obj.index["jumlah"]].actsOnString("12"))

	// Without a schema of the client's version nothing is normalised by
	// it, and without watches no rule acts: CarryAcross is Clean.
	g = v.Guard(pia.MustVersion("4.3.1"), v4320, "receiveLicense", pia.Request, nil)
	require.NotNil(t, g)
	body := []byte(`{"IZINFINAL":{"nib":"1","tgl":"2024-01-01 10:00:00","luas":12}}`)
	assert.True(t, cleanAcross(v, g, body, gatewayDecode))
	assert.Equal(t, v.Clean(v4320, "receiveLicense", pia.Request, body, gatewayDecode), cleanAcross(v, g, body, gatewayDecode))
	assert.False(t, cleanAcross(v, nil, body, gatewayDecode), "no guard, no answer")
}

// TestCarryAcrossNormalisesAsTheClientsVersionDoes: a value the client's
// version normalises, where it states the field as the upstream's
// version does, is written so normalised (policy normalised-on-the-bytes);
// a field it does not state, it does not normalise, and one a rule
// watches is left to the full path.
func TestCarryAcrossNormalisesAsTheClientsVersionDoes(t *testing.T) {
	v := acrossValidator(t)
	g := v.Guard(v4312, v4320, "receiveLicense", pia.Request, nil)
	require.NotNil(t, g)
	for _, c := range []struct{ name, body, want string }{
		{"a number for a string both versions state", `{"IZINFINAL":{"nib":1}}`, `{"IZINFINAL":{"nib":"1"}}`},
		{"text for a number both versions state", `{"IZINFINAL":{"nib":"1","kd":"12"}}`, `{"IZINFINAL":{"nib":"1","kd":12}}`},
		{"an array's one member bare", `{"IZINFINAL":{"nib":"1","items":{"k":"x"}}}`, `{"IZINFINAL":{"nib":"1","items":[{"k":"x"}]}}`},
	} {
		out, applied, ok := v.CarryAcross(g, []byte(c.body), gatewayDecode)
		if assert.True(t, ok, c.name) {
			assert.Equal(t, c.want, string(out), c.name)
			assert.Nil(t, applied, c.name)
		}
	}
	for _, c := range []struct{ name, body string }{
		{"a field only the upstream's version states, which the client's leaves as sent", `{"IZINFINAL":{"nib":"1","baru":5}}`},
		{"a field whose format the two versions state otherwise", `{"IZINFINAL":{"nib":"1","tgl":"2024-01-01 10:00:00"}}`},
	} {
		_, _, ok := v.CarryAcross(g, []byte(c.body), gatewayDecode)
		assert.False(t, ok, c.name)
	}
	watched := v.Guard(v4312, v4320, "receiveLicense", pia.Request, []Watch{
		{Path: []string{"IZINFINAL", "kd"}, When: WhenCode, Codes: map[string]string{"11": "1"}},
	})
	_, _, ok := v.CarryAcross(watched, []byte(`{"IZINFINAL":{"nib":"1","kd":"12"}}`), gatewayDecode)
	assert.False(t, ok, "a value a rule watches is normalised on the tree, where the rule sees it")
}

func TestCarryAcrossCutsTheMembersARemovalRemoves(t *testing.T) {
	v := acrossValidator(t)
	removals := []Watch{
		{Path: []string{"IZINFINAL", "lama"}, When: WhenRemoved, Rule: "remove lama"},
		{Path: []string{"IZINFINAL", "items", "x"}, When: WhenRemoved, Rule: "remove x"},
		{Path: []string{"IZINFINAL", "tua"}, When: WhenRemoved, Rule: "remove tua"},
	}
	g := v.Guard(v4312, v4320, "receiveLicense", pia.Request, removals)
	require.NotNil(t, g)
	tenX := `{"IZINFINAL":{"nib":"1","items":[` + strings.Repeat(`{"x":"a","k":"1"},`, 9) + `{"x":"a","k":"1"}]}}`
	for _, c := range []struct {
		name, body, want string
		applied          []string
	}{
		{"nothing to remove goes as sent", `{"IZINFINAL":{"nib":"1"}}`, `{"IZINFINAL":{"nib":"1"}}`, nil},
		{"last member", `{"IZINFINAL":{"nib":"1","lama":"y"}}`, `{"IZINFINAL":{"nib":"1"}}`, []string{"remove lama"}},
		{"first member", `{"IZINFINAL":{"lama":"y","nib":"1"}}`, `{"IZINFINAL":{"nib":"1"}}`, []string{"remove lama"}},
		{"spaced, any value", "{\"IZINFINAL\":{ \"lama\" : {\"a\":[1,null]} ,\n \"nib\":\"1\" }}", "{\"IZINFINAL\":{ \"nib\":\"1\" }}", []string{"remove lama"}},
		{"two in a row, first", `{"IZINFINAL":{"lama":"y","tua":1,"nib":"1"}}`, `{"IZINFINAL":{"nib":"1"}}`, []string{"remove lama", "remove tua"}},
		{"two in a row, last", `{"IZINFINAL":{"nib":"1","tua":1,"lama":"y"}}`, `{"IZINFINAL":{"nib":"1"}}`, []string{"remove lama", "remove tua"}},
		{"around a member kept", `{"IZINFINAL":{"tua":1,"nib":"1","lama":"y"}}`, `{"IZINFINAL":{"nib":"1"}}`, []string{"remove lama", "remove tua"}},
		{"in every member of an array", `{"IZINFINAL":{"nib":"1","items":[{"x":"a","k":"1"},{"k":"2","x":"b"},{ "x" : "c" }]}}`,
			`{"IZINFINAL":{"nib":"1","items":[{"k":"1"},{"k":"2"},{  }]}}`, []string{"remove x"}},
		{"more members than the walker holds", tenX, `{"IZINFINAL":{"nib":"1","items":[` + strings.Repeat(`{"k":"1"},`, 9) + `{"k":"1"}]}}`, []string{"remove x"}},
	} {
		out, applied, ok := v.CarryAcross(g, []byte(c.body), gatewayDecode)
		if assert.True(t, ok, c.name) {
			assert.Equal(t, c.want, string(out), c.name)
			assert.Equal(t, c.applied, applied, c.name)
			assert.Equal(t, c.applied == nil, cleanAcross(v, g, []byte(c.body), gatewayDecode), c.name)
		}
	}
	for _, c := range []struct{ name, body string }{
		{"named twice", `{"IZINFINAL":{"nib":"1","lama":"y","lama":"z"}}`},
		{"an escaped name, which only the tree tells apart", `{"IZINFINAL":{"nib":"1","l\u0061ma":"y"}}`},
		{"its value broken", `{"IZINFINAL":{"nib":"1","lama":[1,]}}`},
		{"what is left invalid", `{"IZINFINAL":{"lama":"y"}}`},
	} {
		_, _, ok := v.CarryAcross(g, []byte(c.body), gatewayDecode)
		assert.False(t, ok, c.name)
	}
	// A removed name another rule also watches, or one the upstream's
	// version knows (a later rule brings it back), is left to the tree.
	body := []byte(`{"IZINFINAL":{"nib":"1","lama":"y","kode":"01"}}`)
	for _, w := range []Watch{
		{Path: []string{"IZINFINAL", "lama"}, When: WhenString},
		{Path: []string{"IZINFINAL", "kode"}, When: WhenRemoved, Rule: "remove kode"},
	} {
		g := v.Guard(v4312, v4320, "receiveLicense", pia.Request, append(removals[:1:1], w))
		_, _, ok := v.CarryAcross(g, body, gatewayDecode)
		assert.False(t, ok, w.Path)
	}
}

// cleanAcross says whether CarryAcross forwards body as sent.
func cleanAcross(v *Validator, g *Guard, body []byte, o jsonbody.Options) bool {
	out, applied, ok := v.CarryAcross(g, body, o)
	if ok && applied == nil && &out[0] != &body[0] {
		panic("CarryAcross copied a body it forwards as sent")
	}
	return ok && applied == nil
}
