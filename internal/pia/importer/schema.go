package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// lampiranCodes maps a table number to its codes; open tables map to nil.
func lampiranCodes(tables []Lampiran) map[int][]string {
	plain := regexp.MustCompile(`^[A-Za-z0-9]{1,5}$`)
	out := map[int][]string{}
	for _, t := range tables {
		var codes []string
		open := len(t.Rows) == 0
		for _, r := range t.Rows {
			if len(r) == 0 || !plain.MatchString(r[0]) {
				open = true // policy open-lampiran
				break
			}
			codes = append(codes, r[0])
		}
		if open {
			codes = nil
		}
		out[t.Number] = codes
	}
	return out
}

// node is one JSON Schema object; ordered so the files read well.
type node []kv

type kv struct {
	K string
	V any
}

func (n node) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.K)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.V)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// index finds a member of a node by key.
func index(n node, key string) (any, bool) {
	for _, e := range n {
		if e.K == key {
			return e.V, true
		}
	}
	return nil, false
}

// rawNumber keeps exact decimal literals (10^20, 0.01) out of float64.
type rawNumber string

func (r rawNumber) MarshalJSON() ([]byte, error) { return []byte(r), nil }

type tree struct {
	f        Field
	children []*tree
}

func buildSchema(version, method, kind string, fields []Field, codes map[int][]string, isCode func(path string) bool) (node, error) {
	root := &tree{f: Field{Type: "object"}}
	index := map[string]*tree{"": root}
	for _, f := range fields {
		parent := ""
		if i := strings.LastIndexByte(f.Path, '.'); i > 0 {
			parent = f.Path[:i]
		}
		p := index[parent]
		if p == nil {
			return nil, fmt.Errorf("%s %s %s: %s comes before its parent", version, method, kind, f.Path)
		}
		t := &tree{f: f}
		p.children = append(p.children, t)
		index[f.Path] = t
	}
	body, err := schemaOf(root, codes, isCode, version, method, true)
	if err != nil {
		return nil, err
	}
	head := node{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID(version, method, kind)},
		{"title", fmt.Sprintf("%s %s, PIA %s", method, kind, version)},
	}
	return append(head, body...), nil
}

// SchemaID is the $id of a generated schema.
func SchemaID(version, method, kind string) string {
	return "https://caddy-pia.local/schemas/" + version + "/" + method + "." + kind + ".json"
}

var tagRe = regexp.MustCompile(`<[^>]+>`)

// layouts are the PIA's date formats (policy datetime-format).
var layouts = map[string]string{"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM:SS"}

