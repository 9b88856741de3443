package transform

import (
	"encoding/json"
	"math/big"
	"strconv"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// numberText returns the JSON number a string stands for, when the engine
// computes with it (a sum of totals): the JSON number grammar, except that
// leading zeros of the integer part are accepted ("0100" adds 100). A
// retype never uses it: there a leading zero keeps the text a string
// (policy transform-retype-number-text). Anything else, spaces and decimal
// commas included, is not a number.
func numberText(s string) (string, bool) {
	s = jsonbody.TrimLeadingZeros(s)
	if _, ok := jsonbody.ParseNumber(s); !ok {
		return "", false
	}
	return s, true
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
	n, ok := jsonbody.ParseNumber(text)
	if !ok {
		return nil, false
	}
	if exp, ok := n.Exponent(); !ok || exp > maxExponent || exp < -maxExponent {
		return nil, false
	}
	return new(big.Rat).SetString(text)
}

// decimalsOf is the number of decimals a number's text shows, so a sum
// is written with as many as the most precise of its parts (1.50 + 2
// gives 3.50, not 3.5). text is one ratOf read, so its exponent is small.
func decimalsOf(text string) int {
	n, _ := jsonbody.ParseNumber(text)
	exp, _ := n.Exponent()
	return max(len(n.Frac)-int(exp), 0)
}

// quoted renders a value for a conversion error: a string quoted, clipped.
func quoted(v any) string {
	s := pia.Display(v)
	if _, ok := v.(string); ok {
		s = strconv.Quote(s)
	}
	return pia.Clip(s, pia.ClipConversion)
}
