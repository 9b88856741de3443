package jsonbody

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of arrays and objects Decode accepts, so a
// hostile body cannot exhaust the stack. It is encoding/json's own limit,
// so both accept the same documents.
const MaxDepth = 10000

// SyntaxError says where and why a body is not JSON.
type SyntaxError struct {
	// Offset is the number of bytes read before the error.
	Offset int64
	// Path is the JSON pointer of the innermost member or element whose
	// value holds the error ("" for the document itself), as Decode and
	// Check found it.
	Path string
	msg  string
}

func (e *SyntaxError) Error() string { return e.msg }

// Decode decodes a document the way encoding/json with UseNumber does:
// objects become map[string]any, arrays []any, numbers json.Number (exact,
// as written), strings string, and true, false and null bool and nil. Data
// after the value is an error; invalid UTF-8 in strings becomes U+FFFD, as
// encoding/json makes it. It is hand-written because decoding is most of
// the request path's cost: it copies the body into one string once and
// slices every escape-free string and number out of it, and sizes each
// map and slice before filling it.
func Decode(b []byte) (any, error) {
	return DecodeWith(b, Options{})
}

// Options tighten Decode for bodies from the network. The zero
// value decodes as encoding/json does.
type Options struct {
	// MaxElements bounds the values (members, elements and scalars, the
	// document itself included) the tree may hold; zero means no bound.
	// The body's size bounds its bytes, but a byte can be a value ("0,"),
	// and each value costs a tree node many times its size.
	MaxElements int
	// Strict refuses what encoding/json quietly lets through and an
	// upstream may read differently from the gateway: a member name twice
	// in one object (*DuplicateMemberError), invalid UTF-8 in a string and
	// an escaped lone surrogate (both of which encoding/json makes U+FFFD,
	// while the raw bytes go upstream).
	Strict bool
}

// DuplicateMemberError is a member name given twice in one object, under
// Strict. Path is the member's JSON pointer (/dataNIB/nib).
type DuplicateMemberError struct{ Path string }

func (e *DuplicateMemberError) Error() string {
	return "member " + e.Path + " appears more than once"
}

// TooManyElementsError is a document holding more values than
// Options.MaxElements.
type TooManyElementsError struct{ Limit int }

func (e *TooManyElementsError) Error() string {
	return "more than " + strconv.Itoa(e.Limit) + " values"
}

// DecodeWith is Decode with the options' limits.
func DecodeWith(b []byte, o Options) (any, error) {
	return decode(b, o, false)
}

// Check gives DecodeWith's verdict, the same error or nil, without
// building the tree: nothing is kept but the member names of the objects
// being read, which a repeated one needs. The gateway answers a body that
// is not JSON with it before it has authenticated the caller, whom a
// decode would give a tree for the asking.
func Check(b []byte, o Options) error {
	_, err := decode(b, o, true)
	return err
}

func decode(b []byte, o Options, discard bool) (any, error) {
	d := decoder{s: string(b), strict: o.Strict, budget: o.MaxElements, limit: o.MaxElements, limited: o.MaxElements > 0, discard: discard}
	d.skipSpace()
	if d.i >= len(d.s) {
		return nil, d.fail("unexpected end of JSON input")
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return nil, d.failChar("after top-level value")
	}
	return v, nil
}

type decoder struct {
	s     string
	i     int
	depth int
	// Members and elements being read wait here, nested levels stacked,
	// until their container's size is known.
	keys  []string
	elems []any

	strict  bool
	limited bool
	budget  int // values still allowed when limited
	limit   int
	// discard reads without building the tree (Check): every value is
	// nil and containers keep nothing but their member names.
	discard bool
}

func (d *decoder) fail(msg string) error {
	return &SyntaxError{Offset: int64(d.i), msg: msg}
}

// failChar describes the byte at the cursor as encoding/json does.
func (d *decoder) failChar(context string) error {
	if d.i >= len(d.s) {
		return d.fail("unexpected end of JSON input")
	}
	c := d.s[d.i]
	d.i++
	q := "'" + string(rune(c)) + "'"
	switch {
	case c == '\'':
		q = `'\''`
	case c == '"':
		q = `'"'`
	case c < 0x20 || c >= utf8.RuneSelf:
		q = strconv.Quote(string(c))
	}
	return d.fail("invalid character " + q + " " + context)
}

