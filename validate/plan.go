package validate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// A plan is a schema compiled, at New, into the checks its nodes make, so
// that validating a payload is one walk over the decoded tree: a map lookup
// per declared member, a type switch per value, and the checks of
// checks.go and formats.go on the values themselves. The schema library
// builds a location, a keyword path and often a formatted copy of every
// value it visits, which for a 38 KB receiveNIB was half a millisecond and
// half a megabyte; the plan allocates nothing for a valid payload.
//
// The plan is built from the same prepared document the library compiles
// (prepare: codes and number sizes already taken over as checks, strict
// mode already closing objects), and reports a violation by handing the
// translator the very error the library would have raised at that place:
// the answers, messages included, are the library's by construction, and
// TestPlanAgreesWithTheLibrary checks them on every built-in schema. A
// schema using a keyword outside planKeywords is not planned: the library
// validates it, and New says so in Warnings.

// planKeywords are the keywords a plan implements, with those that carry
// no assertion. Anything else sends the schema to the library.
var planKeywords = map[string]bool{
	"type": true, "enum": true, "format": true, "properties": true, "required": true,
	"additionalProperties": true, "items": true, "maxLength": true, "minLength": true, "pattern": true, "anyOf": true,
	// annotations
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "deprecated": true, "readOnly": true, "writeOnly": true,
	// taken over by the node's check (checks.go)
	pia.NumberAnnotation: true,
}

// jtype is a JSON type as a bit, in the library's order (see kind.Type's
// Want).
type jtype uint8

const (
	tNull jtype = 1 << iota
	tBoolean
	tNumber
	tInteger
	tString
	tArray
	tObject
)

var jtypeNames = []struct {
	t    jtype
	name string
}{
	{tNull, "null"}, {tBoolean, "boolean"}, {tNumber, "number"}, {tInteger, "integer"},
	{tString, "string"}, {tArray, "array"}, {tObject, "object"},
}

func (t jtype) String() string {
	for _, n := range jtypeNames {
		if n.t == t {
			return n.name
		}
	}
	return ""
}

// typeOf is the JSON type of a decoded value; ok is false for a Go type
// jsonbody.Decode does not produce, which the plan leaves to the library.
func typeOf(v any) (jtype, bool) {
	switch v.(type) {
	case nil:
		return tNull, true
	case bool:
		return tBoolean, true
	case json.Number:
		return tNumber, true
	case string:
		return tString, true
	case []any:
		return tArray, true
	case map[string]any:
		return tObject, true
	}
	return 0, false
}

// plan is one schema node.
type plan struct {
	types jtype // 0: any type
	want  []string
	// enum is a node's own enum, left to it because the node also has a
	// format; codes taken over by a check are in check.
	enum     *codeSet
	enumVals []any
	// check is the node's codes and number size (checks.go), under the
	// format name the library knows it by.
	check     *check
	checkSet  *codeSet
	checkName string
	// format is pia-date or pia-datetime; formatText is its check of a
	// string, for Clean.
	format     *jsonschema.Format
	formatText func(string) error
	// maxLength and minLength are -1 when absent.
	maxLength, minLength int
	pattern              *regexp.Regexp
	props                []member
	// required lists the mandatory members in the schema's order, which
	// is the order the library names the missing ones; unlisted holds
	// those that are not also properties.
	required []string
	unlisted []string
	closed   bool
	items    *plan
	// anyOf holds, for an anyOf whose every branch only requires members,
	// the members of each branch.
	anyOf [][]string

	// index numbers props by name; for Clean (clean.go), which reads
	// bytes, requiredAt and anyOfAt are required and anyOf by that
	// number, -1 for a member that is not a property.
	index map[string]int
	// next guesses, for Clean, the property that follows property i (the
	// first one at len(props)): the one that followed it in the first body
	// read, -1 until then. A client writes its members in one order, so
	// the guess saves most lookups in index; a wrong one, for a client
	// writing another order, costs a comparison. Set once, it is never
	// written again: clients of several orders by turns cost no stores.
	next       []atomic.Int32
	requiredAt []int
	anyOfAt    [][]int
	// norm is what Normalize knows of the field at this node (nil: it
	// leaves the value alone), set by annotate.
	norm *pia.FieldInfo
}

type member struct {
	name     string
	plan     *plan
	required bool
}

// codeSet answers "is this one of the codes" without building a key for
// strings, null and booleans; numbers go through canonical.
type codeSet struct {
	strings map[string]bool
	// numbers holds the canonical form of the numeric codes, literals
	// the codes as written: a number sent as written is found without
	// building its canonical form.
	numbers, literals map[string]bool
	null              bool
	yes, no           bool
	hasAnyNumber      bool
}

