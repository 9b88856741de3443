package auth

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// instansiMethods are the methods whose payload names the agency it
// concerns, as <request root>.kd_instansi (the root is the method's
// pia.Method.RequestRoot). receiveLicense's IZINFINAL has no kd_instansi
// in the 4.3.x specifications; a payload that carries one anyway (later
// versions, custom fields) is checked, one without it has nothing to
// check. updateLicense and receiveLicenseKKPR carry the same licence as
// receiveLicense and are checked the same way. Member names match in any
// case (KD_INSTANSI, IzinFinal): an upstream that reads them loosely must
// not see an agency code the gateway did not (policy kd-instansi-any-case).
var instansiMethods = map[string]bool{
	"receiveLicenseStatus": true,
	"receiveLicense":       true,
	"updateLicense":        true,
	"receiveLicenseKKPR":   true,
}

// instansiPath is where the method's payload names the agency; nil when it
// has no such field.
func instansiPath(m *pia.Method) []string {
	if !instansiMethods[m.Name] || m.RequestRoot == "" {
		return nil
	}
	return []string{m.RequestRoot, "kd_instansi"}
}

// InstansiNeedsPayload reports whether CheckInstansi would look at the payload of
// this method for these claims, so the glue decodes the body only then.
func InstansiNeedsPayload(c *Claims, m *pia.Method) bool {
	return c.KdInstansi != "" && instansiPath(m) != nil
}

// CheckInstansi refuses, for a client with a kd_instansi, a payload whose
// kd_instansi is another agency's. An absent, null or empty kd_instansi is
// allowed: the client sends no claim to another agency's data. A value
// that is neither a string nor a number cannot be compared and is refused.
func CheckInstansi(c *Claims, m *pia.Method, doc any) error {
	path := instansiPath(m)
	if c.KdInstansi == "" || path == nil {
		return nil
	}
	for _, v := range lookupFold(doc, path, nil) {
		if err := checkInstansiValue(c, v); err != nil {
			return err
		}
	}
	return nil
}

// CheckInstansiJSON is CheckInstansi on the payload's bytes, for a body
// the gateway forwards without decoding it (validate.Clean passed it):
// only the kd_instansi values are read. decided is false when it cannot
// tell, a member name on the way being written with escapes: CheckInstansi
// on the decoded tree answers then.
func CheckInstansiJSON(c *Claims, m *pia.Method, body []byte) (decided bool, err error) {
	path := instansiPath(m)
	if c.KdInstansi == "" || path == nil {
		return true, nil
	}
	vals, ok := jsonbody.FoldedValues(body, path...)
	if !ok {
		return false, nil
	}
	for _, raw := range vals {
		v, err := jsonbody.Decode(raw)
		if err != nil {
			return false, nil
		}
		if err := checkInstansiValue(c, v); err != nil {
			return true, err
		}
	}
	return true, nil
}

func checkInstansiValue(c *Claims, v any) error {
	var sent string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		sent = x
	case json.Number:
		sent = x.String()
	case float64: // a doc decoded without UseNumber
		sent = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return &ForbiddenInstansiError{Sent: "(" + typeName(v) + ")", Own: c.KdInstansi}
	}
	if sent != "" && sent != c.KdInstansi {
		return &ForbiddenInstansiError{Sent: sent, Own: c.KdInstansi}
	}
	return nil
}

// lookupFold appends to out every value at path, member names matching in
// any case: {"kd_instansi": "024", "KD_INSTANSI": "999"} has two.
func lookupFold(doc any, path []string, out []any) []any {
	if len(path) == 0 {
		return append(out, doc)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return out
	}
	for k, v := range m {
		if strings.EqualFold(k, path[0]) {
			out = lookupFold(v, path[1:], out)
		}
	}
	return out
}

// lookup follows object members; it does not descend into arrays, which no
// listed path crosses.
func lookup(doc any, path []string) (any, bool) {
	cur := doc
	for _, seg := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case bool:
		return "boolean"
	}
	return "value"
}
