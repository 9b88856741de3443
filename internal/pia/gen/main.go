// Command gen turns the PIA data in internal/pia/source, corrected by
// internal/pia/deviations.json, into what the gateway embeds: the method
// table (internal/pia/methods_gen.go) and one JSON Schema (2020-12) per
// method, version and direction (internal/pia/schemas/<version>/).
//
// Run it with go generate ./... from the repository root. It fails on any
// fact it cannot place (a duplicate or orphan field, a method of unknown
// side, a deviation that matches nothing), so a new snapshot of the data is
// reviewed rather than silently absorbed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", ".", "the internal/pia directory")
	flag.Parse()
	if err := run(*dir); err != nil {
		log.Fatal(err)
	}
}

// field is one entry of a specification's flattened field list.
type field struct {
	Path        string `json:"path"`
	Optional    bool   `json:"optional"`
	Raw         string `json:"raw"`
	Type        string `json:"type"`
	Items       string `json:"items,omitempty"`
	MaxLength   *int   `json:"max_length,omitempty"`
	MaxDigits   *int   `json:"max_digits,omitempty"`
	Decimals    *int   `json:"decimals,omitempty"`
	Format      string `json:"format,omitempty"`
	Lampiran    []int  `json:"lampiran,omitempty"`
	Description string `json:"description,omitempty"`
	// RequireAny, on an object, demands at least one of several sets of
	// members: a deviation for requests the documentation shows in
	// alternative forms (inqueryNIB by nib or by npwp).
	RequireAny [][]string `json:"require_any,omitempty"`
}

type header struct {
	Path string `json:"path"`
}

type method struct {
	Method      string             `json:"method"`
	HTTP        string             `json:"http"`
	Path        string             `json:"path"`
	Description string             `json:"description"`
	Headers     []header           `json:"headers"`
	Request     []field            `json:"request"`
	Success     []field            `json:"success"`
	Errors      map[string][]field `json:"errors"`
}

type spec struct {
	Version string   `json:"pia_version"`
	Methods []method `json:"methods"`
}

type lampiranTable struct {
	Number int        `json:"lampiran"`
	Title  string     `json:"title"`
	Rows   [][]string `json:"rows"`
}

type deviations struct {
	Methods []struct {
		Name         string `json:"name"`
		AliasOf      string `json:"alias_of"`
		NotAMethod   bool   `json:"not_a_method"`
		Side         string `json:"side"`
		RequestRoot  string `json:"request_root"`
		ResponseRoot string `json:"response_root"`
		Reason       string `json:"reason"`
	} `json:"methods"`
	Fields   []fieldDeviation `json:"fields"`
	Policies []struct {
		ID string `json:"id"`
		// CodeFields (policy codes-as-digit-strings) name, as path.Match
		// patterns on a field's last segment, the fields documented as
		// numbers that also take a string of digits.
		CodeFields []string `json:"code_fields"`
	} `json:"policies"`
}

type fieldDeviation struct {
	Versions  json.RawMessage `json:"versions"`
	Method    string          `json:"method"`
	Section   string          `json:"section"`
	Path      string          `json:"path"`
	Set       map[string]any  `json:"set"`
	Add       *field          `json:"add"`
	Drop      bool            `json:"drop"`
	Duplicate string          `json:"duplicate"`
	Reason    string          `json:"reason"`
	used      int
}

func (d *fieldDeviation) appliesTo(version string) (bool, error) {
	var all string
	if json.Unmarshal(d.Versions, &all) == nil {
		if all != "all" {
			return false, fmt.Errorf("deviation %s %s: versions must be \"all\" or a list", d.Method, d.Path)
		}
		return true, nil
	}
	var list []string
	if err := json.Unmarshal(d.Versions, &list); err != nil {
		return false, fmt.Errorf("deviation %s %s: %v", d.Method, d.Path, err)
	}
	for _, v := range list {
		if v == version {
			return true, nil
		}
	}
	return false, nil
}

