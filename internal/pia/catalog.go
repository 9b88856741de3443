package pia

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
)

//go:embed schemas
var builtinSchemas embed.FS

// Kind tells a request schema from a response schema.
type Kind string

// The two kinds of schema a method has.
const (
	Request  Kind = "request"
	Response Kind = "response"
)

// Schema is one JSON Schema document of the catalog with the field facts
// read from it.
type Schema struct {
	// ID is the URL the schema is compiled under.
	ID string
	// Version and Method say what the schema describes; Version is zero for
	// a schema that applies to every version (a custom method).
	Version Version
	Method  string
	Kind    Kind
	// Raw is the document as written.
	Raw []byte
	// Doc is Raw decoded (maps, slices, json.Number).
	Doc any
	// Fields indexes the fields the document declares by their dotted path.
	Fields FieldIndex
	// Source says where the document came from: "builtin" or a file path.
	Source string
}

// Catalog holds every schema the gateway knows: the built-in ones generated
// from the PIA data, then those of a schema directory, which override or add
// (new PIA versions, agency-specific methods).
type Catalog struct {
	versions []Version
	// byVersion[v][method+"."+kind]; a version without its own document
	// for a method inherits the nearest older one (see Lookup).
	byVersion map[Version]map[string]*Schema
	// anyVersion holds schemas that apply to every version.
	anyVersion map[string]*Schema
	// withdrawn maps a method to the first version without it.
	withdrawn map[string]Version
}

// NewCatalog returns the built-in schemas.
func NewCatalog() (*Catalog, error) {
	c := &Catalog{byVersion: map[Version]map[string]*Schema{}, anyVersion: map[string]*Schema{}, withdrawn: map[string]Version{}}
	if err := c.loadFS(builtinSchemas, "schemas", "builtin"); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadDir adds the schemas of a directory laid out as
// <dir>/<version>/<method>.<request|response>.json (that version) and
// <dir>/<method>.<request|response>.json (every version). A document of
// the directory replaces the built-in one of the same version, method and
// kind.
func (c *Catalog) LoadDir(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("schema directory: %w", err)
	}
	return c.loadFS(os.DirFS(dir), ".", dir)
}

func (c *Catalog) loadFS(fsys fs.FS, root, source string) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		dir, file := path.Split(rel)
		var v Version
		if dir = strings.Trim(dir, "/"); dir != "" {
			if v, err = ParseVersion(dir); err != nil {
				return fmt.Errorf("%s: directory %q is not a PIA version", path.Join(source, rel), dir)
			}
		}
		name := strings.TrimSuffix(file, ".json")
		dot := strings.LastIndexByte(name, '.')
		if dot <= 0 {
			return fmt.Errorf("%s: want <method>.request.json or <method>.response.json", path.Join(source, rel))
		}
		method, kind := name[:dot], Kind(name[dot+1:])
		if kind != Request && kind != Response {
			return fmt.Errorf("%s: want <method>.request.json or <method>.response.json", path.Join(source, rel))
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		src := "builtin"
		if source != "builtin" {
			src = path.Join(source, rel)
		}
		return c.Add(v, method, kind, raw, src)
	})
}