func newCodeSet(values []any) (*codeSet, bool) {
	cs := &codeSet{strings: map[string]bool{}, numbers: map[string]bool{}, literals: map[string]bool{}}
	for _, v := range values {
		switch x := v.(type) {
		case nil:
			cs.null = true
		case bool:
			if x {
				cs.yes = true
			} else {
				cs.no = true
			}
		case string:
			cs.strings[x] = true
		case json.Number:
			key, ok := canonical(x)
			if !ok {
				return nil, false
			}
			cs.numbers[key] = true
			cs.literals[string(x)] = true
			cs.hasAnyNumber = true
		default:
			return nil, false
		}
	}
	return cs, true
}

func (cs *codeSet) has(v any) bool {
	switch x := v.(type) {
	case nil:
		return cs.null
	case bool:
		if x {
			return cs.yes
		}
		return cs.no
	case string:
		return cs.strings[x]
	case json.Number:
		if !cs.hasAnyNumber {
			return false
		}
		if cs.literals[string(x)] {
			return true
		}
		key, ok := canonical(x)
		return ok && cs.numbers[key]
	}
	return false
}

// compilePlan builds the plan of a prepared schema document, or says which
// keywords keep it from having one.
func compilePlan(doc map[string]any, checks []*check) (*plan, error) {
	var missing []string
	p := planNode(doc, "", checks, &missing)
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("not implemented by the validation plan: %s", strings.Join(missing, ", "))
	}
	return p, nil
}

func planNode(s map[string]any, at string, checks []*check, missing *[]string) *plan {
	unsupported := func(what string) {
		*missing = append(*missing, at+"/"+what)
	}
	p := &plan{maxLength: -1, minLength: -1}
	for k := range s {
		if !planKeywords[k] {
			unsupported(k)
		}
	}
	if t, ok := s["type"]; ok {
		names := []string{}
		switch x := t.(type) {
		case string:
			names = append(names, x)
		case []any:
			for _, e := range x {
				if n, ok := e.(string); ok {
					names = append(names, n)
				}
			}
		}
		for _, n := range names {
			for _, jt := range jtypeNames {
				if jt.name == n {
					p.types |= jt.t
				}
			}
		}
		if p.types&tInteger != 0 {
			// Whole numbers compared arithmetically: the library's.
			unsupported("type integer")
		}
		for _, jt := range jtypeNames {
			if p.types&jt.t != 0 {
				p.want = append(p.want, jt.name)
			}
		}
	}
	if e, ok := s["enum"].([]any); ok {
		cs, ok := newCodeSet(e)
		if !ok {
			unsupported("enum")
		}
		p.enum, p.enumVals = cs, e
	} else if _, ok := s["enum"]; ok {
		unsupported("enum")
	}
	if f, ok := s["format"]; ok {
		name, _ := f.(string)
		switch {
		case name == formatDate:
			p.format, p.formatText = formats[0], dateText
		case name == formatDateTime:
			p.format, p.formatText = formats[1], dateTimeText
		case strings.HasPrefix(name, "pia-check-"):
			i, err := strconv.Atoi(strings.TrimPrefix(name, "pia-check-"))
			if err != nil || i < 0 || i >= len(checks) {
				unsupported("format " + name)
				break
			}
			p.check, p.checkName = checks[i], name
			if checks[i].codes != nil {
				cs, ok := newCodeSet(checks[i].enum)
				if !ok {
					unsupported("format " + name)
				}
				p.checkSet = cs
			}
		default:
			unsupported("format " + name)
		}
	}
	p.maxLength = lengthKeyword(s, "maxLength", unsupported)
	p.minLength = lengthKeyword(s, "minLength", unsupported)
	if pat, ok := s["pattern"]; ok {
		// The library's default engine is Go's regexp too.
		src, _ := pat.(string)
		re, err := regexp.Compile(src)
		if err != nil {
			unsupported("pattern")
		}
		p.pattern = re
	}
	required := map[string]bool{}
	if r, ok := s["required"]; ok {
		list, ok := r.([]any)
		if !ok {
			unsupported("required")
		}
		for _, e := range list {
			name, ok := e.(string)
			if !ok {
				unsupported("required")
				continue
			}
			if !required[name] {
				p.required = append(p.required, name)
			}
			required[name] = true
		}
	}
	if props, ok := s["properties"]; ok {
		m, ok := props.(map[string]any)
		if !ok {
			unsupported("properties")
		}
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			sub, ok := m[name].(map[string]any)
			if !ok {
				unsupported("properties/" + name)
				continue
			}
			c := planNode(sub, at+"/properties/"+name, checks, missing)
			p.props = append(p.props, member{name: name, plan: c, required: required[name]})
		}
	}
	p.index = make(map[string]int, len(p.props))
	for i, m := range p.props {
		p.index[m.name] = i
	}
	p.next = make([]atomic.Int32, len(p.props)+1)
	for i := range p.next {
		p.next[i].Store(-1)
	}
	for _, name := range p.required {
		if p.indexOf(name) < 0 {
			p.unlisted = append(p.unlisted, name)
		}
		p.requiredAt = append(p.requiredAt, p.indexOf(name))
	}
	if a, ok := s["additionalProperties"]; ok {
		switch a {
		case false:
			p.closed = true
		case true:
		default:
			unsupported("additionalProperties")
		}
	}
	if it, ok := s["items"]; ok {
		sub, ok := it.(map[string]any)
		if !ok {
			unsupported("items")
		} else {
			p.items = planNode(sub, at+"/items", checks, missing)
		}
	}
	if a, ok := s["anyOf"]; ok {
		branches, _ := a.([]any)
		for _, b := range branches {
			bs, _ := b.(map[string]any)
			names, ok := requiredOnly(bs)
			if !ok {
				unsupported("anyOf")
				break
			}
			p.anyOf = append(p.anyOf, names)
			at := make([]int, len(names))
			for i, name := range names {
				at[i] = p.indexOf(name)
			}
			p.anyOfAt = append(p.anyOfAt, at)
		}
		if len(branches) == 0 {
			unsupported("anyOf")
		}
	}
	return p
}