func (d *fieldDeviation) explicit() bool {
	var all string
	return json.Unmarshal(d.Versions, &all) != nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func run(dir string) error {
	var dev deviations
	if err := readJSON(filepath.Join(dir, "deviations.json"), &dev); err != nil {
		return err
	}
	for _, d := range dev.Fields {
		if d.Reason == "" {
			return fmt.Errorf("deviation %s %s has no reason", d.Method, d.Path)
		}
	}
	for _, m := range dev.Methods {
		if m.Reason == "" {
			return fmt.Errorf("method deviation %s has no reason", m.Name)
		}
	}
	codeFields = map[string]int{}
	for _, p := range dev.Policies {
		for _, pat := range p.CodeFields {
			if _, err := path.Match(pat, ""); err != nil {
				return fmt.Errorf("policy %s: code_fields %q: %v", p.ID, pat, err)
			}
			codeFields[pat] = 0
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "source", "spec", "pia-*.json"))
	if err != nil {
		return err
	}
	var specs []*spec
	for _, f := range files {
		s := new(spec)
		if err := readJSON(f, s); err != nil {
			return err
		}
		specs = append(specs, s)
	}
	sort.Slice(specs, func(i, j int) bool { return versionLess(specs[i].Version, specs[j].Version) })
	if len(specs) == 0 {
		return fmt.Errorf("no specifications under %s", filepath.Join(dir, "source", "spec"))
	}

	schemaDir := filepath.Join(dir, "schemas")
	if err := os.RemoveAll(schemaDir); err != nil {
		return err
	}
	for _, s := range specs {
		var tables struct {
			Lampiran []lampiranTable `json:"lampiran"`
		}
		if err := readJSON(filepath.Join(dir, "source", "lampiran", "lampiran-"+s.Version+".json"), &tables); err != nil {
			return err
		}
		codes := lampiranCodes(tables.Lampiran)
		for i := range s.Methods {
			m := &s.Methods[i]
			for _, section := range []string{"request", "success"} {
				fields := m.Request
				if section == "success" {
					fields = m.Success
				}
				fields, err := applyDeviations(dev.Fields, s.Version, m.Method, section, fields)
				if err != nil {
					return err
				}
				if section == "request" {
					m.Request = fields
				} else {
					m.Success = fields
				}
				if len(fields) == 0 {
					continue
				}
				kind := map[string]string{"request": "request", "success": "response"}[section]
				doc, err := buildSchema(s.Version, m.Method, kind, fields, codes)
				if err != nil {
					return err
				}
				out, err := json.MarshalIndent(doc, "", "  ")
				if err != nil {
					return err
				}
				path := filepath.Join(schemaDir, s.Version, m.Method+"."+kind+".json")
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
					return err
				}
			}
		}
	}
	for i := range dev.Fields {
		if dev.Fields[i].used == 0 {
			return fmt.Errorf("deviation %s %s %s matches nothing: remove or correct it", dev.Fields[i].Method, dev.Fields[i].Section, dev.Fields[i].Path)
		}
	}

	for pat, n := range codeFields {
		if n == 0 {
			return fmt.Errorf("policy codes-as-digit-strings: code_fields %q matches no number field: remove or correct it", pat)
		}
	}

	overview, err := readOverview(filepath.Join(dir, "source", "pia-overview-4.3.20.md"))
	if err != nil {
		return err
	}
	src, err := methodTable(specs, overview, dev)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "methods_gen.go"), src, 0o644)
}

