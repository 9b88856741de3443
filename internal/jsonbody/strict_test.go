package jsonbody

// Fixtures: the JSON texts in this file are built by hand, each the smallest
// that shows one rule of the strict decoder.

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var strict = Options{Strict: true}

func TestStrictDecodeRefusesDuplicateMembersNamingThem(t *testing.T) {
	for _, tt := range []struct{ name, in, path string }{
		{"top level", `{"a":1,"a":2}`, "/a"},
		{"nested, first value checked, last forwarded", `{"dataNIB":{"nib":"8120000000001","x":1,"nib":"9990000000001"}}`, "/dataNIB/nib"},
		{"inside an array", `{"d":[{"k":1},{"k":1,"k":2}]}`, "/d/1/k"},
		{"escaped spelling of the same name", `{"x":{"nib":1,"n\u0069b":2}}`, "/x/nib"},
		{"pointer escapes", `{"a/b":{"~":1,"~":2}}`, "/a~1b/~0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeWith([]byte(tt.in), strict)
			var dup *DuplicateMemberError
			require.True(t, errors.As(err, &dup), "%v", err)
			assert.Equal(t, tt.path, dup.Path)
			_, err = Decode([]byte(tt.in))
			assert.NoError(t, err, "the lenient decoder keeps encoding/json's last-wins")
		})
	}
	doc, err := DecodeWith([]byte(`{"a":{"k":1},"b":{"k":1}}`), strict)
	require.NoError(t, err, "the same name in two objects is no duplicate")
	assert.Len(t, doc, 2)
}

