package pia

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The cases are built by hand from RFC 8259's number grammar and the
// spellings PIA senders were seen to use instead (deviations.json).
func TestIsJSONNumber(t *testing.T) {
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
			assert.Equal(t, tt.want, IsJSONNumber(tt.s), "%q", tt.s)
		})
	}
}

// FuzzIsJSONNumber holds IsJSONNumber to encoding/json: a string is a
// number exactly when it is valid JSON that starts like a number and ends
// on a digit (JSON allows whitespace around a value; a number does not).
func FuzzIsJSONNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "12.50", "-1.5e-3", "1E+9", "007", "+1", "1.", ".5", "1e", "1,5", " 1", "1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') &&
			s[len(s)-1] >= '0' && s[len(s)-1] <= '9' && json.Valid([]byte(s))
		assert.Equal(t, want, IsJSONNumber(s), "%q", s)
	})
}
