package caddymodule

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"slices"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fixtures: built by hand; the windows-1252 bytes are those of the WHATWG
// Encoding Standard's index (0x96 is U+2013, 0x80 U+20AC).

func TestInUTF8(t *testing.T) {
	for _, tc := range []struct {
		name, body, charset string
		want                string // "" when refused
		status              int
	}{
		{"UTF-8 under no charset is read as it is", `{"a":"José"}`, "", `{"a":"José"}`, 0},
		{"UTF-8 labelled ISO-8859-1 is read as UTF-8", `{"a":"José"}`, "iso-8859-1", `{"a":"José"}`, 0},
		{"ISO-8859-1 stated is read in it", "{\"a\":\"Jos\xe9\"}", "iso-8859-1", `{"a":"José"}`, 0},
		{"ISO-8859-1 is read as windows-1252, as WHATWG has it", "{\"a\":\"\x80 10\x96 20\"}", "latin1", `{"a":"€ 10– 20"}`, 0},
		{"us-ascii with bytes above 0x7F is read as windows-1252", "{\"a\":\"\xe9\"}", "us-ascii", `{"a":"é"}`, 0},
		{"a byte windows-1252 leaves unassigned stays its C1 control", "{\"a\":\"\x81\"}", "windows-1252", "{\"a\":\"\u0081\"}", 0},
		{"not UTF-8 under UTF-8 is left to the decoder, which names the byte", "{\"a\":\"\xe9\"}", "utf-8", "{\"a\":\"\xe9\"}", 0},
		{"not UTF-8 under another charset is 415", "{\"a\":\"\x82\xa0\"}", "shift_jis", "", http.StatusUnsupportedMediaType},
		{"UTF-16LE by its zero bytes", "{\x00}\x00", "", "{}", 0},
		{"UTF-16BE by its zero bytes", "\x00{\x00}", "", "{}", 0},
		{"UTF-16LE behind its mark", "\xff\xfe{\x00}\x00", "utf-16", "{}", 0},
		{"UTF-16BE behind its mark, whatever the label", "\xfe\xff\x00{\x00}", "utf-16le", "{}", 0},
		{"a surrogate pair is one character", "\"\x00=\xd8\x00\xde\"\x00", "", "\"😀\"", 0},
		{"a lone high surrogate is refused", "\"\x00=\xd8\"\x00", "", "", http.StatusBadRequest},
		{"a lone low surrogate is refused", "\"\x00\x00\xde\"\x00", "", "", http.StatusBadRequest},
		{"an odd length is refused", "{\x00}", "", "", http.StatusBadRequest},
		{"UTF-32 is not taken for UTF-16", "{\x00\x00\x00}\x00\x00\x00", "", "{\x00\x00\x00}\x00\x00\x00", 0},
		{"a UTF-16 mark alone is an empty body", "\xff\xfe", "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, ref := inUTF8([]byte(tc.body), tc.charset)
			if tc.status != 0 {
				require.NotNil(t, ref)
				assert.Equal(t, tc.status, ref.status)
				return
			}
			require.Nil(t, ref)
			assert.Equal(t, tc.want, string(out))
		})
	}
}

func TestCharsetOfAContentType(t *testing.T) {
	for ct, want := range map[string]string{
		"":                                     "",
		"application/json":                     "",
		"application/json;charset=UTF-8":       "",
		"text/plain; charset=ISO-8859-1":       "iso-8859-1",
		"application/json; charset=\"utf-16\"": "utf-16",
		"application/json; charset":            "",
	} {
		assert.Equal(t, want, charset(ct), "%q", ct)
	}
}

func TestNotUTF8NamesTheFirstFault(t *testing.T) {
	g := &Gateway{decode: jsonbody.Options{Strict: true}}
	body := []byte("{\"a\":\"Jos\xe9\"}")
	ref := g.brokenBody(body)
	require.NotNil(t, ref)
	assert.Equal(t, []any{byte(0xe9), 9}, ref.args, "the byte and where it is")
	ref = g.brokenBody([]byte("{\"a\":tru, \"b\":\"\xe9\"}"))
	require.NotNil(t, ref)
	assert.Equal(t, pia.MsgBadJSONIn, ref.msg, "a fault before it is the one named")
}

// FuzzInUTF8: whatever the bytes and the label, a body is either refused
// or read as the same characters: UTF-8 as it came, or written anew as
// valid UTF-8 that gives back the bytes sent when written in what they
// were read as.
func FuzzInUTF8(f *testing.F) {
	for _, seed := range []struct{ body, cs string }{
		{`{"a":"José"}`, ""}, {"{\"a\":\"Jos\xe9\"}", "iso-8859-1"}, {"{\"a\":\"\x80\x96\"}", "windows-1252"},
		{"\xff\xfe{\x00}\x00", "utf-16"}, {"\x00{\x00}", ""}, {"\"\x00=\xd8\x00\xde\"\x00", ""}, {"\x82\xa0", "shift_jis"},
	} {
		f.Add([]byte(seed.body), seed.cs)
	}
	f.Fuzz(func(t *testing.T, body []byte, cs string) {
		sent := bytes.Clone(body)
		out, rewritten, ref := inUTF8(body, cs)
		if ref != nil {
			return
		}
		if !rewritten {
			if !bytes.Equal(out, sent) {
				t.Fatalf("read as it came, yet changed: %q to %q", sent, out)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("written anew as invalid UTF-8: %q from %q", out, sent)
		}
		if order := utf16Order(sent); order != nil {
			units := utf16.Encode([]rune(string(out)))
			back := make([]byte, 2*len(units))
			for i, u := range units {
				order.PutUint16(back[2*i:], u)
			}
			if !bytes.Equal(back, sent) && !bytes.Equal(append(bomOf(order), back...), sent) {
				t.Fatalf("UTF-16 %q read as %q, which gives back %q", sent, out, back)
			}
			return
		}
		back, ok := in1252(string(out))
		if !ok || back != string(sent) {
			t.Fatalf("windows-1252 %q read as %q, which gives back %q", sent, out, back)
		}
	})
}

func bomOf(order binary.ByteOrder) []byte {
	b := make([]byte, 2)
	order.PutUint16(b, 0xFEFF)
	return b
}

// in1252 is s written in windows-1252, when each of its characters is one.
func in1252(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch i := slices.Index(cp1252[:], r); {
		case r < 0x80 || r >= 0xA0 && r <= 0xFF:
			b = append(b, byte(r))
		case i >= 0:
			b = append(b, byte(0x80+i))
		default:
			return "", false
		}
	}
	return string(b), true
}
