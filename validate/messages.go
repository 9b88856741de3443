package validate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// msg names a sentence of a violation. Sentences do not name the field:
// Summary puts the dotted field before each. They hold no semicolon, which
// separates violations in the Summary.
type msg int

const (
	msgRequired     msg = iota //
	msgRequireAny              // the alternatives
	msgUnknownField            //
	msgType                    // expected type, what was sent
	msgMaxLength               // limit, length sent
	msgMinLength               // limit, length sent
	msgLayout                  // layout, what was sent
	msgNoSuchDay               // what was sent
	msgNoSuchTime              // what was sent
	msgFormat                  // format name, what was sent
	msgEnumTable               // what was sent, Lampiran numbers, codes
	msgEnum                    // what was sent, codes
	msgEnumHidden              // what was sent (hidden)
	msgDigits                  // limit, digits sent
	msgDecimals                // limit, decimals sent
	msgPattern                 // pattern, what was sent
	msgConst                   // the one value, what was sent
	msgRule                    // keyword, the library's detail
	msgOutOfRange              // what was sent
)

var sentences = map[msg][2]string{
	msgRequired:     {"wajib ada", "is required"},
	msgRequireAny:   {"wajib ada salah satu dari: %s", "one of these is required: %s"},
	msgUnknownField: {"field tidak dikenal (mode strict)", "unknown field (strict mode)"},
	msgType:         {"harus berupa %s, diterima %s", "must be %s, got %s"},
	msgMaxLength:    {"panjang maksimal %d karakter, diterima %d", "at most %d characters, got %d"},
	msgMinLength:    {"panjang minimal %d karakter, diterima %d", "at least %d characters, got %d"},
	msgLayout:       {"harus berformat %s, diterima %s", "must be formatted %s, got %s"},
	msgNoSuchDay:    {"tanggal %s tidak ada di kalender", "%s is not a calendar date"},
	msgNoSuchTime:   {"jam %s tidak valid", "%s is not a valid time of day"},
	msgFormat:       {"tidak sesuai format %s, diterima %s", "is not a valid %s, got %s"},
	msgEnumTable:    {"kode %s tidak ada di Lampiran %s (gunakan salah satu dari: %s)", "code %s is not in Lampiran %s (use one of: %s)"},
	msgEnum:         {"nilai %s tidak diizinkan (gunakan salah satu dari: %s)", "value %s is not allowed (use one of: %s)"},
	msgEnumHidden:   {"nilai %s tidak diizinkan", "value %s is not allowed"},
	msgDigits:       {"maksimal %d digit sebelum koma, diterima %d", "at most %d digits before the decimal point, got %d"},
	msgDecimals:     {"maksimal %d angka di belakang koma, diterima %d", "at most %d decimal places, got %d"},
	msgPattern:      {"tidak sesuai pola %s, diterima %s", "does not match %s, got %s"},
	msgConst:        {"harus bernilai %s, diterima %s", "must be %s, got %s"},
	msgRule:         {"melanggar aturan %s: %s", "violates %s: %s"},
	msgOutOfRange:   {"angka %s di luar jangkauan", "number %s is out of range"},
}

// say renders a sentence in language l.
func (l speaker) say(m msg, args ...any) string {
	pair := sentences[m]
	f := pair[0]
	if l.lang == pia.English {
		f = pair[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// speaker renders the sentences of this package in a language. hide keeps
// the values of a secret field (a password, a key) out of the sentence.
type speaker struct {
	lang pia.Lang
	hide bool
}

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

var typeNames = map[string][2]string{
	"string":  {"teks", "a string"},
	"number":  {"angka", "a number"},
	"integer": {"bilangan bulat", "a whole number"},
	"boolean": {"boolean (true/false)", "a boolean (true/false)"},
	"object":  {"objek", "an object"},
	"array":   {"array", "an array"},
	"null":    {"null", "null"},
	// policy codes-as-digit-strings
	"number|digits": {"angka atau teks berisi digit saja (mis. \"01111\")", "a number or a string of digits only (e.g. \"01111\")"},
}

// typeName names a JSON type ("string", "number|string") in language l.
func (l speaker) typeName(t string) string {
	i := 0
	if l.lang == pia.English {
		i = 1
	}
	if n, ok := typeNames[t]; ok {
		return n[i]
	}
	return t
}

// describe says what was sent: a scalar quoted back (clipped), a
// structure by its type.
func (l speaker) describe(v any) string {
	if l.hide {
		return "***"
	}
	i := 0
	if l.lang == pia.English {
		i = 1
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(clip(x))
	case json.Number:
		return clip(x.String())
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		return typeNames["object"][i]
	case []any:
		return typeNames["array"][i]
	}
	return display(v)
}