func (d *decoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads one value; the cursor is on its first byte.
func (d *decoder) value() (any, error) {
	if d.limited {
		if d.budget == 0 {
			return nil, &TooManyElementsError{Limit: d.limit}
		}
		d.budget--
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.str()
		if err != nil || d.discard {
			return nil, err
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := d.number()
		if err != nil || d.discard {
			return nil, err
		}
		return n, nil
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.failChar("looking for beginning of value")
}

func (d *decoder) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if d.i >= len(d.s) {
			return d.fail("unexpected end of JSON input")
		}
		if d.s[d.i] != word[j] {
			return d.failChar("in literal " + word + " (expecting " + strconv.QuoteRune(rune(word[j])) + ")")
		}
		d.i++
	}
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		return d.fail("exceeded max depth")
	}
	return nil
}

func (d *decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++ // {
	base, elemBase := len(d.keys), len(d.elems)
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.depth--
		if d.discard {
			return nil, nil
		}
		return map[string]any{}, nil
	}
	for {
		if d.i >= len(d.s) {
			return nil, d.fail("unexpected end of JSON input")
		}
		if d.s[d.i] != '"' {
			return nil, d.failChar("looking for beginning of object key string")
		}
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.i >= len(d.s) {
			return nil, d.fail("unexpected end of JSON input")
		}
		if d.s[d.i] != ':' {
			return nil, d.failChar("after object key")
		}
		d.i++
		d.skipSpace()
		if d.i >= len(d.s) {
			return nil, d.fail("unexpected end of JSON input")
		}
		val, err := d.value()
		if err != nil {
			return nil, inMember(err, key)
		}
		d.keys = append(d.keys, key)
		if !d.discard {
			d.elems = append(d.elems, val)
		}
		more, err := d.separator('}', "after object key:value pair")
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	// Nested containers have popped what they pushed, so what lies above
	// the bases is this object's members.
	keys, vals := d.keys[base:], d.elems[elemBase:]
	if d.discard {
		if d.strict {
			if k, ok := firstRepeated(keys); ok {
				return nil, &DuplicateMemberError{Path: "/" + pointerToken(k)}
			}
		}
		d.keys = d.keys[:base]
		d.depth--
		return nil, nil
	}
	m := make(map[string]any, len(keys))
	for j, k := range keys {
		m[k] = vals[j] // a repeated key keeps its last value, as encoding/json does
	}
	if d.strict && len(m) < len(keys) {
		k, _ := firstRepeated(keys)
		return nil, &DuplicateMemberError{Path: "/" + pointerToken(k)}
	}
	clear(vals)
	d.elems = d.elems[:elemBase]
	d.keys = d.keys[:base]
	d.depth--
	return m, nil
}

func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++ // [
	base := len(d.elems)
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.depth--
		if d.discard {
			return nil, nil
		}
		return []any{}, nil
	}
	n := 0 // elements read, when discarded
	for {
		if d.i >= len(d.s) {
			return nil, d.fail("unexpected end of JSON input")
		}
		idx := len(d.elems) - base + n
		val, err := d.value()
		if err != nil {
			return nil, inMember(err, strconv.Itoa(idx))
		}
		if d.discard {
			n++
		} else {
			d.elems = append(d.elems, val)
		}
		more, err := d.separator(']', "after array element")
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	if d.discard {
		d.depth--
		return nil, nil
	}
	out := make([]any, len(d.elems)-base)
	copy(out, d.elems[base:])
	clear(d.elems[base:])
	d.elems = d.elems[:base]
	d.depth--
	return out, nil
}

// separator reads what follows a member or an element: a comma, with
// more to come, or the container's closing byte.
func (d *decoder) separator(closing byte, context string) (more bool, err error) {
	d.skipSpace()
	if d.i >= len(d.s) {
		return false, d.fail("unexpected end of JSON input")
	}
	switch d.s[d.i] {
	case ',':
		d.i++
		d.skipSpace()
		return true, nil
	case closing:
		d.i++
		return false, nil
	}
	return false, d.failChar(context)
}

