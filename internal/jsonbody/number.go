package jsonbody

import "strconv"

// Number is a JSON number literal taken apart: each part is a slice of the
// literal, so reading one allocates nothing.
type Number struct {
	// Neg is a leading minus sign.
	Neg bool
	// Int holds the digits before the decimal point: never empty, and
	// "0" or without leading zeros.
	Int string
	// Frac holds the digits after the decimal point; "" when there is no
	// point.
	Frac string
	// Exp is the exponent after e or E, with its sign as written ("-3",
	// "+9", "2"); "" when there is none.
	Exp string
}

// ParseNumber reports whether s is a number exactly as JSON writes one
// (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), so that a
// json.Number made of s re-encodes as valid JSON, and gives its parts. A
// leading plus sign, leading zeros, spaces, decimal commas, NaN and
// Infinity are not numbers. It is the one number grammar of the gateway:
// the decoder, Valid and ScanNumber read numbers with the same scan, and
// validate and transform, which read numbers sent as text, each state
// their own policy on top of it.
func ParseNumber(s string) (Number, bool) {
	m, ok := scanNumber(s, 0)
	if !ok || m.end != len(s) {
		return Number{}, false
	}
	n := Number{Neg: m.intAt > 0, Int: s[m.intAt:m.intEnd]}
	if m.fracEnd > m.intEnd {
		n.Frac = s[m.intEnd+1 : m.fracEnd]
	}
	if m.end > m.fracEnd {
		n.Exp = s[m.fracEnd+1 : m.end]
	}
	return n, true
}

// Exponent is the value of Exp, 0 without one. Beyond int64 it is
// math.MaxInt64 or math.MinInt64 and ok is false: each reader states what
// such a number means to it.
func (n Number) Exponent() (e int64, ok bool) {
	if n.Exp == "" {
		return 0, true
	}
	e, err := strconv.ParseInt(n.Exp, 10, 64)
	return e, err == nil
}

// numberMarks locate a number's parts in the text scanNumber read: the
// integer digits are [intAt, intEnd), the point and fraction digits
// [intEnd, fracEnd) and the exponent with its e [fracEnd, end).
type numberMarks struct {
	intAt, intEnd, fracEnd, end int
}

// scanNumber reads the number literal at s[i] by JSON's grammar. When the
// literal is broken, end is the index of the byte that breaks it (len(s)
// when the text ends too soon), for the caller to describe.
func scanNumber[T ~string | ~[]byte](s T, i int) (m numberMarks, ok bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	m.intAt = i
	if i < len(s) && s[i] == '0' {
		m.intEnd = i + 1
	} else if m.intEnd, ok = someDigits(s, i); !ok {
		m.end = m.intEnd
		return m, false
	}
	m.fracEnd = m.intEnd
	if m.fracEnd < len(s) && s[m.fracEnd] == '.' {
		if m.fracEnd, ok = someDigits(s, m.fracEnd+1); !ok {
			m.end = m.fracEnd
			return m, false
		}
	}
	m.end = m.fracEnd
	if m.end < len(s) && (s[m.end] == 'e' || s[m.end] == 'E') {
		i = m.end + 1
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		m.end, ok = someDigits(s, i)
		return m, ok
	}
	return m, true
}

// someDigits returns the index after the run of ASCII digits at s[i:], and
// false (with i) when there is none.
func someDigits[T ~string | ~[]byte](s T, i int) (int, bool) {
	end := skipDigits(s, i)
	return end, end > i
}

// skipDigits returns the index after the run of ASCII digits at s[i:].
func skipDigits[T ~string | ~[]byte](s T, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// TrimLeadingZeros drops the zeros that lead another digit of a number's
// integer part ("-007.5" becomes "-7.5", "00" becomes "0"), for the readers
// that take numbers written so (JSON never writes them): what is left is
// for ParseNumber, which then refuses anything else.
func TrimLeadingZeros(s string) string {
	sign, unsigned := "", s
	if len(s) > 0 && s[0] == '-' {
		sign, unsigned = "-", s[1:]
	}
	z := 0
	for z+1 < len(unsigned) && unsigned[z] == '0' && unsigned[z+1] >= '0' && unsigned[z+1] <= '9' {
		z++
	}
	if z == 0 {
		return s
	}
	return sign + unsigned[z:]
}
