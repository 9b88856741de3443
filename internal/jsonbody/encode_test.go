package jsonbody_test

// Fixtures: the trees below are built by hand, each showing one rule of
// encoding/json's output; the samples are every file of
// internal/pia/testdata, every documentation example (piatest.Examples),
// every builtin schema and a sample of each (piatest.Sampler, as the
// transform and validate tests build theirs), and the testdata bodies
// carried between versions by the builtin rules (transform.Engine.Convert).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
	"github.com/caddy-pia/caddy-pia/transform"
)

// stdlibEncode is the reference Encode must match: the gateway's encoder
// before jsonbody.Encode.
func stdlibEncode(doc any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// requireSameEncoding checks that Encode writes doc as encoding/json
// does, or fails with the same error.
func requireSameEncoding(t testing.TB, name string, doc any) {
	t.Helper()
	want, wantErr := stdlibEncode(doc)
	got, err := jsonbody.Encode(doc)
	if wantErr != nil {
		require.Error(t, err, "%s: encoding/json refuses it with %v", name, wantErr)
		require.Equal(t, wantErr.Error(), err.Error(), name)
		return
	}
	require.NoError(t, err, name)
	require.Equal(t, string(want), string(got), name)
}

type pair struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

func TestEncodeWritesTreesAsEncodingJSON(t *testing.T) {
	var control strings.Builder
	for b := range 0x20 {
		control.WriteByte(byte(b))
	}
	cases := []struct {
		name string
		doc  any
	}{
		{"every control character, the short escapes among them", control.String()},
		{"quote, backslash and slash", `say "a\b" / c`},
		{"HTML characters stay as they are", `<a href="x?a=1&b=2">`},
		{"DEL and printable ASCII", "~\x7f !"},
		{"invalid UTF-8 becomes \\ufffd", "a\xffb\xc3(\xed\xa0\x80z\xf0\x9f\x98"},
		{"a real U+FFFD stays as it is", "x\uFFFDy"},
		{"U+2028 and U+2029 are escaped", "line\u2028para\u2029end"},
		{"multibyte text", "héllo wörld ✓ 😀 日本"},
		{"member names are escaped and sorted by bytes", map[string]any{"b": 1.0, "a\n": true, "A": nil, "é": "x", "\u2028": "y", "": "empty", "\xff": "bad"}},
		{"nested empty objects and arrays", map[string]any{"o": map[string]any{}, "a": []any{}, "n": []any{map[string]any{}, []any{[]any{}}}}},
		{"nil map and nil array are null", map[string]any{"m": map[string]any(nil), "a": []any(nil)}},
		{"scalars", []any{true, false, nil, "", json.Number("0")}},
		{"big, negative and exponent numbers stay as written", []any{
			json.Number("123456789012345678901234567890"), json.Number("-0"), json.Number("-12.50"),
			json.Number("1e400"), json.Number("1E+3"), json.Number("-1.5e-7"), json.Number("0.000")}},
		{"an empty json.Number is 0", map[string]any{"n": json.Number("")}},
		{"more members than the name stack holds", manyMembers(100)},
		{"fallback: int and float64", []any{42, -7, int64(math.MaxInt64), 1.5, 1e21, 1e-7, 0.1, float32(3.14)}},
		{"fallback: a struct, a pointer and a typed nil", map[string]any{"s": pair{A: 1, B: "<&>"}, "p": &pair{A: 2}, "nilp": (*pair)(nil)}},
		{"fallback: other maps and slices", map[string]any{"m": map[string]string{"z": "1", "a": "\u2028"}, "s": []string{"x"}, "b": []byte("hi"), "i": map[int]any{2: 1, 10: 2}}},
		{"fallback: a named string and json.RawMessage", []any{pia.Request, json.RawMessage(` { "a" : 1 } `)}},
		{"a tree deeper than encoding/json's cycle check", deep(3000)},
		{"invalid json.Number: leading zero", []any{json.Number("01")}},
		{"invalid json.Number: plus sign", map[string]any{"n": json.Number("+1")}},
		{"invalid json.Number: text", json.Number("12a")},
		{"invalid json.Number: spaces", json.Number(" 1")},
		{"invalid json.Number: bare point", json.Number("1.")},
		{"fallback error: NaN", []any{math.NaN()}},
		{"fallback error: a channel", map[string]any{"c": make(chan int)}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			requireSameEncoding(t, tt.name, tt.doc)
		})
	}
}

func manyMembers(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m[strings.Repeat("k", i%7)+string(rune('a'+i%26))+string(rune('0'+i/26))] = map[string]any{"v": json.Number("1"), "w": []any{"x"}}
	}
	return m
}

func deep(n int) any {
	var v any = "bottom"
	for i := range n {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = map[string]any{"a": v, "b": json.Number("1")}
		}
	}
	return v
}

func TestEncodeRefusesATreeHoldingItselfAsEncodingJSONDoes(t *testing.T) {
	m := map[string]any{"x": json.Number("1")}
	m["self"] = []any{m}
	_, wantErr := stdlibEncode(m)
	require.Error(t, wantErr)
	_, err := jsonbody.Encode(m)
	require.Error(t, err)
	assert.Equal(t, wantErr.Error(), err.Error())
}

