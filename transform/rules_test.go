package transform

// Fixtures: the rule files, notes and payloads written out in this file are
// built by hand, each the smallest that shows its test's behaviour; the
// builtin step files are read from rules/.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

func TestBuiltinRulesLoadForEveryStep(t *testing.T) {
	cat, e := builtin(t)
	require.Len(t, e.steps, len(cat.Versions())-1)
	for _, st := range e.steps {
		assert.NotEmpty(t, st.rules, "step %s-%s has rules", st.from, st.to)
	}
}

// writeRules writes step files into a fresh directory.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

func TestLoadRejectsBadRules(t *testing.T) {
	cat, _ := builtin(t)
	tests := []struct {
		name, file, body string
		also             string   // a second file with the same body
		want             []string // substrings of the error
	}{
		{
			name: "a rule naming a field its from-version does not have", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"rename","path":"AKTA.no_such_field","to":"x"}]}`,
			want: []string{"4.3.12-4.3.16.json", "rule 1", "PIA 4.3.12 receiveLegal request has no field AKTA.no_such_field"},
		},
		{
			name: "a rename to a name the to-version does not have", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"rename","path":"AKTA.penanggung_jwb.no_identitas_penanggung_jwb","to":"nik"}]}`,
			want: []string{"rule 1", "PIA 4.3.16 receiveLegal request has no field AKTA.penanggung_jwb.nik"},
		},
		{
			name: "a field its own version does not have, in the second rule", file: "4.3.19-4.3.20.json",
			body: `{"rules":[{"method":"checkLicenseStatus","kind":"response","op":"add","path":"responcheckLicenseStatus.dataIZIN.file_lampiran"},{"method":"receiveLicense","kind":"request","op":"remove","path":"IZINFINAL.data_pnbp"}]}`,
			want: []string{"rule 2 (receiveLicense request remove IZINFINAL.data_pnbp)", "PIA 4.3.19 receiveLicense request has no field IZINFINAL.data_pnbp"},
		},
		{
			name: "a method one version does not have", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"fetchNIB","kind":"request","op":"add","path":"FETCHNIB.nib"}]}`,
			want: []string{"PIA 4.3.12 has no request schema for fetchNIB"},
		},
		{
			name: "an unknown op", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"delete","path":"AKTA.total_modal_dasar"}]}`,
			want: []string{`unknown op "delete"`},
		},
		{
			name: "a misspelt key", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"add","pth":"AKTA.tahun_kbli"}]}`,
			want: []string{"4.3.12-4.3.16.json", `unknown field "pth"`},
		},
		{
			name: "a kind that is neither request nor response", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"success","op":"add","path":"AKTA.tahun_kbli"}]}`,
			want: []string{"kind must be request or response"},
		},
		{
			name: "a retype between two strings", file: "4.3.19-4.3.20.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"retype","path":"AKTA.nama_perseroan"}]}`,
			want: []string{"retype converts between string and number", "string in PIA 4.3.19 and string in PIA 4.3.20"},
		},
		{
			name: "a default on a rule that never fills a field", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"checkLicenseStatus","kind":"request","op":"rename","path":"IZINSTATUS","to":"CHECKLICENSESTATUS","default":{}}]}`,
			want: []string{"rename takes no default"},
		},
		{
			name: "a restructure that does not say how to fold back", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"restructure","path":"AKTA.total_modal_dasar","to":"AKTA.modal_dasar.total_modal_dasar"}]}`,
			want: []string{"combine (sum or first)"},
		},
		{
			name: "a restructure of a field the older version does not have", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"restructure","path":"AKTA.total_modal","to":"AKTA.modal_dasar.total_modal_dasar","combine":"sum"}]}`,
			want: []string{"PIA 4.3.12 receiveLegal request has no field AKTA.total_modal"},
		},
		{
			name: "a restructure into something that is not an array member", file: "4.3.12-4.3.16.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"restructure","path":"AKTA.total_modal_dasar","to":"AKTA.tahun_kbli","combine":"sum"}]}`,
			want: []string{"to must be a member of an array in PIA 4.3.16"},
		},
		{
			name: "an add of a field the older version already has", file: "4.3.19-4.3.20.json",
			body: `{"rules":[{"method":"receiveLegal","kind":"request","op":"add","path":"AKTA.tahun_kbli"}]}`,
			want: []string{"PIA 4.3.19 receiveLegal request still has AKTA.tahun_kbli"},
		},
		{
			name: "a note without a reason", file: "4.3.19-4.3.20.json",
			body: `{"rules":[],"notes":[{"method":"receiveLegal","path":"AKTA.tahun_kbli"}]}`,
			want: []string{"note 1", "gives its reason"},
		},
		{
			name: "a file whose name is not two versions", file: "receiveLegal.json",
			body: `{"rules":[]}`,
			want: []string{"receiveLegal.json", "<from>-<to>.json"},
		},
		{
			name: "a step skipping a version", file: "4.3.12-4.3.17.json",
			body: `{"rules":[]}`,
			want: []string{"4.3.12-4.3.17.json", "not consecutive versions"},
		},
		{
			name: "a step to a version without schemas", file: "4.3.22-4.3.23.json",
			body: `{"rules":[]}`,
			want: []string{"4.3.22-4.3.23.json", "not consecutive versions"},
		},
		{
			name: "two files for one step", file: "4.3.19-4.3.20.json", also: "v4.3.19-4.3.20.json",
			body: `{"rules":[]}`,
			want: []string{"are both the step 4.3.19-4.3.20"},
		},
		{
			name: "a file that is not JSON", file: "4.3.19-4.3.20.json",
			body: `{"rules":[`,
			want: []string{"4.3.19-4.3.20.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{tt.file: tt.body}
			if tt.also != "" {
				files[tt.also] = tt.body
			}
			_, err := Load(cat, writeRules(t, files))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}

	_, err := Load(cat, filepath.Join(t.TempDir(), "missing"))
	assert.ErrorContains(t, err, "rules directory")
}