// inMember prefixes the pointer of a duplicate or a syntax error found
// inside a member or element with that member's name or index, as the
// error unwinds: the happy path keeps no path at all.
func inMember(err error, token string) error {
	switch e := err.(type) {
	case *DuplicateMemberError:
		e.Path = "/" + pointerToken(token) + e.Path
	case *SyntaxError:
		e.Path = "/" + pointerToken(token) + e.Path
	}
	return err
}

// firstRepeated is the first name of keys seen twice.
func firstRepeated(keys []string) (string, bool) {
	if len(keys) < 2 {
		return "", false
	}
	seen := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		if _, ok := seen[k]; ok {
			return k, true
		}
		seen[k] = struct{}{}
	}
	return "", false
}

// pointerToken escapes a member name for a JSON pointer (RFC 6901).
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

// number reads a number by the one grammar (scanNumber) and returns the
// literal as written; a broken one is described as encoding/json does.
func (d *decoder) number() (json.Number, error) {
	start := d.i
	m, ok := scanNumber(d.s, d.i)
	d.i = m.end
	if ok {
		return json.Number(d.s[start:d.i]), nil
	}
	switch {
	case d.i >= len(d.s):
		return "", d.fail("unexpected end of JSON input")
	case d.i <= m.intAt:
		return "", d.failChar("in numeric literal")
	case d.s[d.i-1] == '.':
		return "", d.failChar("after decimal point in numeric literal")
	}
	return "", d.failChar("in exponent of numeric literal")
}

// str reads a string; the cursor is on its opening quote. A string without
// escapes or invalid UTF-8 is a slice of the input, with no copy.
func (d *decoder) str() (string, error) {
	d.i++
	start := d.i
	s := d.s
	for d.i < len(s) {
		c := s[d.i]
		switch {
		case c == '"':
			d.i++
			return s[start : d.i-1], nil
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			return "", d.failChar("in string literal")
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRuneInString(s[d.i:])
			if r == utf8.RuneError && size == 1 {
				if d.strict {
					return "", d.fail("invalid UTF-8 in string")
				}
				return d.strSlow(start)
			}
			d.i += size
		}
	}
	return "", d.fail("unexpected end of JSON input")
}

// shortEscapes maps the letter of each one-letter escape to the byte it
// stands for; 0 for every other byte.
var shortEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// strSlow builds a string holding escapes or invalid UTF-8, from start
// (just after the opening quote); the cursor is on the first such byte.
func (d *decoder) strSlow(start int) (string, error) {
	s := d.s
	b := make([]byte, 0, d.i-start+16)
	b = append(b, s[start:d.i]...)
	for d.i < len(s) {
		c := s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", d.failChar("in string literal")
		case c == '\\':
			d.i++
			if d.i >= len(s) {
				return "", d.fail("unexpected end of JSON input")
			}
			switch e := s[d.i]; {
			case shortEscapes[e] != 0:
				b = append(b, shortEscapes[e])
				d.i++
			case e == 'u':
				d.i++
				r, ok := d.hex4()
				if !ok {
					return "", d.failChar("in \\u hexadecimal character escape")
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate followed by an escaped low one is
					// one character; anything else is U+FFFD, as in
					// encoding/json.
					if d.i+1 < len(s) && s[d.i] == '\\' && s[d.i+1] == 'u' {
						save := d.i
						d.i += 2
						r2, ok := d.hex4()
						if ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								b = utf8.AppendRune(b, dec)
								continue
							}
						}
						d.i = save
					}
					if d.strict {
						return "", d.fail("lone surrogate \\u escape in string")
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", d.failChar("in string escape code")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.i++
		default:
			r, size := utf8.DecodeRuneInString(s[d.i:])
			d.i += size
			if r == utf8.RuneError && size == 1 {
				if d.strict {
					return "", d.fail("invalid UTF-8 in string")
				}
				b = append(b, "\uFFFD"...)
				continue
			}
			b = append(b, s[d.i-size:d.i]...)
		}
	}
	return "", d.fail("unexpected end of JSON input")
}