// Add puts one schema document into the catalog; a zero version makes it
// apply to every version.
func (c *Catalog) Add(v Version, method string, kind Kind, raw []byte, source string) error {
	doc, err := jsonbody.Decode(raw)
	if err != nil {
		return fmt.Errorf("schema %s: %w", source, err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return fmt.Errorf("schema %s: not a JSON object", source)
	}
	s := &Schema{Version: v, Method: method, Kind: kind, Raw: raw, Doc: doc, Source: source}
	s.ID = "https://caddy-pia.local/schemas/" + v.String() + "/" + method + "." + string(kind) + ".json"
	if v.IsZero() {
		s.ID = "https://caddy-pia.local/schemas/any/" + method + "." + string(kind) + ".json"
	}
	s.Fields = IndexFields(doc)
	key := method + "." + string(kind)
	if v.IsZero() {
		c.anyVersion[key] = s
		return nil
	}
	if c.byVersion[v] == nil {
		c.byVersion[v] = map[string]*Schema{}
		c.versions = append(c.versions, v)
		sort.Slice(c.versions, func(i, j int) bool { return c.versions[i].Less(c.versions[j]) })
	}
	c.byVersion[v][key] = s
	return nil
}

// Versions lists the versions the catalog has schemas for, oldest first.
func (c *Catalog) Versions() []Version { return append([]Version(nil), c.versions...) }

// Known reports whether the catalog has schemas for version v.
func (c *Catalog) Known(v Version) bool { _, ok := c.byVersion[v]; return ok }

// Lookup returns the schema of a method in version v. A version that does
// not document the method itself inherits the nearest older version's
// document, so a new PIA version need only carry the methods it changes
// (but a method withdrawn before v is not inherited: see Table). Schemas
// for every version are the fallback.
func (c *Catalog) Lookup(v Version, method string, kind Kind) (*Schema, bool) {
	if w, ok := c.withdrawn[method]; ok && !v.Less(w) {
		return nil, false
	}
	key := method + "." + string(kind)
	for i := len(c.versions) - 1; i >= 0; i-- {
		if c.versions[i].Compare(v) > 0 {
			continue
		}
		if s, ok := c.byVersion[c.versions[i]][key]; ok {
			return s, true
		}
	}
	s, ok := c.anyVersion[key]
	return s, ok
}

// Withdraw records that method no longer exists from version v on (a step
// file's withdraw): Lookup gives no schema for it in v or later.
func (c *Catalog) Withdraw(method string, v Version) {
	if w, ok := c.withdrawn[method]; !ok || v.Less(w) {
		c.withdrawn[method] = v
	}
}

// Own returns the schema version v itself documents, without inheritance.
func (c *Catalog) Own(v Version, method string, kind Kind) (*Schema, bool) {
	s, ok := c.byVersion[v][method+"."+string(kind)]
	return s, ok
}

// Compact drops every schema's document, Raw and Doc, once everything that
// compiles from them (the validator, the version rules) has: a running
// gateway looks schemas up for what was made of them, and the documents
// were a sixth of its memory. A compacted catalog cannot be compiled again.
func (c *Catalog) Compact() {
	for _, s := range c.All() {
		s.Raw, s.Doc = nil, nil
	}
}

// All lists every schema in the catalog, in a stable order.
func (c *Catalog) All() []*Schema {
	var out []*Schema
	for _, v := range c.versions {
		for _, s := range c.byVersion[v] {
			out = append(out, s)
		}
	}
	for _, s := range c.anyVersion {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Type is the primary JSON type of a field.
type Type string

// Field types as schemas declare them.
const (
	TypeAny     Type = ""
	TypeObject  Type = "object"
	TypeArray   Type = "array"
	TypeString  Type = "string"
	TypeNumber  Type = "number"
	TypeInteger Type = "integer"
	TypeBoolean Type = "boolean"
)

// FieldInfo is what a schema says of one field.
type FieldInfo struct {
	// Path is dotted, the way the PIA writes it: array members are
	// addressed through the array (dataNIB.data_proyek.kbli).
	Path     string
	Type     Type
	Nullable bool
	Required bool
	// MaxLength is set for strings (0: no limit).
	MaxLength int
	// Digits is the number of digits before the point a number may have
	// (0: no limit); Decimals the digits after it (-1: no limit).
	Digits   int
	Decimals int
	Format   string
	Enum     []any
	// DigitString marks a code documented as a number that also takes a
	// string of digits, leading zeros kept (policy codes-as-digit-strings);
	// MaxLength is then the string's limit.
	DigitString bool
	// Description is the schema's description of the field.
	Description string
}

// DigitStringPattern is the pattern with which a schema lets a number
// field take a string of digits (policy codes-as-digit-strings).
const DigitStringPattern = "^[0-9]*$"

// Digits says whether s is a non-empty string of ASCII digits, as a code
// with leading zeros is written ("01111").
func Digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// IsNumber says whether a field of type t holds a JSON number.
func (t Type) IsNumber() bool { return t == TypeNumber || t == TypeInteger }

// Retypable says whether a field typed a in one version and b in another
// changed between text and number, the change a retype rule converts
// (policy transform-retype-number-text).
func Retypable(a, b Type) bool {
	return a == TypeString && b.IsNumber() || a.IsNumber() && b == TypeString
}

// FieldIndex holds a schema's field facts by dotted path.
type FieldIndex map[string]*FieldInfo

// Has reports whether the path is declared.
func (f FieldIndex) Has(path string) bool { _, ok := f[path]; return ok }

// IndexFields reads the fields a schema declares through properties and
// items. Keywords it does not follow ($ref, anyOf, ...) leave their fields
// out of the index; validation still applies them.
func IndexFields(doc any) FieldIndex {
	out := FieldIndex{}
	root, _ := doc.(map[string]any)
	indexObject(out, "", root)
	return out
}

func indexObject(out FieldIndex, prefix string, s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	required := map[string]bool{}
	if rs, ok := s["required"].([]any); ok {
		for _, r := range rs {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	for name, raw := range props {
		ps, _ := raw.(map[string]any)
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		info := &FieldInfo{Path: p, Required: required[name], Decimals: -1}
		readField(info, ps)
		out[p] = info
		switch info.Type {
		case TypeObject:
			indexObject(out, p, ps)
		case TypeArray:
			if items, ok := ps["items"].(map[string]any); ok {
				indexObject(out, p, items)
			}
		}
	}
}

func readField(info *FieldInfo, s map[string]any) {
	switch t := s["type"].(type) {
	case string:
		info.Type = Type(t)
	case []any:
		for i, x := range t {
			name, _ := x.(string)
			if name == "null" {
				info.Nullable = true
			} else if i == 0 || info.Type == "" {
				if info.Type == "" {
					info.Type = Type(name)
				}
			}
		}
	}
	if p, _ := s["pattern"].(string); p == DigitStringPattern && info.Type.IsNumber() {
		info.DigitString = true
	}
	if info.Type == TypeString || info.Type == "" || info.DigitString {
		if n, ok := s["maxLength"].(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				info.MaxLength = int(v)
			}
		}
	}
	if l, ok, err := AnnotatedLimits(s); ok && err == nil {
		info.Digits, info.Decimals = max(l.Digits, 0), l.Decimals
	} else {
		keywordLimits(info, s)
	}
	info.Format, _ = s["format"].(string)
	if e, ok := s["enum"].([]any); ok {
		info.Enum = e
	}
	info.Description, _ = s["description"].(string)
}

// keywordLimits reads a number's size from the standard keywords, for a
// schema written without the NumberAnnotation.
func keywordLimits(info *FieldInfo, s map[string]any) {
	if n, ok := s["exclusiveMaximum"].(json.Number); ok {
		info.Digits = digitsOf(n)
	}
	if info.Type == TypeInteger {
		info.Decimals = 0
	}
	if n, ok := s["multipleOf"].(json.Number); ok {
		if r, ok := new(big.Rat).SetString(n.String()); ok && r.Sign() > 0 {
			d := 0
			for !r.IsInt() && d < 30 {
				r.Mul(r, big.NewRat(10, 1))
				d++
			}
			info.Decimals = d
		}
	}
}

// digitsOf turns an exclusiveMaximum of 10^N into N; other limits give 0.
func digitsOf(n json.Number) int {
	s := n.String()
	if len(s) < 2 || s[0] != '1' || strings.Trim(s[1:], "0") != "" {
		return 0
	}
	return len(s) - 1
}