func TestAppendJSONKeepsWhatTheBufferHeld(t *testing.T) {
	out, err := jsonbody.AppendJSON([]byte("prefix:"), map[string]any{"a": []any{"b"}})
	require.NoError(t, err)
	assert.Equal(t, `prefix:{"a":["b"]}`, string(out))
}

// samples are the bodies the gateway holds as trees: the testdata files,
// the documentation's request examples (the others are not all JSON;
// responses come through the samples of their schemas), the builtin schemas and a sample of each.
func samples(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	dir := filepath.Join(piatest.Dir(), "testdata")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out["testdata/"+filepath.Base(f)] = b
	}
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	for _, v := range cat.Versions() {
		exs, err := piatest.Examples(v, "request")
		require.NoError(t, err)
		for _, ex := range exs {
			out["example "+ex.Name()] = ex.JSON
		}
	}
	for _, s := range cat.All() {
		out["schema "+s.ID] = s.Raw
		for _, sp := range []piatest.Sampler{{Members: 2, MaxText: 12}, {Members: 1, MaxText: 8, Digits: true}} {
			b, err := json.Marshal(sp.Build(s.Doc.(map[string]any)))
			require.NoError(t, err)
			out[fmt.Sprintf("sample %+v %s", sp, s.ID)] = b
		}
	}
	return out
}

func TestEncodeWritesEverySampleAsEncodingJSON(t *testing.T) {
	all := samples(t)
	require.Greater(t, len(all), 100, "the samples were found")
	for name, b := range all {
		doc, err := jsonbody.Decode(b)
		require.NoError(t, err, name)
		requireSameEncoding(t, name, doc)
	}
}

// TestEncodeWritesCarriedBodiesAsEncodingJSON encodes the trees the version
// rules leave, with the values they put in, as the gateway encodes a
// carried request or response.
func TestEncodeWritesCarriedBodiesAsEncodingJSON(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	e, err := transform.Load(cat)
	require.NoError(t, err)
	v12, v20 := pia.MustVersion("4.3.12"), pia.MustVersion("4.3.20")
	for _, tt := range []struct {
		file     string
		method   string
		from, to pia.Version
	}{
		{"receiveLicense-4.3.12.json", "receiveLicense", v12, v20},
		{"receiveLicense-4.3.20.json", "receiveLicense", v20, v12},
		{"receiveNIB-4.3.20.json", "receiveNIB", v20, v12},
	} {
		b, err := os.ReadFile(filepath.Join(piatest.Dir(), "testdata", tt.file))
		require.NoError(t, err)
		doc, err := jsonbody.Decode(b)
		require.NoError(t, err)
		doc, rep := e.Convert(tt.method, pia.Request, tt.from, tt.to, doc)
		require.NotEmpty(t, rep.Applied, "%s: rules acted on it", tt.file)
		requireSameEncoding(t, tt.file, doc)
	}
}

// FuzzEncode checks that any document the decoder reads is written as
// encoding/json writes it.
func FuzzEncode(f *testing.F) {
	f.Add([]byte(`{"b":[1,-2.5e3,"<&>\u2028\u0001"],"a":{"":null,"é":true}}`))
	f.Add([]byte("\"a\xffb\\ud800\\n\""))
	f.Add([]byte(`[{},[],{"a":{}}]`))
	for _, name := range []string{"receiveLicense-4.3.20.json", "receiveLicense-4.3.12.json"} {
		b, err := os.ReadFile(filepath.Join(piatest.Dir(), "testdata", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := jsonbody.Decode(b)
		if err != nil {
			return
		}
		want, err := stdlibEncode(doc)
		if err != nil {
			t.Fatalf("encoding/json refuses a decoded tree: %v", err)
		}
		got, err := jsonbody.Encode(doc)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("input %q: Encode %q (%v), encoding/json %q", b, got, err, want)
		}
	})
}

// BenchmarkEncode re-encodes the decoded testdata bodies (see
// internal/pia/testdata/README.md), with Encode and with what the gateway
// used before it.
func BenchmarkEncode(b *testing.B) {
	for _, file := range []string{"receiveLicense-4.3.20.json", "receiveNIB-4.3.20.json"} {
		raw, err := os.ReadFile(filepath.Join(piatest.Dir(), "testdata", file))
		require.NoError(b, err)
		doc, err := jsonbody.Decode(raw)
		require.NoError(b, err)
		for _, enc := range []struct {
			name   string
			encode func(any) ([]byte, error)
		}{
			{"jsonbody", jsonbody.Encode},
			{"encoding-json", stdlibEncode},
			// As the gateway calls it: a buffer sized from the body read.
			{"jsonbody-sized", func(doc any) ([]byte, error) {
				return jsonbody.AppendJSON(make([]byte, 0, len(raw)+len(raw)/8), doc)
			}},
		} {
			b.Run(strings.TrimSuffix(file, ".json")+"/"+enc.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(raw)))
				for b.Loop() {
					if _, err := enc.encode(doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