func TestStrictDecodeRefusesInvalidUTF8AndLoneSurrogates(t *testing.T) {
	for name, in := range map[string]string{
		"invalid byte":              "{\"a\":\"x\xffy\"}",
		"invalid byte after escape": "{\"a\":\"\\n\xff\"}",
		"invalid byte in a name":    "{\"\xff\":1}",
		"lone high surrogate":       `{"a":"\ud800"}`,
		"lone low surrogate":        `{"a":"\udc00x"}`,
		"high then not a low":       `{"a":"\ud800\u0041"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeWith([]byte(in), strict)
			assert.Error(t, err)
			_, err = Decode([]byte(in))
			assert.NoError(t, err, "encoding/json makes it U+FFFD")
		})
	}
	v, err := DecodeWith([]byte(`{"a":"\ud83d\ude00 é"}`), strict)
	require.NoError(t, err, "a surrogate pair and plain UTF-8 are fine")
	assert.Equal(t, "😀 é", v.(map[string]any)["a"])
}

func TestDecodeBoundsTheElements(t *testing.T) {
	zeros := "[" + strings.Repeat("0,", 1_000_000) + "0]"
	_, err := DecodeWith([]byte(zeros), Options{MaxElements: 1000})
	var tm *TooManyElementsError
	require.True(t, errors.As(err, &tm), "%v", err)
	assert.Equal(t, 1000, tm.Limit)

	// The bound counts every value, the document itself included.
	_, err = DecodeWith([]byte(`{"a":[1,2],"b":"x"}`), Options{MaxElements: 5})
	assert.NoError(t, err)
	_, err = DecodeWith([]byte(`{"a":[1,2],"b":"x"}`), Options{MaxElements: 4})
	assert.Error(t, err)
}

func TestDecodeWithinTheBoundAllocatesLittleForAHostileBody(t *testing.T) {
	zeros := []byte("[" + strings.Repeat("0,", 5_000_000) + "0]") // 10 MB, the default body limit
	allocs := testing.AllocsPerRun(1, func() {
		_, _ = DecodeWith(zeros, Options{MaxElements: 1000})
	})
	// A value per element allowed (a boxed json.Number) and a few slices,
	// not a value per zero.
	assert.Less(t, allocs, 1100.0)
}

func TestScanStringFindsTheValueWithoutATree(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		path     []string
		want     string
		found    bool
	}{
		{"string", `{"dataNIB":{"a":[1,{"nib":"x"}],"nib":"8120000000001"}}`, []string{"dataNIB", "nib"}, "8120000000001", true},
		{"number", `{"dataNIB":{"nib":8120000000001}}`, []string{"dataNIB", "nib"}, "8120000000001", true},
		{"escaped", `{"dataNIB":{"n\u0069b":"81\u0032"}}`, []string{"dataNIB", "nib"}, "812", true},
		{"whitespace", " { \"r\" : { \"nib\" : \"1\" } } ", []string{"r", "nib"}, "1", true},
		{"only member", `{"custom":{"nib":"1"}}`, []string{"*", "nib"}, "1", true},
		{"several members: no only one", `{"a":{"nib":"1"},"b":{}}`, []string{"*", "nib"}, "", false},
		{"absent", `{"dataNIB":{"x":"1"}}`, []string{"dataNIB", "nib"}, "", false},
		{"not an object", `{"dataNIB":[{"nib":"1"}]}`, []string{"dataNIB", "nib"}, "", false},
		{"null", `{"dataNIB":{"nib":null}}`, []string{"dataNIB", "nib"}, "", false},
		{"a duplicate elsewhere is not its business", `{"dataNIB":{"nib":"1","x":1,"x":2}}`, []string{"dataNIB", "nib"}, "1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := ScanString([]byte(tt.in), tt.path...)
			require.NoError(t, err)
			assert.Equal(t, tt.found, found)
			assert.Equal(t, tt.want, got)
		})
	}
	for name, in := range map[string]string{
		"duplicate leaf": `{"dataNIB":{"nib":"1","nib":"2"}}`,
		"duplicate root": `{"dataNIB":{"nib":"1"},"dataNIB":{"nib":"2"}}`,
	} {
		_, _, err := ScanString([]byte(in), "dataNIB", "nib")
		var dup *DuplicateMemberError
		assert.True(t, errors.As(err, &dup), "%s: %v", name, err)
	}
	_, _, err := ScanString([]byte(`{"dataNIB":{"x":[1,}`), "dataNIB", "nib")
	assert.Error(t, err, "broken JSON on the path")

	scan := func(zeros int) float64 {
		b := []byte(`{"dataNIB":{"x":[` + strings.Repeat("0,", zeros) + `0],"nib":"1"}}`)
		return testing.AllocsPerRun(2, func() {
			v, found, err := ScanString(b, "dataNIB", "nib")
			if err != nil || !found || v != "1" {
				t.Fatal(v, found, err)
			}
		})
	}
	assert.Equal(t, scan(10), scan(1_000_000), "the cost in memory does not grow with the body")
}

// FuzzDecodeJSONStrict: the strict decoder never accepts what
// encoding/json refuses, and what it accepts decodes as encoding/json does.
func FuzzDecodeJSONStrict(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `[1,[2,{"b":[]}]]`, `{"a":{"b":1},"c":{"b":2}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeWith(b, Options{Strict: true, MaxElements: 1000})
		// Check gives the decoder's verdict, word for word.
		assert.Equal(t, err, Check(b, Options{Strict: true, MaxElements: 1000}))
		if err != nil {
			return
		}
		var want any
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		if err := d.Decode(&want); err != nil {
			t.Fatalf("strict decode accepted %q that encoding/json refuses: %v", b, err)
		}
		assert.Equal(t, want, got)
	})
}

// FuzzScanString: on every document the strict decoder accepts, ScanString
// finds at a path exactly what the decoded tree holds there.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`{"a":{"nib":"1"}}`, `{"a":{"nib":12}}`, `{"a":{"n\u0069b":"\u0031"}}`, `{"x":{"nib":"1"}}`, `{"a":[{"nib":"1"}]}`, ` {"a" : {"nib" : -1.5e3 } } `} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, only bool) {
		path := []string{"a", "nib"}
		if only {
			path[0] = "*"
		}
		got, found, err := ScanString(b, path...)
		doc, derr := DecodeWith(b, Options{Strict: true})
		if derr != nil {
			return
		}
		if err != nil {
			t.Fatalf("ScanString refused %q that decodes: %v", b, err)
		}
		var want any
		if root, ok := doc.(map[string]any); ok {
			inner := root[path[0]]
			if only && len(root) == 1 {
				for _, v := range root {
					inner = v
				}
			}
			if m, ok := inner.(map[string]any); ok {
				want = m["nib"]
			}
		}
		switch w := want.(type) {
		case string:
			if !found || got != w {
				t.Fatalf("%q: got %q (found %v), want %q", b, got, found, w)
			}
		case json.Number:
			if !found || got != string(w) {
				t.Fatalf("%q: got %q (found %v), want %q", b, got, found, w)
			}
		default:
			if found {
				t.Fatalf("%q: found %q where the tree holds %v", b, got, want)
			}
		}
	})
}