// Whether a field really became mandatory or optional is read from the
// schemas: a require or optional rule whose field did not change (an
// override schema may make it so) loads and does nothing.
func TestRequireAndOptionalFollowTheSchemas(t *testing.T) {
	cat, _ := builtin(t)
	e, err := Load(cat, writeRules(t, map[string]string{"4.3.19-4.3.20.json": builtinStepWith(t, "4.3.19-4.3.20", false, `[
		{"method":"receiveLegal","kind":"request","op":"optional","path":"AKTA.tahun_kbli"},
		{"method":"receiveLegal","kind":"request","op":"require","path":"AKTA.merger"}
	]`, `[]`)}))
	require.NoError(t, err)
	assert.False(t, e.Needed("receiveLegal", pia.Request, v4319, v4320))
	assert.False(t, e.Needed("receiveLegal", pia.Request, v4320, v4319))
	out, rep := e.Convert("receiveLegal", pia.Request, v4320, v4319, decode(t, `{"AKTA":{}}`))
	assert.JSONEq(t, `{"AKTA":{}}`, encode(t, out))
	assert.Empty(t, rep.Errors)
}

func TestRulesDirectoryOverridesABuiltinStep(t *testing.T) {
	cat, builtinEngine := builtin(t)
	answer := `{"responcheckLicenseStatus":{"kode":200,"dataIZIN":{"nib":"1","file_lampiran":"x"}}}`
	require.True(t, builtinEngine.Needed("checkLicenseStatus", pia.Response, v4320, v4319))

	dir := writeRules(t, map[string]string{
		"v4.3.19-4.3.20.json": builtinStepWith(t, "4.3.19-4.3.20", true, `[]`, `[{"method":"checkLicenseStatus","kind":"response",
			"path":"responcheckLicenseStatus.dataIZIN.file_lampiran","reason":"an agency whose 4.3.19 app reads file_lampiran already"}]`),
		"README.txt": "not a rules file, ignored",
	})
	e, err := Load(cat, dir)
	require.NoError(t, err)
	e.StripResponses(true)
	assert.False(t, e.Needed("checkLicenseStatus", pia.Response, v4320, v4319))
	out, _ := e.Convert("checkLicenseStatus", pia.Response, v4320, v4319, decode(t, answer))
	assert.JSONEq(t, answer, encode(t, out))

	out, rep := e.Convert("checkLicenseStatus", pia.Request, v4312, v4320, decode(t, `{"IZINSTATUS":{"id_izin":"I-1"}}`))
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, encode(t, out), "the other builtin steps stay")
	assert.Len(t, rep.Applied, 1)
}

