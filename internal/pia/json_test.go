package pia

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdlibDecode is the reference DecodeJSON must match: encoding/json's
// verdict on the whole input, and its tree with UseNumber.
func stdlibDecode(b []byte) (any, error) {
	if !json.Valid(b) {
		return nil, errors.New("invalid")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// Hand-written cases; each says what it checks.
var jsonCases = []struct {
	name string
	in   string
	ok   bool
}{
	{"nested objects and arrays", `{"a":{"b":[1,2,{"c":null}]},"d":true,"e":false}`, true},
	{"numbers stay as written", `[0,-0,12.50,1e3,1E+3,-1.5e-7,123456789012345678901234567890]`, true},
	{"escapes", `"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"`, true},
	{"lone surrogate becomes U+FFFD", `"\ud800x"`, true},
	{"high surrogate then a non-surrogate escape", `"\ud800\u0041"`, true},
	{"two high surrogates", `"\ud800\ud800"`, true},
	{"invalid UTF-8 becomes U+FFFD", "\"a\xffb\xc3\"", true},
	{"invalid UTF-8 in a key", "{\"k\xff\":1}", true},
	{"repeated key keeps the last value", `{"a":1,"a":2}`, true},
	{"surrounding whitespace", " \n\t{ \"a\" : [ 1 , 2 ] } \r\n", true},
	{"empty containers", `{"a":{},"b":[]}`, true},
	{"empty input", ``, false},
	{"only whitespace", `   `, false},
	{"trailing data", `{} {}`, false},
	{"trailing garbage", `1x`, false},
	{"leading zero", `01`, false},
	{"plus sign", `+1`, false},
	{"bare decimal point", `1.`, false},
	{"empty exponent", `1e`, false},
	{"trailing comma in object", `{"a":1,}`, false},
	{"trailing comma in array", `[1,]`, false},
	{"single quotes", `{'a':1}`, false},
	{"control character in string", "\"a\nb\"", false},
	{"bad escape", `"\x"`, false},
	{"short unicode escape", `"\u12"`, false},
	{"unterminated string", `"abc`, false},
	{"unterminated object", `{"a":1`, false},
	{"misspelled literal", `tru`, false},
	{"missing colon", `{"a" 1}`, false},
	{"non-string key", `{1:2}`, false},
	{"too deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), false},
	{"deep but within the limit", strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), true},
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, tt := range jsonCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeJSON([]byte(tt.in))
			want, wantErr := stdlibDecode([]byte(tt.in))
			require.Equal(t, tt.ok, wantErr == nil, "the case's expectation agrees with encoding/json")
			if !tt.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestDecodeJSONErrorsSayWhere(t *testing.T) {
	// Messages and offsets as encoding/json gives them for the same input.
	for in, want := range map[string]struct {
		msg    string
		offset int64
	}{
		`{"a": tru}`: {"invalid character '}' in literal true (expecting 'e')", 10},
		`{"a":1`:     {"unexpected end of JSON input", 6},
		`1x`:         {"invalid character 'x' after top-level value", 2},
		`{"a" 1}`:    {"invalid character '1' after object key", 6},
		`"\x"`:       {"invalid character 'x' in string escape code", 3},
	} {
		_, err := DecodeJSON([]byte(in))
		var se *SyntaxError
		require.ErrorAs(t, err, &se, in)
		assert.Equal(t, want.msg, se.Error(), in)
		assert.Equal(t, want.offset, se.Offset, in)
	}
}

// FuzzDecodeJSON checks the hand-written decoder against encoding/json on
// any input: both accept it with the same tree, or both reject it.
func FuzzDecodeJSON(f *testing.F) {
	for _, tt := range jsonCases {
		if len(tt.in) < 1000 {
			f.Add([]byte(tt.in))
		}
	}
	f.Add([]byte(`{"IZINFINAL":{"nib":"9120000000123","kd_izin":"A","bln":12,"data":[{"x":"\u00e9"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			// Long inputs add nothing the decoder's loops have not seen in
			// short ones, and minimizing them stalls the fuzzer for minutes.
			t.Skip()
		}
		got, err := DecodeJSON(b)
		want, wantErr := stdlibDecode(b)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("DecodeJSON error %v, encoding/json error %v, input %q", err, wantErr, b)
		}
		if err == nil {
			assert.Equal(t, want, got)
		}
	})
}
