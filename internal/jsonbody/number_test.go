package jsonbody

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases are built by hand from RFC 8259's number grammar and the
// spellings PIA senders were seen to use instead (deviations.json).
func TestParseNumberRecognisesJSONNumbers(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"zero", "0", true},
		{"negative zero", "-0", true},
		{"integer", "12", true},
		{"decimal keeps its trailing zeros", "12.50", true},
		{"negative exponent", "-1.5e-3", true},
		{"capital E and plus sign in the exponent", "1E+9", true},
		{"empty", "", false},
		{"a lone minus", "-", false},
		{"leading zeros", "007", false},
		{"leading zeros after a minus", "-01", false},
		{"plus sign", "+1", false},
		{"no digits after the point", "1.", false},
		{"no digits before the point", ".5", false},
		{"no digits in the exponent", "1e", false},
		{"a signed exponent without digits", "1e+", false},
		{"decimal comma", "1,5", false},
		{"thousands dots", "1.000.000", false},
		{"leading space", " 1", false},
		{"trailing space", "1 ", false},
		{"hexadecimal", "0x10", false},
		{"NaN", "NaN", false},
		{"Infinity", "Infinity", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := ParseNumber(tt.s)
			assert.Equal(t, tt.want, ok, "%q", tt.s)
		})
	}
}

// FuzzParseNumber holds ParseNumber to encoding/json: a string is a
// number exactly when it is valid JSON that starts like a number and ends
// on a digit (JSON allows whitespace around a value; a number does not).
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "12.50", "-1.5e-3", "1E+9", "007", "+1", "1.", ".5", "1e", "1,5", " 1", "1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') &&
			s[len(s)-1] >= '0' && s[len(s)-1] <= '9' && json.Valid([]byte(s))
		n, ok := ParseNumber(s)
		assert.Equal(t, want, ok, "%q", s)
		if ok {
			back := n.Int
			if n.Neg {
				back = "-" + back
			}
			if n.Frac != "" {
				back += "." + n.Frac
			}
			if n.Exp != "" {
				back += s[len(back):len(back)+1] + n.Exp // e or E, as written
			}
			assert.Equal(t, s, back, "the parts put back together are the literal")
		}
	})
}

func TestParseNumberGivesTheParts(t *testing.T) {
	tests := []struct {
		s    string
		want Number
	}{
		{"0", Number{Int: "0"}},
		{"-0", Number{Neg: true, Int: "0"}},
		{"12.50", Number{Int: "12", Frac: "50"}},
		{"-1.5e-3", Number{Neg: true, Int: "1", Frac: "5", Exp: "-3"}},
		{"1E+9", Number{Int: "1", Exp: "+9"}},
		{"100e2", Number{Int: "100", Exp: "2"}},
	}
	for _, tt := range tests {
		n, ok := ParseNumber(tt.s)
		require.True(t, ok, tt.s)
		assert.Equal(t, tt.want, n, tt.s)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { ParseNumber("-1.5e-3") }))
}

func TestTrimLeadingZerosLeavesTheNumberForParseNumber(t *testing.T) {
	for in, want := range map[string]string{
		"007": "7", "-007.50": "-7.50", "00": "0", "0": "0", "0.5": "0.5", "-0": "-0",
		"0e5": "0e5", "": "", "-": "-", "0x10": "0x10", "00a": "0a",
	} {
		assert.Equal(t, want, TrimLeadingZeros(in), "%q", in)
	}
}

func TestExponentSaysWhenItIsBeyondInt64(t *testing.T) {
	for s, want := range map[string]int64{"1": 0, "1e5": 5, "1E+5": 5, "1e-5": -5, "1e99999999999999999999": math.MaxInt64, "1e-99999999999999999999": math.MinInt64} {
		n, ok := ParseNumber(s)
		require.True(t, ok, s)
		e, inRange := n.Exponent()
		assert.Equal(t, want, e, s)
		assert.Equal(t, e != math.MaxInt64 && e != math.MinInt64, inRange, s)
	}
}
