package pia

// IsJSONNumber reports whether s is a number exactly as JSON writes one
// (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), so that a
// json.Number made of s re-encodes as valid JSON. A leading plus sign,
// leading zeros, spaces, decimal commas, NaN and Infinity are not. validate
// and transform both read numbers sent as text and must agree on which are
// numbers; each states its own policy on top of this one grammar.
func IsJSONNumber(s string) bool {
	i, n := 0, len(s)
	if i < n && s[i] == '-' {
		i++
	}
	switch {
	case i >= n:
		return false
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		i = digitsFrom(s, i+1)
	default:
		return false
	}
	if i < n && s[i] == '.' {
		start := i + 1
		if i = digitsFrom(s, start); i == start {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		if i = digitsFrom(s, start); i == start {
			return false
		}
	}
	return i == n
}

// digitsFrom returns the index after the run of ASCII digits at s[i:].
func digitsFrom(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
