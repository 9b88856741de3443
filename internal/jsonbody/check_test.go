package jsonbody

// Fixtures: the sampled receiveNIB request of internal/pia/testdata, and
// bodies written here by hand.

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckGivesTheDecodersVerdictWithoutATree(t *testing.T) {
	nib := string(readFixture(t, "receiveNIB-4.3.20.json"))
	bodies := map[string]string{
		"valid":                           nib,
		"broken at the end":               nib[:len(nib)-1],
		"broken in the middle":            nib[:len(nib)/2] + "}" + nib[len(nib)/2:],
		"a member named twice, deep":      `{"a":{"b":[{"c":1,"d":2,"c":3}]}}`,
		"the same name in two objects":    `{"a":{"b":1},"c":{"b":2}}`,
		"an empty name twice":             `{"":1,"":2}`,
		"invalid UTF-8":                   "{\"a\":\"\xff\"}",
		"a lone surrogate":                `{"a":"\ud800"}`,
		"an escaped name twice":           `{"a":1,"\u0061":2}`,
		"a bad element deep in an array":  `[1,[2,3,{"x":[4,5,tru]}]]`,
		"too many values":                 `[` + strings.Repeat("0,", 50) + `0]`,
		"too deep":                        strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
		"empty containers":                `{"a":{},"b":[],"c":[{}]}`,
		"nothing":                         ``,
		"trailing garbage":                `{} x`,
		"a number broken in its exponent": `[1e+]`,
	}
	for name, body := range bodies {
		for _, o := range []Options{{}, {Strict: true}, {Strict: true, MaxElements: 40}} {
			_, want := DecodeWith([]byte(body), o)
			assert.Equal(t, want, Check([]byte(body), o), "%s, %+v", name, o)
		}
	}
	// The whole point: a body broken at its end costs the scan, not the
	// tree the decoder builds before it finds the break.
	broken := []byte(nib[:len(nib)-1])
	o := Options{Strict: true, MaxElements: 250000}
	decoded := testing.AllocsPerRun(10, func() { _, _ = DecodeWith(broken, o) })
	checked := testing.AllocsPerRun(10, func() { _ = Check(broken, o) })
	assert.Less(t, checked*10, decoded, "Check allocates %v times, a decode %v", checked, decoded)
}

func TestASyntaxErrorNamesWhereItIs(t *testing.T) {
	for body, want := range map[string]SyntaxError{
		`[1,[2,3,{"x":[4,5,tru]}]]`: {Path: "/1/2/x/2", Offset: 22},
		`{"a/b":{"c~":01}}`:         {Path: "/a~1b", Offset: 15},
		`{"a":{"b":"\x"}}`:          {Path: "/a/b", Offset: 13},
		`{"a":{"b":1}`:              {Path: "", Offset: 12},
		`{} x`:                      {Path: "", Offset: 4},
		`{"a":[{"b":1},{"b":2,}]}`:  {Path: "/a/1", Offset: 22},
		`{"IZINFINAL":{"nib":"812"`: {Path: "/IZINFINAL", Offset: 25},
	} {
		for _, discard := range []bool{false, true} {
			_, err := decode([]byte(body), Options{Strict: true}, discard)
			var syntax *SyntaxError
			if assert.ErrorAs(t, err, &syntax, body) {
				assert.Equal(t, want.Path, syntax.Path, "%s: the member whose value holds the fault", body)
				assert.Equal(t, want.Offset, syntax.Offset, "%s: the bytes read", body)
			}
		}
	}
}