// hex4 reads the four hex digits of a \u escape.
func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		d.i = len(d.s)
		return 0, false
	}
	var r rune
	for j := 0; j < 4; j++ {
		c := d.s[d.i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
		d.i++
	}
	return r, true
}

// Valid reports whether b is one JSON value with only whitespace
// around it, giving encoding/json.Valid's verdict on every input: like it,
// it accepts invalid UTF-8 and lone surrogate escapes in strings, and
// nesting up to MaxDepth. The gateway calls it on every body it forwards
// without decoding, so it neither allocates nor recurses, and reads
// strings eight bytes at a time where encoding/json steps a state machine
// through each byte. Its helpers mirror decoder's rather than share them:
// those read the string copy Decode makes and build errors, and
// Valid can afford neither.
func Valid(b []byte) bool {
	end, ok := scanValue(b, SkipSpace(b, 0))
	return ok && end == len(b)
}

// scanValue checks the value beginning at b[i] and returns the index after
// it and the whitespace that follows.
func scanValue(b []byte, i int) (int, bool) {
	// One bit per open container, set for an object, is all the state a
	// closing bracket needs; at MaxDepth bits it fits on the stack, so
	// depth costs no heap and no recursion.
	var objects [(MaxDepth + 63) / 64]uint64
	depth := 0
	for {
		// Here a value must begin at b[i].
		if i >= len(b) {
			return i, false
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth == MaxDepth {
				return i, false
			}
			i = SkipSpace(b, i+1)
			if c == '{' {
				objects[depth/64] |= 1 << (depth % 64)
			} else {
				objects[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			if i < len(b) && b[i] == c+2 { // '}' and ']' are '{' and '[' plus two
				i++
				depth--
				break
			}
			if c == '[' {
				continue
			}
			var ok bool
			if i, ok = validKey(b, i); !ok {
				return i, false
			}
			continue
		case '"':
			var ok bool
			if i, ok = ScanStringBody(b, i+1); !ok {
				return i, false
			}
		case 't':
			if len(b)-i < 4 || string(b[i:i+4]) != "true" {
				return i, false
			}
			i += 4
		case 'f':
			if len(b)-i < 5 || string(b[i:i+5]) != "false" {
				return i, false
			}
			i += 5
		case 'n':
			if len(b)-i < 4 || string(b[i:i+4]) != "null" {
				return i, false
			}
			i += 4
		default:
			var ok bool
			if i, ok = ScanNumber(b, i); !ok {
				return i, false
			}
		}
		// A value has ended: close containers until one goes on.
		for {
			i = SkipSpace(b, i)
			if depth == 0 {
				return i, true
			}
			if i >= len(b) {
				return i, false
			}
			object := objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			c := b[i]
			if c == ',' {
				i = SkipSpace(b, i+1)
				if object {
					var ok bool
					if i, ok = validKey(b, i); !ok {
						return i, false
					}
				}
				break
			}
			if object && c != '}' || !object && c != ']' {
				return i, false
			}
			i++
			depth--
		}
	}
}

// SkipSpace returns the index of the first non-whitespace byte at or after
// i. Bodies are mostly compact, so the first test usually settles it.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// validKey checks an object key and its colon, b[i] being the key's first
// byte, and returns the index just after the colon and any whitespace.
func validKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i, ok := ScanStringBody(b, i+1)
	if !ok {
		return i, false
	}
	i = SkipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return SkipSpace(b, i+1), true
}

// Byte-wise masks for validString's word-at-a-time scan.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// ScanStringBody checks a string's body from i (just after the opening
// quote) and returns the index after its closing quote. Only a quote, a
// backslash or a control byte stops the scan (encoding/json checks neither
// UTF-8 nor surrogate pairs), so eight bytes at a time are tested for those
// at once: PIA strings are mostly plain text and a few dozen bytes long.
// Like encoding/json it leaves UTF-8 and surrogates to the caller.
func ScanStringBody(b []byte, i int) (int, bool) {
	for {
		for len(b)-i >= 8 {
			w := binary.LittleEndian.Uint64(b[i:])
			q := w ^ ('"' * lsb)
			s := w ^ ('\\' * lsb)
			// The classic "has a zero byte" test, three times: a byte's
			// high bit ends up set where it is below 0x20, a quote or a
			// backslash. Borrows can mark bytes after the first hit but
			// never before it, and only the first is used.
			hit := ((w - 0x20*lsb) &^ w) | ((q - lsb) &^ q) | ((s - lsb) &^ s)
			if hit &= msb; hit != 0 {
				i += bits.TrailingZeros64(hit) / 8
				goto special
			}
			i += 8
		}
		for ; i < len(b); i++ {
			if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
				goto special
			}
		}
		return i, false
	special:
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			i++
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if len(b)-i < 5 || !isHex[b[i+1]] || !isHex[b[i+2]] || !isHex[b[i+3]] || !isHex[b[i+4]] {
					return i, false
				}
				i += 5
			default:
				return i, false
			}
		default:
			return i, false // a control byte
		}
	}
}

