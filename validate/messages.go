package validate

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

var secretRe = regexp.MustCompile(`(?i)pwd|pass|secret|token|(^|_)key($|_)`)

// SecretField reports whether the last segment of a JSON pointer names a
// field whose value must not be quoted back, logged or put in a header.
func SecretField(ptr string) bool {
	return secret([]string{ptr[strings.LastIndexByte(ptr, '/')+1:]})
}

// secret reports whether a location names a field whose value must not be
// quoted back, logged or put in a header.
func secret(loc []string) bool {
	return len(loc) > 0 && secretRe.MatchString(loc[len(loc)-1])
}

// typeNames are the catalogue's names of the JSON types a violation says a
// field must be.
var typeNames = map[string]pia.Msg{
	"string":  pia.MsgTypeString,
	"number":  pia.MsgTypeNumber,
	"integer": pia.MsgTypeInteger,
	"boolean": pia.MsgTypeBoolean,
	"object":  pia.MsgTypeObject,
	"array":   pia.MsgTypeArray,
	"null":    pia.MsgTypeNull,
	// policy codes-as-digit-strings
	"number|digits": pia.MsgTypeDigits,
}

// typeName names a JSON type ("string", "number|string") for a sentence:
// the catalogue's name where it has one.
func typeName(t string) any {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return t
}

// describe says, for a sentence, what was sent: a scalar quoted back
// (clipped), a structure by its type; nothing of a secret field (hide).
func describe(v any, hide bool) any {
	if hide {
		return "***"
	}
	switch x := v.(type) {
	case string:
		return strconv.Quote(clip(x))
	case json.Number:
		return clip(x.String())
	case map[string]any:
		return pia.MsgTypeObject
	case []any:
		return pia.MsgTypeArray
	}
	return pia.Display(v)
}

// clip keeps a sent value short enough to quote back.
func clip(s string) string { return pia.Clip(s, pia.ClipViolation) }