// member is the plan of the property name, or nil.
func (p *plan) member(name string) *plan {
	if i := p.indexOf(name); i >= 0 {
		return p.props[i].plan
	}
	return nil
}

// indexOf is the number of the property name, or -1.
func (p *plan) indexOf(name string) int {
	if i, ok := p.index[name]; ok {
		return i
	}
	return -1
}

func lengthKeyword(s map[string]any, key string, unsupported func(string)) int {
	v, ok := s[key]
	if !ok {
		return -1
	}
	n, ok := v.(json.Number)
	if !ok {
		unsupported(key)
		return -1
	}
	i, err := strconv.Atoi(string(n))
	if err != nil || i < 0 {
		unsupported(key)
		return -1
	}
	return i
}

// requiredOnly reads an anyOf branch that only requires members (and
// perhaps describes itself).
func requiredOnly(s map[string]any) ([]string, bool) {
	if s == nil {
		return nil, false
	}
	var names []string
	for k, v := range s {
		switch k {
		case "required":
			list, ok := v.([]any)
			if !ok {
				return nil, false
			}
			for _, e := range list {
				name, ok := e.(string)
				if !ok {
					return nil, false
				}
				if !containsString(names, name) {
					names = append(names, name)
				}
			}
		case "$comment", "title", "description":
		default:
			return nil, false
		}
	}
	return names, true
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// seg is one step of the location the walker is at: a member name, or an
// array index when index >= 0. Locations are spelt out only for a
// violation.
type seg struct {
	name  string
	index int
}

// walker runs a plan over one payload. Walkers are pooled: a valid
// payload costs no allocation.
type walker struct {
	path []seg
	// raised holds the violations in the library's form, to be translated.
	raised []*jsonschema.ValidationError
	// foreign is set on a value of a Go type the plan does not know.
	foreign bool
}

var walkers = sync.Pool{New: func() any { return &walker{path: make([]seg, 0, 16)} }}

// location spells out the current location as the library would.
func (w *walker) location() []string {
	loc := make([]string, len(w.path))
	for i, s := range w.path {
		if s.index >= 0 {
			loc[i] = strconv.Itoa(s.index)
		} else {
			loc[i] = s.name
		}
	}
	return loc
}

func (w *walker) raise(k jsonschema.ErrorKind, causes ...*jsonschema.ValidationError) {
	w.raised = append(w.raised, &jsonschema.ValidationError{InstanceLocation: w.location(), ErrorKind: k, Causes: causes})
}

// value checks one value against its node, in the library's order: type,
// enum and format stop at their first failure; the rest all report.
func (w *walker) value(p *plan, v any) {
	t, ok := typeOf(v)
	if !ok {
		w.foreign = true
		return
	}
	if p.types != 0 && p.types&t == 0 {
		w.raise(&kind.Type{Got: t.String(), Want: p.want})
		return
	}
	if p.enum != nil && !p.enum.has(v) {
		w.raise(&kind.Enum{Got: v, Want: p.enumVals})
		return
	}
	if p.check != nil && !p.checked(v) {
		if err := p.check.validate(v); err != nil {
			w.raise(&kind.Format{Got: v, Want: p.checkName, Err: err})
			return
		}
	}
	if p.format != nil {
		if err := p.format.Validate(v); err != nil {
			w.raise(&kind.Format{Got: v, Want: p.format.Name, Err: err})
			return
		}
	}
	switch x := v.(type) {
	case map[string]any:
		w.object(p, x)
	case []any:
		if p.items != nil {
			for i, e := range x {
				w.path = append(w.path, seg{index: i})
				w.value(p.items, e)
				w.path = w.path[:len(w.path)-1]
			}
		}
	case string:
		w.text(p, x)
	}
}

// checked is the allocation-free verdict of the node's check on the usual
// values: true only when check.validate would accept v; false sends v to
// check.validate for the verdict and its detail.
func (p *plan) checked(v any) bool {
	c := p.check
	if p.checkSet != nil {
		if !p.checkSet.has(v) {
			return false
		}
	}
	if !c.hasLimits {
		return true
	}
	n, ok := v.(json.Number)
	if !ok {
		return true // limits apply to numbers only
	}
	return c.plainWithin(string(n))
}

// plainWithin is the allocation-free verdict of the check's limits on a
// number literal: true only when it is written without exponent and
// within them.
func (c *check) plainWithin(lit string) bool {
	digits, decs, ok := measurePlain(lit)
	return ok && (c.limits.Digits < 0 || digits <= c.limits.Digits) && (c.limits.Decimals < 0 || decs <= c.limits.Decimals)
}

// measurePlain is measure for a literal without exponent, without
// building strings; ok is false for any other literal.
func measurePlain(lit string) (digits, decs int, ok bool) {
	n, ok := jsonbody.ParseNumber(lit)
	if !ok || n.Exp != "" {
		return 0, 0, false
	}
	return len(strings.TrimLeft(n.Int, "0")), len(strings.TrimRight(n.Frac, "0")), true
}

func (w *walker) text(p *plan, s string) {
	// A string never has more characters than bytes: the count is needed
	// only for a minimum or a long string.
	if p.minLength >= 0 || p.maxLength >= 0 && len(s) > p.maxLength {
		n := utf8.RuneCountInString(s)
		if p.minLength >= 0 && n < p.minLength {
			w.raise(&kind.MinLength{Got: n, Want: p.minLength})
		}
		if p.maxLength >= 0 && n > p.maxLength {
			w.raise(&kind.MaxLength{Got: n, Want: p.maxLength})
		}
	}
	if p.pattern != nil && !p.pattern.MatchString(s) {
		w.raise(&kind.Pattern{Got: s, Want: p.pattern.String()})
	}
}

func (w *walker) object(p *plan, obj map[string]any) {
	absent, known := false, 0
	for i := range p.props {
		m := &p.props[i]
		val, ok := obj[m.name]
		if !ok {
			absent = absent || m.required
			continue
		}
		known++
		w.path = append(w.path, seg{name: m.name, index: -1})
		w.value(m.plan, val)
		w.path = w.path[:len(w.path)-1]
	}
	for _, name := range p.unlisted {
		if _, ok := obj[name]; !ok {
			absent = true
		}
	}
	if absent {
		var missing []string
		for _, name := range p.required {
			if _, ok := obj[name]; !ok {
				missing = append(missing, name)
			}
		}
		w.raise(&kind.Required{Missing: missing})
	}
	if p.closed && known < len(obj) {
		var extra []string
		for name := range obj {
			if _, ok := p.index[name]; !ok {
				extra = append(extra, name)
			}
		}
		w.raise(&kind.AdditionalProperties{Properties: extra})
	}
	if len(p.anyOf) > 0 {
		w.anyOf(p, obj)
	}
}

// anyOf raises the library's error for an anyOf of required members when
// no branch has all of its members.
func (w *walker) anyOf(p *plan, obj map[string]any) {
	var causes []*jsonschema.ValidationError
	for _, names := range p.anyOf {
		var missing []string
		for _, name := range names {
			if _, ok := obj[name]; !ok {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 {
			return
		}
		causes = append(causes, &jsonschema.ValidationError{InstanceLocation: w.location(), ErrorKind: &kind.Required{Missing: missing}})
	}
	w.raise(&kind.AnyOf{}, causes...)
}

// runPlan validates doc with the plan; ok is false when the payload holds
// a value the plan leaves to the library.
func (v *Validator) runPlan(c *compiled, doc any) (errs []pia.FieldError, ok bool) {
	w := walkers.Get().(*walker)
	defer func() {
		clear(w.raised)
		w.raised, w.path, w.foreign = w.raised[:0], w.path[:0], false
		walkers.Put(w)
	}()
	w.value(c.plan, doc)
	if w.foreign {
		return nil, false
	}
	if len(w.raised) == 0 {
		return nil, true
	}
	t := translator{root: c.root, doc: doc}
	for _, e := range w.raised {
		errs = t.translate(e, errs)
	}
	pia.SortFieldErrors(errs)
	return errs, true
}
