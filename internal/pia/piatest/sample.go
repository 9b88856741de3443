package piatest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Sampler builds payloads from a schema document (never by hand), with
// every declared field filled and Members members in every array of
// objects. It is the one sampler of the tests: validate and transform
// build their payloads with it.
type Sampler struct {
	Members int
	// MaxText bounds the strings of wide fields (string(65535)): a sample
	// filled to every limit would be megabytes, and the limits themselves
	// are exercised by the mutations.
	MaxText int
	// Digits fills strings with digits, so a retype to a number can carry
	// them; otherwise strings are Text, counted in characters.
	Digits bool
}

// Build returns a valid value for schema s: codes are the first real code
// of their table, dates and datetimes are real ones (29 February of a leap
// year), numbers fit their limits and decimals.
func (sp Sampler) Build(s map[string]any) any {
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if e != nil && e != "" {
				return e
			}
		}
	}
	switch PrimaryType(s) {
	case "object":
		props, _ := s["properties"].(map[string]any)
		out := make(map[string]any, len(props))
		for name, p := range props {
			out[name] = sp.Build(p.(map[string]any))
		}
		return out
	case "array":
		items, ok := s["items"].(map[string]any)
		if !ok {
			return []any{}
		}
		out := make([]any, sp.Members)
		for i := range out {
			out[i] = sp.Build(items)
		}
		return out
	case "string":
		if f, ok := map[any]string{"pia-date": "2024-02-29", "pia-datetime": "2024-02-29 23:59:59"}[s["format"]]; ok {
			// A documented length too short for the layout (string(8) for
			// a date) leaves only "no value" valid.
			if m, ok := IntKeyword(s, "maxLength"); ok && m < len(f) {
				return ""
			}
			return f
		}
		n := sp.MaxText
		if m, ok := IntKeyword(s, "maxLength"); ok && m < n {
			n = m
		}
		return sp.text(n)
	case "number", "integer":
		digits := 6
		if lim, ok := s["exclusiveMaximum"].(json.Number); ok {
			if d := len(lim.String()) - 1; d < digits {
				digits = d
			}
		}
		whole := strings.Repeat("7", digits)
		if digits == 0 {
			whole = "0"
		}
		if m, ok := s["multipleOf"].(json.Number); ok && strings.HasPrefix(m.String(), "0.") {
			return json.Number(whole + "." + strings.Repeat("5", len(m.String())-2))
		}
		return json.Number(whole)
	case "boolean":
		return true
	}
	// A field the documentation types as JSON: any value does.
	return sp.text(1)
}

func (sp Sampler) text(n int) string {
	if sp.Digits {
		return Digits(n)
	}
	return Text(n)
}

// PrimaryType is the first non-null type a schema allows.
func PrimaryType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
	}
	return ""
}

// IntKeyword is an integer keyword of a schema (maxLength).
func IntKeyword(s map[string]any, key string) (int, bool) {
	n, ok := s[key].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(n.String())
	return v, err == nil
}

// Text is n characters that are not all ASCII, so limits are counted in
// characters, not bytes.
func Text(n int) string {
	return repeat([]rune("abcdéfghij"), n)
}

// Digits is n decimal digits, a string a retype to a number can carry.
func Digits(n int) string {
	return repeat([]rune("1234567890"), n)
}

func repeat(pattern []rune, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(pattern[i%len(pattern)])
	}
	return b.String()
}
