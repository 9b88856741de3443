package pia

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Member is one extra member of an envelope, written after kode and
// keterangan in the order given (key and masa_berlaku of sendSecurityKey).
type Member struct {
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
	Members    []Member
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
	for _, f := range e.Members {
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