// applyDeviations patches one method's field list and rejects duplicates and
// orphans that no deviation accounts for.
func applyDeviations(devs []fieldDeviation, version, method, section string, fields []field) ([]field, error) {
	out := make([]field, 0, len(fields))
	out = append(out, fields...)
	for i := range devs {
		d := &devs[i]
		if d.Method != method || d.Section != section {
			continue
		}
		ok, err := d.appliesTo(version)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		found := -1
		count := 0
		for j := range out {
			if out[j].Path == d.Path {
				if found < 0 || d.Duplicate == "last" {
					found = j
				}
				count++
			}
		}
		switch {
		case d.Add != nil:
			if found >= 0 {
				return nil, fmt.Errorf("%s %s %s: deviation adds %s, which is already documented", version, method, section, d.Path)
			}
			f := *d.Add
			f.Path = d.Path
			out = append(out, f)
		case found < 0:
			if d.explicit() {
				return nil, fmt.Errorf("%s %s %s: deviation names %s, which is not documented", version, method, section, d.Path)
			}
			continue
		case d.Drop:
			out = removePath(out, d.Path)
		case d.Duplicate == "last":
			if count < 2 {
				return nil, fmt.Errorf("%s %s %s: %s is no longer listed twice", version, method, section, d.Path)
			}
			keep := out[found]
			out = removePath(out, d.Path)
			out = insertAfterParent(out, keep)
		case d.Set != nil:
			b, _ := json.Marshal(out[found])
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for k, v := range d.Set {
				m[k] = v
			}
			b, _ = json.Marshal(m)
			var f field
			if err := json.Unmarshal(b, &f); err != nil {
				return nil, fmt.Errorf("deviation %s %s: %v", method, d.Path, err)
			}
			out[found] = f
		default:
			return nil, fmt.Errorf("deviation %s %s: say set, add, drop or duplicate", method, d.Path)
		}
		d.used++
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.Path] {
			return nil, fmt.Errorf("%s %s %s: %s is listed twice; record which entry stands in deviations.json", version, method, section, f.Path)
		}
		seen[f.Path] = true
	}
	for _, f := range out {
		if i := strings.LastIndexByte(f.Path, '.'); i > 0 && !seen[f.Path[:i]] {
			return nil, fmt.Errorf("%s %s %s: %s has no parent %s; record the correction in deviations.json", version, method, section, f.Path, f.Path[:i])
		}
	}
	return out, nil
}

func removePath(fields []field, path string) []field {
	out := fields[:0]
	for _, f := range fields {
		if f.Path != path {
			out = append(out, f)
		}
	}
	return out
}

func insertAfterParent(fields []field, f field) []field {
	parent := ""
	if i := strings.LastIndexByte(f.Path, '.'); i > 0 {
		parent = f.Path[:i]
	}
	for i := range fields {
		if fields[i].Path == parent {
			return append(fields[:i+1], append([]field{f}, fields[i+1:]...)...)
		}
	}
	return append(fields, f)
}

// lampiranCodes maps a table number to its codes; open tables map to nil.
func lampiranCodes(tables []lampiranTable) map[int][]string {
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
	f        field
	children []*tree
}

func buildSchema(version, method, kind string, fields []field, codes map[int][]string) (node, error) {
	root := &tree{f: field{Type: "object"}}
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
	body, err := schemaOf(root, codes, version, method, true)
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

func schemaOf(t *tree, codes map[int][]string, version, method string, top bool) (node, error) {
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
				s, err := schemaOf(c, codes, version, method, false)
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
			item := &tree{f: field{Path: f.Path, Type: "object"}, children: t.children}
			s, err := schemaOf(item, codes, version, method, false)
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
		if isCodeField(f.Path) && f.MaxDigits != nil {
			// policy codes-as-digit-strings: a code documented as a number
			// also takes its digits as a string, leading zeros kept.
			n = append(n, kv{"type", []string{base, "string", "null"}}, kv{"maxLength", *f.MaxDigits}, kv{"pattern", digitStringPattern})
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

// codeFields holds the code_fields patterns of deviations.json (policy
// codes-as-digit-strings) and how many fields each matched.
var codeFields map[string]int

// digitStringPattern is the pattern of a code field's string form; the
// catalog (pia.DigitStringPattern) recognises code fields by it.
const digitStringPattern = "^[0-9]*$"

func isCodeField(p string) bool {
	name := p[strings.LastIndexByte(p, '.')+1:]
	found := false
	for pat := range codeFields {
		if ok, _ := path.Match(pat, name); ok {
			codeFields[pat]++
			found = true
		}
	}
	return found
}

// enumOf lists the allowed codes of a field, "" and null included (policies
// empty-string-is-no-value and null-is-no-value), or nil for an open field.
func enumOf(f field, codes map[int][]string, numeric bool) []any {
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

func versionLess(a, b string) bool {
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

type overviewRow struct {
	Name, Side, Description string
}

// readOverview parses the method table of the PIA overview.
func readOverview(path string) ([]overviewRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []overviewRow
	re := regexp.MustCompile(`^\|\s*\d+\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*Server \((OSS|K/L/D|K/L)\)`)
	for _, line := range strings.Split(string(b), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		side := "oss"
		if m[3] != "OSS" {
			side = "kld"
		}
		rows = append(rows, overviewRow{Name: m[2], Side: side, Description: m[1]})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no method table found", path)
	}
	return rows, nil
}
