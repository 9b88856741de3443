package jsonbody

// Fixtures: the JSON texts in this file are built by hand, each the smallest
// that shows one rule of the decoder; the benchmark bodies are the sampled
// files of testdata (see testdata/README.md).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdlibDecode is the reference Decode must match: encoding/json's
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
	{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false},
	{"deep but within the limit", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), true},
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, tt := range jsonCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
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
		_, err := Decode([]byte(in))
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
		got, err := Decode(b)
		want, wantErr := stdlibDecode(b)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Decode error %v, encoding/json error %v, input %q", err, wantErr, b)
		}
		if err == nil {
			assert.Equal(t, want, got)
		}
	})
}

// validJSONCases add to jsonCases the edges of Valid's own code: the
// literals, each escape, the word-at-a-time string scan and the bit stack
// of open containers.
var validJSONCases = []struct {
	name string
	in   string
	ok   bool
}{
	{"true", `true`, true},
	{"false", `false`, true},
	{"null", `null`, true},
	{"literals nested", `[true,false,null,{"a":true,"b":false,"c":null}]`, true},
	{"truncated true", `tru`, false},
	{"truncated false", `fals`, false},
	{"truncated null", `nul`, false},
	{"literal with an extra letter", `nulll`, false},
	{"two literals", `truefalse`, false},
	{"capitalised literal", `True`, false},
	{"literal cut short inside an array", `[fals]`, false},
	{"NaN is not JSON", `NaN`, false},
	{"Infinity is not JSON", `-Infinity`, false},
	{"string", `"abc"`, true},
	{"empty string", `""`, true},
	{"every short escape", `"\"\\\/\b\f\n\r\t"`, true},
	{"unicode escape in either case", `"\u00e9\u00E9\uABCD"`, true},
	{"surrogate pair", `"\uD83D\uDE00"`, true},
	{"lone high surrogate", `"\uD83D"`, true},
	{"lone low surrogate", `"\uDE00"`, true},
	{"surrogates reversed", `"\uDE00\uD83D"`, true},
	{"unknown escape", `"\a"`, false},
	{"escaped single quote", `"\'"`, false},
	{"capital U escape", `"\U0041"`, false},
	{"non-hex digit in unicode escape", `"\u00g0"`, false},
	{"unicode escape cut short by the quote", `"\u00"`, false},
	{"backslash at the end", `"\`, false},
	{"unicode escape at the end", `"\u00e`, false},
	{"escaped quote does not end the string", `"\"`, false},
	{"NUL in a string", "\"a\x00b\"", false},
	{"unit separator in a string", "\"a\x1fb\"", false},
	{"raw tab in a string", "\"a\tb\"", false},
	{"DEL in a string", "\"a\x7fb\"", true},
	{"control byte in a key", "{\"a\x01\":1}", false},
	{"invalid UTF-8 accepted in a string", "\"\xff\xfe\xc0\xaf\xed\xa0\x80\"", true},
	{"invalid UTF-8 outside a string", "[1,\xff]", false},
	{"UTF-8 byte order mark", "\xef\xbb\xbf{}", false},
	{"zero", `0`, true},
	{"negative zero", `-0`, true},
	{"fraction", `-12.034`, true},
	{"exponents", `[1e5,1E5,1e+5,1e-5,0e0,0.5E-05]`, true},
	{"two zeros", `00`, false},
	{"leading zero after minus", `-01`, false},
	{"leading zero before a fraction", `01.5`, false},
	{"minus alone", `-`, false},
	{"minus before a letter", `-a`, false},
	{"fraction without an integer", `.5`, false},
	{"two decimal points", `1.5.5`, false},
	{"exponent without digits after its sign", `1e+`, false},
	{"fraction then empty exponent", `1.5e`, false},
	{"hexadecimal", `0x10`, false},
	{"number followed by a letter", `[1a]`, false},
	{"leading comma in array", `[,1]`, false},
	{"double comma in array", `[1,,2]`, false},
	{"comma alone in object", `{,}`, false},
	{"trailing comma before a nested close", `[[1,]]`, false},
	{"trailing comma at the end", `[1],`, false},
	{"garbage after an object", `{}x`, false},
	{"extra close", `[]]`, false},
	{"two strings", `"a""b"`, false},
	{"NUL after the value", "{}\x00", false},
	{"mismatched close", `[1}`, false},
	{"object closed as an array", `{"a":1]`, false},
	{"colon in an array", `[1:2]`, false},
	{"missing value", `{"a":}`, false},
	{"key without a value", `{"a"}`, false},
	{"unclosed array", `[1,2`, false},
	{"only an open bracket", `[`, false},
	{"only a close brace", `}`, false},
	{"whitespace everywhere", " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\nnull \t\r\n] \t\r\n} \t\r\n", true},
	{"form feed is not whitespace", "\f{}", false},
	{"vertical tab is not whitespace", "{}\v", false},
	{"each kind of whitespace alone", " \t\r\n", false},
	{"deep mixed nesting", strings.Repeat(`[{"a":`, 200) + `1` + strings.Repeat(`}]`, 200), true},
	{"deep mixed nesting closed wrongly past the first word", strings.Repeat(`[{"a":`, 100) + `1` + strings.Repeat(`}]`, 99) + `]]`, false},
	{"deep objects at the limit", strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth), true},
	{"deep objects past the limit", strings.Repeat(`{"a":`, MaxDepth+1) + `1` + strings.Repeat(`}`, MaxDepth+1), false},
	{"empty containers at the limit", strings.Repeat(`[`, MaxDepth-1) + `{}` + strings.Repeat(`]`, MaxDepth-1), true},
	{"empty containers past the limit", strings.Repeat(`[`, MaxDepth) + `{}` + strings.Repeat(`]`, MaxDepth), false},
}

