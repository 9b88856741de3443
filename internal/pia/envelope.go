package pia

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// FieldError is one violation found in a payload: the field as a JSON
// pointer, the rule it breaks, what the rule expects and what was sent.
type FieldError struct {
	Field    string `json:"field"`
	Rule     string `json:"rule"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Message is the readable sentence, in the language of the answer,
	// without the field name (the envelope prefixes it).
	Message string `json:"-"`
}

// DottedField turns the JSON pointer of e into the dotted form the PIA
// documentation uses (IZINFINAL.nib, dataNIB.data_proyek[0].kbli).
func (e FieldError) DottedField() string { return PointerToDotted(e.Field) }

// PointerToDotted renders /a/b/0/c as a.b[0].c.
func PointerToDotted(ptr string) string {
	if ptr == "" || ptr == "/" {
		return "(body)"
	}
	var b strings.Builder
	for _, seg := range PointerSegments(ptr) {
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

// Pointer builds a JSON pointer from path segments, escaping ~ and /.
func Pointer(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(pointerToken(s))
	}
	return b.String()
}

// Field is one extra member of an envelope, written after kode and
// keterangan in the order given (key and masa_berlaku of sendSecurityKey).
type Field struct {
	Key   string
	Value any
}

// Envelope is the PIA's own answer shape,
// {"respon<method>": {"kode": 400, "keterangan": "..."}}, which the gateway
// uses for every answer it makes itself. Kode is also the HTTP status.
type Envelope struct {
	Shape      EnvelopeShape
	Kode       int
	Keterangan string
	Fields     []Field
	Errors     []FieldError
}

// MarshalJSON writes the envelope with its members in the documented order.
func (e Envelope) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 128+len(e.Keterangan))
	shape := e.Shape
	if shape.Kode == "" {
		shape = DefaultEnvelope("")
		shape.Root = e.Shape.Root
	}
	b = append(b, '{')
	if shape.Root != "" {
		b = appendString(b, shape.Root)
		b = append(b, ":{"...)
	}
	b = appendString(b, shape.Kode)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(e.Kode), 10)
	b = append(b, ',')
	b = appendString(b, shape.Keterangan)
	b = append(b, ':')
	b = appendString(b, e.Keterangan)
	for _, f := range e.Fields {
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b = append(b, ',')
		b = appendString(b, f.Key)
		b = append(b, ':')
		b = append(b, v...)
	}
	if len(e.Errors) > 0 {
		v, err := json.Marshal(e.Errors)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"errors":`...)
		b = append(b, v...)
	}
	if shape.Root != "" {
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// Write sends the envelope with HTTP status = kode.
func (e Envelope) Write(w http.ResponseWriter) error {
	body, err := e.MarshalJSON()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Kode)
	_, err = w.Write(body)
	return err
}

func appendString(b []byte, s string) []byte {
	v, _ := json.Marshal(s) // a string always marshals
	return append(b, v...)
}