var isHex = [256]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true,
}

// ScanNumber checks the number at b[i] by the one grammar (ParseNumber's)
// and returns the index after it, or where it breaks.
func ScanNumber(b []byte, i int) (int, bool) {
	m, ok := scanNumber(b, i)
	return m.end, ok
}

// ScanString finds the string or number at path in the document b without
// decoding it: it allocates the member names of the objects on the path
// and the value, never a tree, whatever b holds. A path segment
// "*" stands for the only member of an object (an object with several
// members has no such member). It reports found false when the path is
// absent or leads to another kind of value, and an error when the part of
// b it reads is not JSON or when a member on the path is named twice
// (*DuplicateMemberError): a reader keeping the first and one keeping the
// last would disagree on the value. The rest of b is not checked.
//
// The gateway finds the NIB an OSS Token covers with it before it decodes
// a body, so a body without the right Token costs no tree.
func ScanString(b []byte, path ...string) (string, bool, error) {
	i := SkipSpace(b, 0)
	ptr := ""
	for _, seg := range path {
		if i >= len(b) || b[i] != '{' {
			return "", false, nil
		}
		i = SkipSpace(b, i+1)
		at, n := -1, 0
		for i < len(b) && b[i] != '}' {
			keyStart := i
			var ok bool
			if i, ok = validKey(b, i); !ok {
				return "", false, &SyntaxError{Offset: int64(i), msg: "invalid object member"}
			}
			key, err := memberName(b[keyStart:i])
			if err != nil {
				return "", false, err
			}
			n++
			if key == seg || seg == "*" {
				if at >= 0 && seg != "*" {
					return "", false, &DuplicateMemberError{Path: ptr + "/" + pointerToken(key)}
				}
				if seg == "*" {
					ptr += "/" + pointerToken(key)
				} else {
					ptr += "/" + pointerToken(seg)
				}
				at = i
			}
			if i, ok = scanValue(b, i); !ok {
				return "", false, &SyntaxError{Offset: int64(i), msg: "invalid value"}
			}
			if i < len(b) && b[i] == ',' {
				i = SkipSpace(b, i+1)
			}
		}
		if at < 0 || seg == "*" && n != 1 {
			return "", false, nil
		}
		i = at
	}
	if i >= len(b) {
		return "", false, nil
	}
	switch c := b[i]; {
	case c == '"':
		end, ok := ScanStringBody(b, i+1)
		if !ok {
			return "", false, &SyntaxError{Offset: int64(end), msg: "invalid string"}
		}
		d := decoder{s: string(b[i:end]), strict: true}
		v, err := d.str()
		if err != nil {
			return "", false, err
		}
		return v, true, nil
	case c == '-' || c >= '0' && c <= '9':
		end, ok := ScanNumber(b, i)
		if !ok {
			return "", false, &SyntaxError{Offset: int64(end), msg: "invalid number"}
		}
		return string(b[i:end]), true, nil
	}
	return "", false, nil
}

// memberName decodes an object key as validKey delimited it (quotes,
// colon and whitespace included).
func memberName(k []byte) (string, error) {
	end := len(k) - 1
	for end > 0 && k[end] != '"' {
		end--
	}
	d := decoder{s: string(k[:end+1]), strict: true}
	v, err := d.str()
	if err != nil {
		return "", err
	}
	return v, nil
}
