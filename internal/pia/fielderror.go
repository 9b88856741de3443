package pia

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
)

// FieldError is one violation found in a payload: the field as a JSON
// pointer, the rule it breaks, what the rule expects and what was sent,
// and the sentence that says so as a message id with its arguments, so
// that it is rendered (Text) in the language of the answer.
type FieldError struct {
	Field    string `json:"field"`
	Rule     string `json:"rule"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Msg and Args make the readable sentence, without the field name
	// (Summary puts it before). MsgNone: the rule says it all.
	Msg  Msg   `json:"-"`
	Args []any `json:"-"`
}

// Text is the sentence of e in language l.
func (e FieldError) Text(l Lang) string { return l.Text(e.Msg, e.Args...) }

// DottedField turns the JSON pointer of e into the dotted form the PIA
// documentation uses (IZINFINAL.nib, dataNIB.data_proyek[0].kbli).
func (e FieldError) DottedField() string { return PointerToDotted(e.Field) }

// Summary lists violations the way the envelope's keterangan reads them,
// each sentence in language l:
// "IZINFINAL.nib: panjang maksimal 13 karakter, diterima 15; IZINFINAL.tgl_terbit_izin: ...".
func Summary(errs []FieldError, l Lang) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.DottedField())
		b.WriteString(": ")
		b.WriteString(e.Text(l))
	}
	return b.String()
}

// SortFieldErrors orders violations by field, array indices numerically
// (a/9 before a/10), then by rule, so the answer is the same for the same
// payload whatever order they were found in, and the same whichever stage
// (validate, transform) found them (policy one-violation-order).
func SortFieldErrors(errs []FieldError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if c := ComparePointers(errs[i].Field, errs[j].Field); c != 0 {
			return c < 0
		}
		return errs[i].Rule < errs[j].Rule
	})
}

// ComparePointers compares JSON pointers segment by segment: two array
// indices by their number, an index before a name, two names as text; a
// pointer sorts before the pointers below it. (Comparing an index with a
// name as text made the order circular, 8 < 11281 < 1C < 8, so that the
// sort depended on the order the violations were found in.)
func ComparePointers(a, b string) int {
	for a != "" && b != "" {
		var sa, sb string
		sa, a = nextSegment(a)
		sb, b = nextSegment(b)
		if sa == sb {
			continue
		}
		switch ia, ib := IsIndex(sa), IsIndex(sb); {
		case ia && ib && len(sa) != len(sb):
			// Indices have no leading zeros: the shorter is the smaller.
			if len(sa) < len(sb) {
				return -1
			}
			return 1
		case ia && !ib:
			return -1
		case ib && !ia:
			return 1
		}
		return strings.Compare(sa, sb)
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func nextSegment(p string) (seg, rest string) {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

// IsIndex reports a segment that can be an array index: digits, without
// a leading zero.
func IsIndex(seg string) bool {
	if seg == "" || seg[0] == '0' && len(seg) > 1 {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}

// The limits of what the gateway quotes back from a payload.
const (
	// ClipViolation bounds a value a violation quotes (validate's Got and
	// sentences).
	ClipViolation = 40
	// ClipConversion bounds a value a conversion error quotes (transform).
	ClipConversion = 64
	// ClipHeaderValue bounds a value in the X-PIA-Validation header.
	ClipHeaderValue = 64
	// ClipPath bounds a path or a list of names in a sentence.
	ClipPath = 200
)

// Clip shortens s to limit characters, marking the cut with "…"; it counts
// characters, not bytes, so it never cuts one in two (policy one-clipping).
func Clip(s string, limit int) string {
	if len(s) <= limit || utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := 0
	for i := range s {
		if limit == 0 {
			cut = i
			break
		}
		limit--
	}
	return s[:cut] + "…"
}

// Display writes a JSON value for a sentence: a scalar as JSON writes it
// (a string without its quotes), a structure as {…} or […], so that a
// sentence never writes out members, secret ones included (policy
// one-violation-display).
func Display(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any:
		return "{…}"
	case []any:
		return "[…]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// PointerToDotted renders /a/b/0/c as a.b[0].c.
func PointerToDotted(ptr string) string {
	if ptr == "" || ptr == "/" {
		return "(body)"
	}
	var b strings.Builder
	for _, seg := range jsonbody.PointerSegments(ptr) {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}
