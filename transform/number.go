package transform

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// numberText returns the JSON number a string stands for, when the engine
// computes with it (a sum of totals): the JSON number grammar, except that
// leading zeros of the integer part are accepted ("0100" adds 100). A
// retype never uses it: there a leading zero keeps the text a string
// (policy transform-retype-number-text). Anything else, spaces and decimal
// commas included, is not a number.
func numberText(s string) (string, bool) {
	sign, unsigned := "", s
	if strings.HasPrefix(s, "-") {
		sign, unsigned = "-", s[1:]
	}
	// Drop the zeros that lead another digit; what is left is asked of the
	// strict grammar, which then also refuses anything else.
	z := 0
	for z+1 < len(unsigned) && unsigned[z] == '0' && unsigned[z+1] >= '0' && unsigned[z+1] <= '9' {
		z++
	}
	if z > 0 {
		s = sign + unsigned[z:]
	}
	if !pia.IsJSONNumber(s) {
		return "", false
	}
	return s, true
}

// digits reports a non-empty string of ASCII digits only.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// numberOf returns the exact decimal text of a number, or of a string
// holding one.
func numberOf(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case float64:
		// A tree decoded without UseNumber: the shortest text that reads
		// back as the same float.
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case string:
		return numberText(x)
	}
	return "", false
}

// maxExponent bounds the exponent of a number the engine computes with:
// big.Rat builds 10^exponent in full, so "1e999999999" would take the
// process down, and no PIA number needs more than a few dozen digits.
const maxExponent = 64

// ratOf reads a number's text exactly; ok is false for an exponent beyond
// maxExponent.
func ratOf(text string) (*big.Rat, bool) {
	if exp, ok := exponentOf(text); !ok || exp > maxExponent || exp < -maxExponent {
		return nil, false
	}
	return new(big.Rat).SetString(text)
}

func exponentOf(text string) (int, bool) {
	i := strings.IndexAny(text, "eE")
	if i < 0 {
		return 0, true
	}
	e := strings.TrimPrefix(text[i+1:], "+")
	if len(e) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(e)
	return n, err == nil
}

// decimalsOf is the number of decimals a number's text shows, so a sum
// is written with as many as the most precise of its parts (1.50 + 2
// gives 3.50, not 3.5).
func decimalsOf(text string) int {
	end := strings.IndexAny(text, "eE")
	if end < 0 {
		end = len(text)
	}
	frac := 0
	if dot := strings.IndexByte(text[:end], '.'); dot >= 0 {
		frac = end - dot - 1
	}
	exp, _ := exponentOf(text)
	return max(frac-exp, 0)
}

// quoted renders a value for a conversion error: a string quoted, clipped.
func quoted(v any) string {
	s := pia.Display(v)
	if _, ok := v.(string); ok {
		s = strconv.Quote(s)
	}
	return pia.Clip(s, pia.ClipConversion)
}