// stringScanCases put a quote, a backslash escape or a control byte at every
// offset of the first two eight-byte words of a string and of its short
// tail, where the word-at-a-time scan hands over to the byte loop.
func stringScanCases() []struct {
	name string
	in   string
	ok   bool
} {
	var out []struct {
		name string
		in   string
		ok   bool
	}
	add := func(name, in string) {
		out = append(out, struct {
			name string
			in   string
			ok   bool
		}{name, in, json.Valid([]byte(in))})
	}
	for n := 0; n <= 20; n++ {
		pad := strings.Repeat("é", n/2) + strings.Repeat("a", n%2) // bytes >= 0x80 must not trip the scan
		add(fmt.Sprintf("%d bytes then the closing quote", n), `"`+pad+`"`)
		add(fmt.Sprintf("%d bytes then an escape", n), `"`+pad+`\n`+pad+`"`)
		add(fmt.Sprintf("%d bytes then a control byte", n), "\""+pad+"\x1f"+pad+"\"")
		add(fmt.Sprintf("%d bytes then the end of input", n), `"`+pad)
		add(fmt.Sprintf("%d bytes then a bad escape", n), `"`+pad+`\x"`)
	}
	return out
}

// benchFixtures are samples of the 4.3.20 receiveNIB and receiveLicense
// request schemas, generated from the schemas by piatest.Sampler (see
// internal/pia/testdata/README.md) with every field filled, three members per array and
// strings capped at 15 characters (receiveNIB comes to about 38 KB):
// realistic bodies for the gateway's hot path.
var benchFixtures = []string{"receiveNIB-4.3.20.json", "receiveLicense-4.3.20.json"}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "pia", "testdata", name))
	require.NoError(tb, err)
	require.True(tb, json.Valid(b), "%s is valid JSON", name)
	return b
}

func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	cases := append(append(jsonCases[:len(jsonCases):len(jsonCases)], validJSONCases...), stringScanCases()...)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.ok, json.Valid([]byte(tt.in)), "the case's expectation agrees with encoding/json")
			assert.Equal(t, tt.ok, Valid([]byte(tt.in)))
		})
	}
}

func TestValidJSONOnFixtures(t *testing.T) {
	for _, name := range benchFixtures {
		b := readFixture(t, name)
		assert.True(t, Valid(b), name)
		// Every cut of a document leaves it unfinished, and a cut can
		// fall anywhere: in a key, an escape, a number or between
		// members. Only the small fixture, to keep the test quick.
		if len(b) < 4096 {
			for n := range len(b) {
				require.Equal(t, json.Valid(b[:n]), Valid(b[:n]), "%s cut at %d", name, n)
			}
		}
	}
}

func TestValidJSONDoesNotAllocate(t *testing.T) {
	b := readFixture(t, "receiveNIB-4.3.20.json")
	deep := []byte(strings.Repeat(`[{"a":`, MaxDepth/2) + `1` + strings.Repeat(`}]`, MaxDepth/2))
	assert.Zero(t, testing.AllocsPerRun(100, func() { Valid(b) }))
	assert.Zero(t, testing.AllocsPerRun(10, func() { Valid(deep) }))
}

func TestValidJSONSurvivesHostileDepth(t *testing.T) {
	// Far past any stack a recursive checker could afford; Valid
	// rejects at MaxDepth, as encoding/json does, after reading only that far.
	b := []byte(strings.Repeat("[", 10_000_000))
	assert.False(t, Valid(b))
	assert.False(t, Valid([]byte(strings.Repeat(`{"a":`, 10_000_000))))
}

// FuzzValidJSON checks that Valid agrees with encoding/json.Valid on any
// input.
func FuzzValidJSON(f *testing.F) {
	for _, tt := range jsonCases {
		if len(tt.in) < 1000 {
			f.Add([]byte(tt.in))
		}
	}
	for _, tt := range validJSONCases {
		if len(tt.in) < 1000 {
			f.Add([]byte(tt.in))
		}
	}
	f.Add([]byte(`{"IZINFINAL":{"nib":"9120000000123","kd_izin":"A","bln":12,"data":[{"x":"\u00e9"}]}}`))
	for _, name := range benchFixtures {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid %v, encoding/json.Valid %v, input %q", got, want, b)
		}
	})
}

// BenchmarkStdlibValid is the yardstick for BenchmarkValidJSON: what the
// gateway paid per forwarded body before Valid.
func BenchmarkStdlibValid(b *testing.B) {
	for _, name := range benchFixtures {
		raw := readFixture(b, name)
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if !json.Valid(raw) {
					b.Fatal("fixture rejected")
				}
			}
		})
	}
}

func BenchmarkValidJSON(b *testing.B) {
	for _, name := range benchFixtures {
		raw := readFixture(b, name)
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if !Valid(raw) {
					b.Fatal("fixture rejected")
				}
			}
		})
	}
}
