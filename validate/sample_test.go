package validate

import (
	"encoding/json"
	"strconv"
	"strings"
)

// sampler builds payloads from a schema document (never by hand), with every
// declared field filled and members members in every array of objects.
type sampler struct {
	members int
	// maxText bounds the strings of wide fields (string(65535)): a sample
	// filled to every limit would be megabytes, and the limits themselves
	// are exercised by the mutations.
	maxText int
}

// build returns a valid value for schema s.
func (sp sampler) build(s map[string]any) any {
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if e != nil && e != "" {
				return e
			}
		}
	}
	switch primaryType(s) {
	case "object":
		props, _ := s["properties"].(map[string]any)
		out := make(map[string]any, len(props))
		for name, p := range props {
			out[name] = sp.build(p.(map[string]any))
		}
		return out
	case "array":
		items, ok := s["items"].(map[string]any)
		if !ok {
			return []any{}
		}
		out := make([]any, sp.members)
		for i := range out {
			out[i] = sp.build(items)
		}
		return out
	case "string":
		switch s["format"] {
		case formatDate:
			return "2024-02-29"
		case formatDateTime:
			return "2024-02-29 23:59:59"
		}
		n := sp.maxText
		if m, ok := intKeyword(s, "maxLength"); ok && m < n {
			n = m
		}
		return text(n)
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
	return "x"
}

// primaryType is the first non-null type a schema allows.
func primaryType(s map[string]any) string {
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

func intKeyword(s map[string]any, key string) (int, bool) {
	n, ok := s[key].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(n.String())
	return v, err == nil
}

// text is n characters that are not all ASCII, so limits are counted in
// characters, not bytes.
func text(n int) string {
	const pattern = "abcdéfghij"
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune([]rune(pattern)[i%10])
	}
	return b.String()
}
