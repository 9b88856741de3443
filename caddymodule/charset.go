package caddymodule

import (
	"encoding/binary"
	"errors"
	"mime"
	"net/http"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// A body's characters (policy body-charset). JSON is UTF-8 (RFC 8259), and
// nearly every client sends it so; the rest send one of two things, each
// told apart from the bytes or the Content-Type without a guess:
//   - UTF-16, from a .NET client given Encoding.Unicode: a JSON text's first
//     character is ASCII, so its first two bytes hold a zero (RFC 4627,
//     section 3), or it begins with a UTF-16 byte order mark;
//   - windows-1252, from a Java client's default ISO-8859-1 (Apache
//     HttpClient's StringEntity, Spring's StringHttpMessageConverter) or a
//     Windows application's ANSI code page, labelled with a charset of the
//     WHATWG Encoding Standard's windows-1252 family (iso-8859-1, latin1,
//     us-ascii, windows-1252, ...; the standard reads every one of them as
//     windows-1252, which only adds characters where ISO-8859-1 has C1
//     controls no text holds).
//
// Bytes that are valid UTF-8 are UTF-8 whatever the label says: RFC 8259
// defines no charset for JSON, and a label on UTF-8 bytes is a common
// mislabel, where text in windows-1252 is almost never valid UTF-8.

// latin1Labels are the WHATWG Encoding Standard's labels of windows-1252.
var latin1Labels = map[string]bool{
	"ansi_x3.4-1968": true, "ascii": true, "cp1252": true, "cp819": true, "csisolatin1": true,
	"ibm819": true, "iso-8859-1": true, "iso-ir-100": true, "iso8859-1": true, "iso88591": true,
	"iso_8859-1": true, "iso_8859-1:1987": true, "l1": true, "latin1": true, "us-ascii": true,
	"windows-1252": true, "x-cp1252": true,
}

// cp1252 holds windows-1252's characters for the bytes 0x80 to 0x9F, as the
// WHATWG Encoding Standard's index gives them (its five unassigned bytes
// stay the C1 controls of ISO-8859-1); every other byte is the code point
// of its value.
var cp1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// charset is the charset parameter of a Content-Type, lower case; "" for
// none, and for the usual JSON types, without parsing them.
func charset(ct string) string {
	if ct == "" || usualJSON(ct) {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// utf8Label reports whether a charset label names UTF-8 (or nothing).
func utf8Label(cs string) bool {
	switch cs {
	case "", "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8":
		return true
	}
	return false
}

// inUTF8 is body as UTF-8, read as its bytes and the charset cs its
// Content-Type states say (policy body-charset), and whether it was
// written anew (then it is no longer what the label says). A body that is
// UTF-8 already comes back as it is, at the cost of a look at its first
// bytes when no other charset is stated.
func inUTF8(body []byte, cs string) ([]byte, bool, *refusal) {
	if order := utf16Order(body); order != nil {
		out, ref := fromUTF16(body, order)
		return out, true, ref
	}
	if utf8Label(cs) || utf8.Valid(body) {
		return body, false, nil
	}
	if !latin1Labels[cs] {
		return nil, false, &refusal{status: http.StatusUnsupportedMediaType, outcome: outcomeMediaType,
			msg: pia.MsgUnsupportedCharset, args: []any{clipPath(cs)}}
	}
	out := make([]byte, 0, len(body)+len(body)/4)
	for _, c := range body {
		switch {
		case c < utf8.RuneSelf:
			out = append(out, c)
		case c < 0xA0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out, true, nil
}

// utf16Order is the byte order of a body in UTF-16, nil for one that is
// not: told by its byte order mark, or by where the zero byte of its
// first, ASCII character falls. Four bytes beginning with two zeros or
// ending with them are UTF-32, which no client was seen to send; it stays
// as it is and is refused as not UTF-8.
func utf16Order(b []byte) binary.ByteOrder {
	if len(b) < 2 {
		return nil
	}
	switch {
	case b[0] == 0xFE && b[1] == 0xFF:
		return binary.BigEndian
	case b[0] == 0xFF && b[1] == 0xFE && !(len(b) >= 4 && b[2] == 0 && b[3] == 0):
		return binary.LittleEndian
	case b[0] == 0 && b[1] != 0:
		return binary.BigEndian
	case b[0] != 0 && b[1] == 0 && !(len(b) >= 4 && b[2] == 0 && b[3] == 0):
		return binary.LittleEndian
	}
	return nil
}

// fromUTF16 decodes a UTF-16 body to UTF-8, without its byte order mark;
// an odd length or an unpaired surrogate is refused, named by where it is.
func fromUTF16(b []byte, order binary.ByteOrder) ([]byte, *refusal) {
	bad := func(at int) *refusal {
		return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgNotUTF16, args: []any{at}}
	}
	if len(b)%2 != 0 {
		return nil, bad(len(b) - 1)
	}
	out := make([]byte, 0, len(b)/2)
	i := 0
	if order.Uint16(b) == 0xFEFF {
		i = 2
	}
	for ; i < len(b); i += 2 {
		r := rune(order.Uint16(b[i:]))
		if utf16.IsSurrogate(r) {
			if r >= 0xDC00 || i+3 >= len(b) {
				return nil, bad(i)
			}
			r = utf16.DecodeRune(r, rune(order.Uint16(b[i+2:])))
			if r == utf8.RuneError {
				return nil, bad(i)
			}
			i += 2
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// notUTF8 answers a body the strict decoder refused (err) when its first
// fault is that it is not UTF-8, naming the byte and saying how to send it;
// nil when the decoder found another fault first.
func notUTF8(body []byte, err error) *refusal {
	var syntax *jsonbody.SyntaxError
	if !errors.As(err, &syntax) {
		return nil
	}
	at := invalidUTF8(body)
	if at < 0 || syntax.Offset < int64(at) {
		return nil
	}
	return &refusal{status: http.StatusBadRequest, outcome: outcomeBadJSON, msg: pia.MsgNotUTF8, args: []any{body[at], at}}
}

// invalidUTF8 is the offset of the first byte of b that is no part of a
// UTF-8 character, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