// A new PIA version needs its schemas and its step's rules dropped into
// directories, nothing rebuilt: a made-up 4.3.23 that renames
// CHECKLICENSESTATUS.id_izin to id_permohonan.
func TestANewVersionIsSupportedByDroppingInSchemasAndRules(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	s, ok := cat.Own(pia.MustVersion("4.3.22"), "checkLicenseStatus", pia.Request)
	require.True(t, ok)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(s.Raw, &doc))
	root := doc["properties"].(map[string]any)["CHECKLICENSESTATUS"].(map[string]any)
	props := root["properties"].(map[string]any)
	props["id_permohonan"] = props["id_izin"]
	delete(props, "id_izin")
	root["required"] = []any{"id_permohonan"}
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	schemas := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(schemas, "4.3.23"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(schemas, "4.3.23", "checkLicenseStatus.request.json"), raw, 0o644))
	require.NoError(t, cat.LoadDir(schemas))

	rules := writeRules(t, map[string]string{"4.3.22-4.3.23.json": `{"rules":[
		{"method":"checkLicenseStatus","kind":"request","op":"rename","path":"CHECKLICENSESTATUS.id_izin","to":"id_permohonan"}
	]}`})
	e, err := Load(cat, rules)
	require.NoError(t, err)
	e.StripResponses(true)

	v4323 := pia.MustVersion("4.3.23")
	out, rep := e.Convert("checkLicenseStatus", pia.Request, v4312, v4323, decode(t, `{"IZINSTATUS":{"id_izin":"I-1"}}`))
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_permohonan":"I-1"}}`, encode(t, out))
	assert.Equal(t, []string{
		"4.3.12>4.3.16:checkLicenseStatus:request:rename:IZINSTATUS",
		"4.3.22>4.3.23:checkLicenseStatus:request:rename:CHECKLICENSESTATUS.id_izin",
	}, rep.Applied)
	assert.Empty(t, violations(t, cat, v4323, "checkLicenseStatus", pia.Request, out))

	out, _ = e.Convert("checkLicenseStatus", pia.Request, v4323, v4312, out)
	assert.JSONEq(t, `{"IZINSTATUS":{"id_izin":"I-1"}}`, encode(t, out))

	// Methods the new version does not redefine inherit 4.3.20's schemas
	// and convert as before.
	out, _ = e.Convert("checkLicenseStatus", pia.Response, v4323, v4319, decode(t, `{"responcheckLicenseStatus":{"dataIZIN":{"file_lampiran":"x"}}}`))
	assert.JSONEq(t, `{"responcheckLicenseStatus":{"dataIZIN":{}}}`, encode(t, out))
}

// builtinStepWith is a builtin step file with rules and notes added (JSON
// arrays); without its own rules when dropRules is set.
func builtinStepWith(t *testing.T, step string, dropRules bool, rules, notes string) string {
	t.Helper()
	raw, err := builtinRules.ReadFile("rules/" + step + ".json")
	require.NoError(t, err)
	var f File
	require.NoError(t, json.Unmarshal(raw, &f))
	if dropRules {
		f.Rules = nil
	}
	var rs []Rule
	var ns []Note
	require.NoError(t, json.Unmarshal([]byte(rules), &rs))
	require.NoError(t, json.Unmarshal([]byte(notes), &ns))
	f.Rules = append(f.Rules, rs...)
	f.Notes = append(f.Notes, ns...)
	out, err := json.Marshal(f)
	require.NoError(t, err)
	return string(out)
}

// Lampiran 18 was renumbered in 4.3.21 (policy transform-lampiran-18): the
// codes rules of the builtin step carry a code both ways, and a code with
// no single counterpart is left for validation.
func TestLampiranCodesAreMappedBothWays(t *testing.T) {
	_, e := builtin(t)
	v4321 := pia.MustVersion("4.3.21")
	out, rep := e.Convert("receiveNIB", pia.Request, v4320, v4321, decode(t, `{"dataNIB":{"jenis_pelaku_usaha":"15"}}`))
	assert.JSONEq(t, `{"dataNIB":{"jenis_pelaku_usaha":"03"}}`, encode(t, out), "Perwakilan (BUJKA) is a Kantor Perwakilan")
	assert.Equal(t, []string{"4.3.20>4.3.21:receiveNIB:request:codes:dataNIB.jenis_pelaku_usaha"}, rep.Applied)

	out, _ = e.Convert("inqueryNIB", pia.Response, v4321, v4320, decode(t, `{"responinqueryNIB":{"dataNIB":{"jenis_pelaku_usaha":"04"}}}`))
	assert.JSONEq(t, `{"responinqueryNIB":{"dataNIB":{"jenis_pelaku_usaha":"17"}}}`, encode(t, out), "down: Badan Usaha Luar Negeri was STPW Luar Negeri")

	out, _ = e.Convert("inqueryNIB", pia.Response, v4321, v4320, decode(t, `{"responinqueryNIB":{"dataNIB":{"jenis_pelaku_usaha":"03"}}}`))
	assert.JSONEq(t, `{"responinqueryNIB":{"dataNIB":{"jenis_pelaku_usaha":"03"}}}`, encode(t, out), "03 has three older counterparts: none is chosen")
}

