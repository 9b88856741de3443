package validate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Each case is one policy of deviations.json, on a payload written by hand
// against the 4.3.20 schemas: what Normalize makes of a value, whether it
// reports a change, and what Validate then says.
func TestNormalizePolicies(t *testing.T) {
	_, v := newValidator(t, Options{})
	tests := []struct {
		name    string
		method  string
		body    string
		path    []string // where to read the value after Normalize
		want    any
		changed bool
		// violation is "pointer rule" of what Validate still reports, or "".
		violation string
	}{
		{"a number sent as a string becomes that number (normalize-number-string)",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":"12"}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, json.Number("12"), true, ""},
		{"a decimal sent as a string keeps its digits",
			"receiveNIB", `{"dataNIB":{"total_pma":"1500000.50"}}`, []string{"dataNIB", "total_pma"}, json.Number("1500000.50"), true, ""},
		{"a string that is not a number stays and asks for a number",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":"12a"}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, "12a", false, "/IZINFINAL/bln_berlaku_izin type"},
		{"a decimal comma is ambiguous and stays",
			"receiveNIB", `{"dataNIB":{"total_pma":"1,5"}}`, []string{"dataNIB", "total_pma"}, "1,5", false, "/dataNIB/total_pma type"},
		{"leading zeros are not read as a number",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":"007"}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, "007", false, "/IZINFINAL/bln_berlaku_izin type"},
		{"spaces around a number are not trimmed",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":" 12"}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, " 12", false, "/IZINFINAL/bln_berlaku_izin type"},
		{"an empty string in a number field is no value (empty-string-is-no-value)",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":""}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, "", false, ""},
		{"null in an optional field is no value (null-is-no-value)",
			"receiveLicense", `{"IZINFINAL":{"bln_berlaku_izin":null}}`, []string{"IZINFINAL", "bln_berlaku_izin"}, nil, false, ""},
		{"a number where a string is documented becomes its literal (normalize-string-number)",
			"receiveLicense", `{"IZINFINAL":{"nib":8120207730001}}`, []string{"IZINFINAL", "nib"}, "8120207730001", true, ""},
		{"the literal keeps trailing zeros",
			"receiveLicense", `{"IZINFINAL":{"nomor_izin":12.50}}`, []string{"IZINFINAL", "nomor_izin"}, "12.50", true, ""},
		{"a code typed as a number is the code it lost its zeros from (zero-padded-code)",
			"receiveLicense", `{"IZINFINAL":{"status_izin":5}}`, []string{"IZINFINAL", "status_izin"}, "05", true, ""},
		{"a code typed as a number that is a code itself",
			"receiveLicense", `{"IZINFINAL":{"status_izin":50}}`, []string{"IZINFINAL", "status_izin"}, "50", true, ""},
		{"a number that no code is, with or without zeros, still has to be in the table",
			"receiveLicense", `{"IZINFINAL":{"status_izin":6}}`, []string{"IZINFINAL", "status_izin"}, "6", true, "/IZINFINAL/status_izin enum"},
		{"a number written otherwise than as digits is never padded",
			"receiveLicense", `{"IZINFINAL":{"status_izin":5.0}}`, []string{"IZINFINAL", "status_izin"}, "5.0", true, "/IZINFINAL/status_izin enum"},
		{"a number too long for its string still breaks the limit",
			"receiveLicense", `{"IZINFINAL":{"nib":81202077300012345}}`, []string{"IZINFINAL", "nib"}, "81202077300012345", true, "/IZINFINAL/nib maxLength"},
		{"\"true\" becomes true where a boolean is documented (normalize-boolean-string)",
			"receiveLicenseStatus", `{"IZINSTATUS":{"persetujuan_form":"true"}}`, []string{"IZINSTATUS", "persetujuan_form"}, true, true, ""},
		{"\"false\" becomes false",
			"receiveLicenseStatus", `{"IZINSTATUS":{"persetujuan_form":"false"}}`, []string{"IZINSTATUS", "persetujuan_form"}, false, true, ""},
		{"other flag spellings are not booleans",
			"receiveLicenseStatus", `{"IZINSTATUS":{"persetujuan_form":"Y"}}`, []string{"IZINSTATUS", "persetujuan_form"}, "Y", false, "/IZINSTATUS/persetujuan_form type"},
		{"a single object where an array is documented is wrapped (normalize-single-object)",
			"receiveNIB", `{"dataNIB":{"legalitas":{"jenis_legal":"01","no_legal":"x"}}}`, []string{"dataNIB", "legalitas"},
			[]any{map[string]any{"jenis_legal": "01", "no_legal": "x"}}, true, ""},
		{"the wrapped object is normalised too",
			"receiveNIB", `{"dataNIB":{"data_proyek":{"jumlah_investasi":"100"}}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"jumlah_investasi": json.Number("100")}}, true, ""},
		{"a list PHP wrote as an object, its indexes with gaps, is that list (php-list-as-object)",
			"receiveNIB", `{"dataNIB":{"data_proyek":{"3":{"jumlah_investasi":2},"1":{"jumlah_investasi":"100"}}}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"jumlah_investasi": json.Number("100")}, map[string]any{"jumlah_investasi": json.Number("2")}}, true, ""},
		{"an object with a name that is no index is one member",
			"receiveNIB", `{"dataNIB":{"data_proyek":{"1":{},"01":{}}}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"1": map[string]any{}, "01": map[string]any{}}}, true, ""},
		{"members of arrays are normalised",
			"receiveNIB", `{"dataNIB":{"data_proyek":[{"jumlah_investasi":1},{"jumlah_investasi":"2"}]}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"jumlah_investasi": json.Number("1")}, map[string]any{"jumlah_investasi": json.Number("2")}}, true, ""},
		{"a one-element array where an object is documented is that object (array-for-object)",
			"receiveLicense", `{"IZINFINAL":{"data_teknis":[{"id_komitmen":""}]}}`, []string{"IZINFINAL", "data_teknis"},
			map[string]any{"id_komitmen": ""}, true, ""},
		{"an empty array where an object is documented is the empty object (empty-array-for-object)",
			"receiveLicense", `{"IZINFINAL":{"data_teknis":[]}}`, []string{"IZINFINAL", "data_teknis"},
			map[string]any{}, true, ""},
		{"an array of two where an object is documented is rejected (array-for-object)",
			"receiveLicense", `{"IZINFINAL":{"data_teknis":[{"id_komitmen":""},{"id_komitmen":""}]}}`, []string{"IZINFINAL", "data_teknis"},
			[]any{map[string]any{"id_komitmen": ""}, map[string]any{"id_komitmen": ""}}, false, "/IZINFINAL/data_teknis type"},
		{"a one-element array of a string where an object is documented is rejected",
			"receiveLicense", `{"IZINFINAL":{"data_teknis":["x"]}}`, []string{"IZINFINAL", "data_teknis"},
			[]any{"x"}, false, "/IZINFINAL/data_teknis type"},
		{"a date where a datetime is documented is completed to midnight (date-for-datetime)",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20 00:00:00", true, ""},
		{"a datetime where a date is documented becomes its date (datetime-for-date)",
			"receiveLicense", `{"IZINFINAL":{"tgl_berlaku_izin":"2022-03-08 10:00:00"}}`, []string{"IZINFINAL", "tgl_berlaku_izin"}, "2022-03-08", true, ""},
		{"a date that does not exist is not completed and is named",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-02-30"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-02-30", false, "/IZINSTATUS/tgl_status format"},
		{"a datetime with an impossible time is not shortened and is named",
			"receiveLicense", `{"IZINFINAL":{"tgl_berlaku_izin":"2022-03-08 25:00:00"}}`, []string{"IZINFINAL", "tgl_berlaku_izin"}, "2022-03-08 25:00:00", false, "/IZINFINAL/tgl_berlaku_izin format"},
		{"an ISO 8601 local datetime where a datetime is documented is written as the PIA does (iso-local-datetime)",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20T10:00:00"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20 10:00:00", true, ""},
		{"its fraction of zeros goes",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20T10:00:00.000"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20 10:00:00", true, ""},
		{"an ISO 8601 local datetime where a date is documented becomes its date",
			"receiveLicense", `{"IZINFINAL":{"tgl_berlaku_izin":"2022-03-08T10:00:00"}}`, []string{"IZINFINAL", "tgl_berlaku_izin"}, "2022-03-08", true, ""},
		{"an ISO 8601 datetime with a zone is refused: which local time it is, the PIA does not say",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20T03:00:00Z"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20T03:00:00Z", false, "/IZINSTATUS/tgl_status format"},
		{"one with a fraction that is not zero is refused: dropping it would change the time",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20T10:00:00.5"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20T10:00:00.5", false, "/IZINSTATUS/tgl_status format"},
		{"one naming no real time is refused",
			"receiveLicenseStatus", `{"IZINSTATUS":{"tgl_status":"2023-01-20T24:00:00"}}`, []string{"IZINSTATUS", "tgl_status"}, "2023-01-20T24:00:00", false, "/IZINSTATUS/tgl_status format"},
		{"another layout is still refused",
			"receiveLicense", `{"IZINFINAL":{"tgl_berlaku_izin":"08-03-2022"}}`, []string{"IZINFINAL", "tgl_berlaku_izin"}, "08-03-2022", false, "/IZINFINAL/tgl_berlaku_izin format"},
		{"a KBLI code that is not digits is named (codes-as-digit-strings)",
			"receiveNIB", `{"dataNIB":{"data_proyek":[{"kbli":"01a11"}]}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"kbli": "01a11"}}, false, "/dataNIB/data_proyek/0/kbli type"},
		{"a KBLI code longer than documented is named",
			"receiveNIB", `{"dataNIB":{"data_proyek":[{"kbli":"011110000"}]}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"kbli": "011110000"}}, false, "/dataNIB/data_proyek/0/kbli maxLength"},
		{"a KBLI code with a leading zero is left as sent (codes-as-digit-strings)",
			"receiveNIB", `{"dataNIB":{"data_proyek":[{"kbli":"01111"}]}}`, []string{"dataNIB", "data_proyek"},
			[]any{map[string]any{"kbli": "01111"}}, false, ""},
		{"fields the schema does not declare are left alone",
			"receiveLicense", `{"IZINFINAL":{"kolom_baru":"12"}}`, []string{"IZINFINAL", "kolom_baru"}, "12", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, changed := v.Normalize(v4320, tt.method, pia.Request, decode(t, tt.body))
			assert.Equal(t, tt.changed, changed)
			got := doc
			for _, seg := range tt.path {
				m, ok := got.(map[string]any)
				require.True(t, ok, "%s is an object", seg)
				got = m[seg]
			}
			assert.Equal(t, tt.want, got)
			var violations []string
			for _, r := range rules(v.Validate(v4320, tt.method, pia.Request, doc)) {
				// The hand-written bodies leave out mandatory fields; only
				// the field under test matters here.
				if !hasSuffix(r, " required") {
					violations = append(violations, r)
				}
			}
			if tt.violation == "" {
				assert.Empty(t, violations)
			} else {
				assert.Equal(t, []string{tt.violation}, violations)
			}
		})
	}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

func TestNormalizedTreeEncodesToValidJSON(t *testing.T) {
	_, v := newValidator(t, Options{})
	doc, changed := v.Normalize(v4320, "receiveLicense", pia.Request,
		decode(t, `{"IZINFINAL":{"nib":8120207730001,"bln_berlaku_izin":"-1.5e3","thn_berlaku_izin":"2"}}`))
	require.True(t, changed)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	assert.JSONEq(t, `{"IZINFINAL":{"nib":"8120207730001","bln_berlaku_izin":-1.5e3,"thn_berlaku_izin":2}}`, string(b))
}

func TestPaddedCodeIsTheOneCodeANumberCanBe(t *testing.T) {
	table := &pia.FieldInfo{Type: pia.TypeString, Enum: []any{"05", "10", "007", "0007", "00", nil, ""}}
	for lit, want := range map[string]string{
		"5":  "05",
		"0":  "00",
		"10": "", // a code itself
		"7":  "", // "007" or "0007": which, the number does not say
		"6":  "", // no code
		"50": "", // "050" is not "05"
		"-5": "", "5.0": "", "5e0": "",
	} {
		code, ok := paddedCode(table, lit)
		assert.Equal(t, want, code, lit)
		assert.Equal(t, want != "", ok, lit)
	}
	_, ok := paddedCode(&pia.FieldInfo{Type: pia.TypeString}, "5")
	assert.False(t, ok, "without a code table a number is never padded")
}

func TestIsJSONNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-0": true, "12": true, "12.50": true, "-1.5e-3": true, "1E+9": true,
		"": false, "-": false, "007": false, "+1": false, "1.": false, ".5": false, "1e": false,
		"1,5": false, " 1": false, "1 ": false, "0x10": false, "NaN": false, "Infinity": false, "1e+": false,
	} {
		assert.Equal(t, want, isJSONNumber(s), "%q", s)
		if want {
			assert.True(t, json.Valid([]byte(s)), "%q is valid JSON, so re-encoding it is safe", s)
		}
	}
}