func schemaOf(t *tree, codes map[int][]string, isCode func(path string) bool, version, method string, top bool) (node, error) {
	f := t.f
	var n node
	nullable := f.Optional // policy null-is-no-value
	typ := f.Type
	if typ == "array" && f.Items != "" && f.Items != "object" {
		return nil, fmt.Errorf("%s %s %s: arrays of %s are not handled", version, method, f.Path, f.Items)
	}
	if typ == "array" && len(t.children) == 0 {
		typ = "array-any"
	}
	if typ == "object" && len(t.children) == 0 && !top {
		typ = "object-any"
	}
	types := func(ts ...string) any {
		if len(ts) == 1 {
			return ts[0]
		}
		return ts
	}
	switch typ {
	case "object", "object-any":
		if nullable {
			n = append(n, kv{"type", types("object", "null")})
		} else {
			n = append(n, kv{"type", "object"})
		}
		if typ == "object" {
			props := node{}
			var required []string
			for _, c := range t.children {
				name := c.f.Path[strings.LastIndexByte(c.f.Path, '.')+1:]
				s, err := schemaOf(c, codes, isCode, version, method, false)
				if err != nil {
					return nil, err
				}
				props = append(props, kv{name, s})
				if !c.f.Optional {
					required = append(required, name)
				}
			}
			n = append(n, kv{"properties", props})
			if len(required) > 0 {
				n = append(n, kv{"required", required})
			}
			if len(f.RequireAny) > 0 {
				var alts []node
				for _, names := range f.RequireAny {
					for _, name := range names {
						if _, ok := index(props, name); !ok {
							return nil, fmt.Errorf("%s %s %s: require_any names %s, which is not a member", version, method, f.Path, name)
						}
					}
					alts = append(alts, node{{"required", names}})
				}
				n = append(n, kv{"anyOf", alts})
			}
		}
	case "array", "array-any":
		if nullable {
			n = append(n, kv{"type", types("array", "null")})
		} else {
			n = append(n, kv{"type", "array"})
		}
		if typ == "array" {
			item := &tree{f: Field{Path: f.Path, Type: "object"}, children: t.children}
			s, err := schemaOf(item, codes, isCode, version, method, false)
			if err != nil {
				return nil, err
			}
			n = append(n, kv{"items", s})
		}
	case "string", "date", "text":
		n = append(n, kv{"type", types("string", "null")})
		if f.MaxLength != nil && typ != "text" {
			n = append(n, kv{"maxLength", *f.MaxLength})
		}
		fmtName := f.Format
		if typ == "date" && fmtName == "" {
			fmtName = "date"
		}
		switch fmtName {
		case "date":
			n = append(n, kv{"format", "pia-date"})
		case "datetime":
			n = append(n, kv{"format", "pia-datetime"})
		case "":
		default:
			return nil, fmt.Errorf("%s %s %s: unknown format %q", version, method, f.Path, fmtName)
		}
		if layout, ok := layouts[fmtName]; ok && f.MaxLength != nil && *f.MaxLength < len(layout) {
			// No correctly formatted value would fit: the data contradicts itself.
			return nil, fmt.Errorf("%s %s %s: string(%d) cannot hold %s; record which statement stands in deviations.json", version, method, f.Path, *f.MaxLength, layout)
		}
		if enum := enumOf(f, codes, false); enum != nil {
			n = append(n, kv{"enum", enum})
		}
	case "number":
		// policy empty-string-is-no-value: "" is the only string a number field takes.
		base := "number"
		if f.Decimals != nil && *f.Decimals == 0 {
			base = "integer"
		}
		if f.MaxDigits != nil && isCode(f.Path) {
			// policy codes-as-digit-strings: a code documented as a number
			// also takes its digits as a string, leading zeros kept.
			n = append(n, kv{"type", []string{base, "string", "null"}}, kv{"maxLength", *f.MaxDigits}, kv{"pattern", DigitStringPattern})
		} else {
			n = append(n, kv{"type", []string{base, "string", "null"}}, kv{"maxLength", 0})
		}
		if f.MaxDigits != nil { // policy number-digits
			limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(*f.MaxDigits)), nil).String()
			n = append(n, kv{"exclusiveMaximum", rawNumber(limit)}, kv{"exclusiveMinimum", rawNumber("-" + limit)})
		}
		if f.Decimals != nil && *f.Decimals > 0 {
			n = append(n, kv{"multipleOf", rawNumber("0." + strings.Repeat("0", *f.Decimals-1) + "1")})
		}
		// The same limits as the numbers they are, which the gateway reads
		// (pia.NumberAnnotation); the keywords above are for any other JSON
		// Schema tool.
		var limits node
		if f.MaxDigits != nil {
			limits = append(limits, kv{"digits", *f.MaxDigits})
		}
		if f.Decimals != nil {
			limits = append(limits, kv{"decimals", *f.Decimals})
		}
		if limits != nil {
			n = append(n, kv{pia.NumberAnnotation, limits})
		}
		if enum := enumOf(f, codes, true); enum != nil {
			n = append(n, kv{"enum", enum})
		}
	case "boolean":
		n = append(n, kv{"type", types("boolean", "null")})
	case "json":
		// Any JSON value: the documentation gives no structure.
	default:
		return nil, fmt.Errorf("%s %s %s: unknown type %q", version, method, f.Path, f.Type)
	}
	if d := strings.TrimSpace(tagRe.ReplaceAllString(f.Description, "")); d != "" && !top {
		if f.Raw != "" {
			d += " [" + f.Raw + "]"
		}
		n = append(n, kv{"description", d})
	}
	return n, nil
}

// enumOf lists the allowed codes of a field, "" and null included (policies
// empty-string-is-no-value and null-is-no-value), or nil for an open field.
func enumOf(f Field, codes map[int][]string, numeric bool) []any {
	if len(f.Lampiran) == 0 {
		return nil
	}
	var out []any
	seen := map[string]bool{}
	for _, l := range f.Lampiran {
		c, ok := codes[l]
		if !ok || c == nil {
			return nil
		}
		for _, code := range c {
			if seen[code] {
				continue
			}
			seen[code] = true
			if numeric {
				if _, err := strconv.ParseInt(code, 10, 64); err != nil {
					return nil
				}
				out = append(out, rawNumber(strings.TrimLeft(code, "0")+map[bool]string{true: "0"}[strings.TrimLeft(code, "0") == ""]))
				continue
			}
			out = append(out, code)
		}
	}
	return append(out, "", nil)
}

// VersionLess orders "4.3.9" before "4.3.20".
func VersionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}