func TestCodesRulesAreCheckedAgainstBothCodeLists(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	step := func(t *testing.T, rule string) string {
		return builtinStepWith(t, "4.3.20-4.3.21", true, `[`+rule+`]`, `[{"method":"receiveNIB","kind":"request","path":"dataNIB.jenis_pelaku_usaha","reason":"test"}]`)
	}
	for name, tt := range map[string]struct{ rule, want string }{
		"an older code the older list lacks": {`{"method":"receiveNIB","kind":"request","op":"codes","path":"dataNIB.jenis_pelaku_usaha","map":{"99":"01"}}`, "99 is not a code of dataNIB.jenis_pelaku_usaha in PIA 4.3.20"},
		"a map that is not one-to-one":       {`{"method":"receiveNIB","kind":"request","op":"codes","path":"dataNIB.jenis_pelaku_usaha","map":{"14":"03","15":"03"}}`, "give back for 03"},
		"a map on another op":                {`{"method":"receiveNIB","kind":"request","op":"remove","path":"dataNIB.jenis_pelaku_usaha","map":{"14":"03"}}`, "map (and back) go with codes"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(cat, writeRules(t, map[string]string{"4.3.20-4.3.21.json": step(t, tt.rule)}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A version without a step leading to it, or a difference no rule or note
// covers, fails the load with the list (policy coverage-at-load).
func TestLoadFailsOnUncoveredDifferences(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	s, ok := cat.Own(pia.MustVersion("4.3.22"), "checkLicenseStatus", pia.Request)
	require.True(t, ok)
	schemas := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(schemas, "4.3.23"), 0o755))
	widened := strings.Replace(string(s.Raw), `"maxLength": 25`, `"maxLength": 30`, 1)
	require.NotEqual(t, string(s.Raw), widened)
	require.NoError(t, os.WriteFile(filepath.Join(schemas, "4.3.23", "checkLicenseStatus.request.json"), []byte(widened), 0o644))
	require.NoError(t, cat.LoadDir(schemas))

	_, err = Load(cat)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "4.3.22-4.3.23: no step file leads to PIA 4.3.23")

	_, err = Load(cat, writeRules(t, map[string]string{"4.3.22-4.3.23.json": `{"rules":[]}`}))
	var cov *CoverageError
	require.ErrorAs(t, err, &cov)
	require.Len(t, cov.Gaps, 1)
	assert.Equal(t, "4.3.22-4.3.23 checkLicenseStatus request: CHECKLICENSESTATUS.id_izin max length 25 -> 30", cov.Gaps[0].String())

	_, err = Load(cat, writeRules(t, map[string]string{"4.3.22-4.3.23.json": `{"rules":[],"notes":[
		{"method":"checkLicenseStatus","kind":"request","path":"CHECKLICENSESTATUS.id_izin","reason":"longer ids"}]}`}))
	assert.NoError(t, err, "a note accepts the difference")
}

// A withdrawal in a step file: the method's schemas are not inherited by
// the version withdrawing it, and the engine reports it for the table.
func TestAWithdrawalIsData(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	v4322 := pia.MustVersion("4.3.22")
	e, err := Load(cat)
	require.NoError(t, err)
	assert.Equal(t, v4322, e.Withdrawn()["receiveLegal"])
	assert.Equal(t, pia.MustVersion("4.3.16"), e.Withdrawn()["rekonNIB"])
	_, ok := cat.Lookup(v4322, "receiveLegal", pia.Request)
	assert.False(t, ok, "4.3.22 does not inherit receiveLegal")
	_, ok = cat.Lookup(pia.MustVersion("4.3.21"), "receiveLegal", pia.Request)
	assert.True(t, ok)
}
