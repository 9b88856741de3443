package jsonbody

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Encode writes a tree as JSON, byte for byte as encoding/json's Encoder
// with SetEscapeHTML(false) writes it, less the newline the Encoder ends
// with. It is AppendJSON into a new buffer.
func Encode(doc any) ([]byte, error) {
	return AppendJSON(nil, doc)
}

// AppendJSON appends doc as JSON to dst, exactly as encoding/json writes it
// without HTML escaping: members in the byte order of their names, the
// escapes of encoding/json (\ufffd for invalid UTF-8, U+2028 and U+2029
// escaped, < > & not), an empty json.Number as 0 and one that is not a
// JSON number refused with encoding/json's error. It writes the tree's own
// types (map[string]any, []any, string, json.Number, bool and nil) itself,
// without reflection, because re-encoding a carried body is on the request
// path; any other value in the tree (an int, a float64, a struct) is
// written by encoding/json, so it means what it always meant. On error the
// result is nil.
func AppendJSON(dst []byte, doc any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	e.buf = dst
	err := e.value(doc, 0)
	out := e.buf
	e.buf = nil
	clear(e.members) // what an error left on the stack
	e.members = e.members[:0]
	if cap(e.members) <= maxPooledMembers {
		encoders.Put(e)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encoders keep their member stacks from one encode to the next, so that
// a steady gateway sorts members without allocating.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

// maxPooledMembers bounds the member stack kept in the pool: one object of a
// hundred thousand members must not hold its memory after it is written.
const maxPooledMembers = 1024

// cycleDepth is the nesting at which encoding/json starts looking for a
// tree that holds itself. Deeper containers are left to it, so that such a
// tree is its error, not a stack exhausted here; a decoded tree that deep
// (MaxDepth allows it) comes out the same either way.
const cycleDepth = 1000

type encoder struct {
	buf []byte
	// members holds the members of the objects being written, nested
	// levels stacked.
	members []member
}

type member struct {
	name  string
	value any
}

func (e *encoder) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case string:
		e.buf = appendString(e.buf, x)
	case json.Number:
		return e.number(x)
	case map[string]any:
		if depth >= cycleDepth {
			return e.fallback(x)
		}
		return e.object(x, depth+1)
	case []any:
		if depth >= cycleDepth {
			return e.fallback(x)
		}
		return e.array(x, depth+1)
	default:
		return e.fallback(v)
	}
	return nil
}

func (e *encoder) object(m map[string]any, depth int) error {
	if m == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	base := len(e.members)
	for k, v := range m {
		e.members = append(e.members, member{k, v})
	}
	// The members' values may append past these, moving the stack but
	// never overwriting them.
	members := e.members[base:]
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	e.buf = append(e.buf, '{')
	for i, mb := range members {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, mb.name)
		e.buf = append(e.buf, ':')
		if err := e.value(mb.value, depth); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	clear(e.members[base:]) // the pooled stack keeps no body alive
	e.members = e.members[:base]
	return nil
}

func (e *encoder) array(a []any, depth int) error {
	if a == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	e.buf = append(e.buf, '[')
	for i, v := range a {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v, depth); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) number(n json.Number) error {
	s := string(n)
	if s == "" {
		s = "0" // encoding/json writes the zero Number so
	}
	if _, ok := ParseNumber(s); !ok {
		return fmt.Errorf("json: invalid number literal %q", s)
	}
	e.buf = append(e.buf, s...)
	return nil
}

// fallback writes a value of another type with encoding/json.
func (e *encoder) fallback(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	e.buf = append(e.buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
	return nil
}

// asciiEscapes gives, for each ASCII byte encoding/json escapes in a
// string, the letter after the backslash: its one-letter escape (the
// decoder's shortEscapes read backwards, but / which encoding/json writes
// as it is), or u for \u00XX; 0 for the bytes written as they are.
var asciiEscapes = func() (t [utf8.RuneSelf]byte) {
	for b := range byte(0x20) {
		t[b] = 'u'
	}
	for letter, b := range shortEscapes {
		if b != 0 && letter != '/' {
			t[b] = byte(letter)
		}
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's appendString without HTML escaping.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			esc := asciiEscapes[b]
			if esc == 0 {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			if esc == 'u' {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			} else {
				dst = append(dst, '\\', esc)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not JavaScript, which JSONP evaluates.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
