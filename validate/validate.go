// Package validate checks PIA payloads against the JSON Schemas of the
// catalog (internal/pia) and says what is wrong in words an integrator can
// act on: every violation, each with the field as a JSON pointer, the rule,
// what the rule expects and what was sent.
//
// It also applies the real-world variations the gateway accepts (numbers
// sent as strings, a single object where an array is documented, ...) so
// the upstream receives the documented shape; each is a policy in
// internal/pia/deviations.json.
//
// A Validator is built once, at provision, and is safe for concurrent use.
package validate

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"weak"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Options tune a Validator.
type Options struct {
	// Strict rejects fields the schema does not declare: every object schema
	// that lists properties gets additionalProperties false. By default extra
	// fields are accepted, because the PIA adds fields in new versions before
	// integrators' schemas catch up.
	Strict bool
	// Lang is the language of Result.Summary (Indonesian by default); each
	// FieldError renders in any language (FieldError.Text).
	Lang pia.Lang
}

// Validator validates payloads against the compiled schemas of a catalog.
type Validator struct {
	cat  *pia.Catalog
	opts Options
	// compiled holds every schema of the catalog as New found it. The
	// catalog must not change afterwards: a schema added later has no entry
	// and is treated as absent.
	compiled map[*pia.Schema]*compiled
	warnings []string
}

// compiled is one schema ready for the request path.
type compiled struct {
	schema *jsonschema.Schema
	// root indexes the schema's Fields as a tree, for Normalize and for reading the
	// field facts of a violation without building dotted paths per request.
	root *node
	// plan validates in one walk what the library would (plan.go); nil
	// when the schema uses a keyword the plan does not implement.
	plan *plan
	// unplanned says why plan is nil.
	unplanned error
	// cleanable says whether Clean answers for this schema.
	cleanable bool
	// arithmetic is set when the compiled schema still has keywords the
	// library checks with big.Rat (an override's minimum, say): numbers of
	// absurd magnitude are then turned away before it (see absurdNumbers).
	arithmetic bool
}

// New compiles every schema of the catalog (all versions, both kinds) and
// fails on any that does not compile, naming the schema's Source.
func New(cat *pia.Catalog, opts Options) (*Validator, error) {
	if cat == nil {
		return nil, errors.New("validate: no schema catalog")
	}
	v := &Validator{cat: cat, opts: opts, compiled: map[*pia.Schema]*compiled{}}
	var errs []error
	for _, s := range cat.All() {
		c, err := compileShared(s, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("schema %s (%s %s %s): %w", s.Source, versionName(s.Version), s.Method, s.Kind, err))
			continue
		}
		v.compiled[s] = c
		if c.plan == nil {
			v.warnings = append(v.warnings, fmt.Sprintf("schema %s (%s %s %s) is validated by the JSON Schema library, about ten times slower: %v",
				s.Source, versionName(s.Version), s.Method, s.Kind, c.unplanned))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return v, nil
}

func versionName(v pia.Version) string {
	if v.IsZero() {
		return "every version"
	}
	return "PIA " + v.String()
}

// shared holds every compiled schema some live Validator uses, by what
// compiling it reads, so a Caddy reload or a second pia site compiles
// nothing the running config already has (about 0.3 s and 30 MB for the
// built-in schemas). The entries are weak: a schema no Validator holds any
// more, the old config's after a reload, is freed and forgotten.
// A compiled schema is immutable but for the member order Clean learns,
// which is a guess any body may correct (plan.next).
var shared = struct {
	sync.Mutex
	m map[compileKey]weak.Pointer[compiled]
}{m: map[compileKey]weak.Pointer[compiled]{}}

// compileKey is all that compile's result depends on: the schema's URL,
// its bytes as written (Doc and Fields are read from them) and Strict.
type compileKey struct {
	id     string
	raw    [sha256.Size]byte
	strict bool
}

// compileShared is compile through shared. Two Validators built at once
// may both compile a schema; the first stored is the one both keep.
func compileShared(s *pia.Schema, opts Options) (*compiled, error) {
	if s.Raw == nil {
		return compile(s, opts, true) // a compacted or hand-built schema: nothing to key on
	}
	k := compileKey{id: s.ID, raw: sha256.Sum256(s.Raw), strict: opts.Strict}
	shared.Lock()
	c := shared.m[k].Value()
	shared.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := compile(s, opts, true)
	if err != nil {
		return nil, err
	}
	shared.Lock()
	defer shared.Unlock()
	if held := shared.m[k].Value(); held != nil {
		return held, nil
	}
	shared.m[k] = weak.Make(c)
	runtime.AddCleanup(c, forget, k)
	return c, nil
}

// forget drops a freed schema's entry, unless another has taken its place.
func forget(k compileKey) {
	shared.Lock()
	defer shared.Unlock()
	if shared.m[k].Value() == nil {
		delete(shared.m, k)
	}
}

// compile compiles one schema on its own compiler, so two documents that
// happen to declare the same $id (an override copied from a built-in
// schema) cannot collide.
func compile(s *pia.Schema, opts Options, rewrite bool) (*compiled, error) {
	doc, ok := s.Doc.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if err := checkFormats(doc, ""); err != nil {
		return nil, err
	}
	doc, checks, err := prepare(doc, s.ID, opts.Strict, rewrite)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, f := range formats {
		c.RegisterFormat(f)
	}
	for i, ch := range checks {
		c.RegisterFormat(ch.format(checkName(i)))
	}
	// No schema may reach outside the catalog: a $ref to the network or the
	// file system at provision would make the config load depend on them.
	c.UseLoader(noLoader{})
	if err := c.AddResource(s.ID, doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile(s.ID)
	if err != nil {
		return nil, err
	}
	out := &compiled{schema: sch, root: buildTree(s.Fields), arithmetic: arithmetic(doc)}
	out.plan, out.unplanned = compilePlan(doc, checks)
	if out.plan != nil {
		annotate(out.plan, out.root)
	}
	out.cleanable = cleanable(out)
	return out, nil
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s is outside the schema catalog; schemas may only refer within themselves", url)
}

// prepare returns the document to compile: a deep copy (the catalog's Doc
// is never modified) whose $id is the catalog's URL for it, whose codes and
// number sizes are checks (see checks.go) when rewrite is set and, in
// strict mode, whose object schemas close their properties. It returns the
// checks the copy names as formats, in the order of checkName.
func prepare(doc map[string]any, id string, strict, rewrite bool) (map[string]any, []*check, error) {
	out := jsonbody.CloneTree(doc).(map[string]any)
	out["$id"] = id
	var checks []*check
	var errs []error
	if rewrite {
		eachSchema(out, func(s map[string]any) {
			c, ok, err := takeOver(s)
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				s["format"] = checkName(len(checks))
				checks = append(checks, c)
			}
		})
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if strict {
		closeObjects(out)
	}
	return out, checks, nil
}

// checkName is the format name of the i-th check of a schema.
func checkName(i int) string { return "pia-check-" + strconv.Itoa(i) }

// arithmetic reports whether a prepared schema has keywords the library
// evaluates with big.Rat on the payload's numbers.
func arithmetic(doc map[string]any) bool {
	found := false
	eachSchema(doc, func(s map[string]any) {
		for _, k := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} {
			if _, ok := s[k].(json.Number); ok {
				found = true
			}
		}
		for _, k := range []string{"enum", "const"} {
			if hasNumber(s[k]) {
				found = true
			}
		}
		if t, ok := s["type"]; ok && (t == "integer" || hasValue(t, "integer")) {
			found = true
		}
	})
	return found
}

func hasNumber(v any) bool {
	switch x := v.(type) {
	case json.Number:
		return true
	case []any:
		for _, e := range x {
			if hasNumber(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

func hasValue(list any, want string) bool {
	l, _ := list.([]any)
	for _, e := range l {
		if e == want {
			return true
		}
	}
	return false
}

// notSchemas are keywords whose values are data, not subschemas.
var notSchemas = map[string]bool{"enum": true, "const": true, "default": true, "examples": true, pia.NumberAnnotation: true}

// eachSchema calls fn on every object of a schema document that may be a
// schema, values of enum, const, default and examples excepted. It also
// calls fn on the maps of properties and $defs, which fn must tell from a
// schema by their content.
func eachSchema(s map[string]any, fn func(map[string]any)) {
	fn(s)
	for k, v := range s {
		if notSchemas[k] {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			eachSchema(x, fn)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					eachSchema(m, fn)
				}
			}
		}
	}
}

// closeObjects sets additionalProperties false on every object schema that
// lists properties and says nothing of extra ones itself. It does not go
// into allOf, anyOf, oneOf, not or if/then/else: closing a branch of a
// composition would reject the members the other branches declare.
func closeObjects(s map[string]any) {
	if _, ok := s["properties"].(map[string]any); ok {
		_, a := s["additionalProperties"]
		_, u := s["unevaluatedProperties"]
		_, p := s["patternProperties"]
		if !a && !u && !p {
			s["additionalProperties"] = false
		}
	}
	for _, key := range []string{"properties", "$defs", "definitions"} {
		if m, ok := s[key].(map[string]any); ok {
			for _, sub := range m {
				if sm, ok := sub.(map[string]any); ok {
					closeObjects(sm)
				}
			}
		}
	}
	for _, key := range []string{"items", "additionalProperties", "contains"} {
		if sub, ok := s[key].(map[string]any); ok {
			closeObjects(sub)
		}
	}
	if list, ok := s["prefixItems"].([]any); ok {
		for _, sub := range list {
			if sm, ok := sub.(map[string]any); ok {
				closeObjects(sm)
			}
		}
	}
}

// knownFormats are the formats a schema may name: ours and JSON Schema's.
var knownFormats = map[string]bool{
	formatDate: true, formatDateTime: true,
	"date": true, "time": true, "date-time": true, "duration": true, "period": true,
	"email": true, "idn-email": true, "hostname": true, "idn-hostname": true,
	"ipv4": true, "ipv6": true, "uri": true, "iri": true, "uri-reference": true,
	"iri-reference": true, "uri-template": true, "uuid": true, "regex": true,
	"json-pointer": true, "relative-json-pointer": true, "semver": true,
}

// checkFormats fails on a format nobody implements. The compiler would
// silently ignore it, and a typo (pia-dat) in an override schema would
// then let every value through.
func checkFormats(s map[string]any, at string) error {
	for k, val := range s {
		switch k {
		case "enum", "const", "default", "examples", "description", "title", pia.NumberAnnotation:
			continue // values, not schemas
		case "format":
			if name, ok := val.(string); ok && !knownFormats[name] {
				return fmt.Errorf("%s/format: unknown format %q (known: %s, %s and JSON Schema's own)", at, name, formatDate, formatDateTime)
			}
			continue
		}
		switch sub := val.(type) {
		case map[string]any:
			if err := checkFormats(sub, at+"/"+k); err != nil {
				return err
			}
		case []any:
			for i, item := range sub {
				if m, ok := item.(map[string]any); ok {
					if err := checkFormats(m, fmt.Sprintf("%s/%s/%d", at, k, i)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// Warnings lists what New found worth an operator's attention without
// failing: schemas that use keywords the validation plan does not
// implement, which the JSON Schema library then validates, correctly but
// slowly.
func (v *Validator) Warnings() []string { return append([]string(nil), v.warnings...) }

// lookup finds the compiled schema of a method, through the catalog's
// inheritance.
func (v *Validator) lookup(ver pia.Version, method string, kind pia.Kind) *compiled {
	s, ok := v.cat.Lookup(ver, method, kind)
	if !ok {
		return nil
	}
	return v.compiled[s]
}

// Has reports whether a schema exists for (version, method, kind) (through
// the catalog's inheritance).
func (v *Validator) Has(ver pia.Version, method string, kind pia.Kind) bool {
	return v.lookup(ver, method, kind) != nil
}

// Validate returns nil when doc is valid (or no schema exists), else every
// violation. doc is a decoded tree as jsonbody.Decode makes it; call
// Normalize first so that the accepted variations pass.
func (v *Validator) Validate(ver pia.Version, method string, kind pia.Kind, doc any) *Result {
	r := v.validate(ver, method, kind, doc)
	if r != nil {
		r.Lang = v.opts.Lang
	}
	return r
}

func (v *Validator) validate(ver pia.Version, method string, kind pia.Kind, doc any) *Result {
	c := v.lookup(ver, method, kind)
	if c == nil {
		return nil
	}
	if r := v.absurd(c, doc); r != nil {
		return r
	}
	if c.plan != nil {
		if errs, ok := v.runPlan(c, doc); ok {
			if len(errs) == 0 {
				return nil
			}
			return &Result{Errors: errs}
		}
	}
	return v.viaLibrary(c, doc)
}

// absurd answers, for a schema with arithmetic keywords, the numbers too
// large for the library's arithmetic, before the plan or the library runs;
// nil when there are none.
func (v *Validator) absurd(c *compiled, doc any) *Result {
	if !c.arithmetic {
		return nil
	}
	if errs := absurdNumbers(doc, nil, nil); len(errs) > 0 {
		pia.SortFieldErrors(errs)
		return &Result{Errors: errs}
	}
	return nil
}

// viaLibrary validates with the JSON Schema library: the reference the
// plan agrees with, and the validator of schemas the plan cannot express.
func (v *Validator) viaLibrary(c *compiled, doc any) *Result {
	err := c.run(doc)
	if err == nil {
		return nil
	}
	if err == errAbsurdNumber {
		errs := absurdNumbers(doc, nil, nil)
		pia.SortFieldErrors(errs)
		return &Result{Errors: errs}
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		// Only a value of a Go type no decoder produces gets here.
		return &Result{Errors: []pia.FieldError{{Field: "", Rule: "type", Msg: pia.MsgVerbatim, Args: []any{err.Error()}}}}
	}
	r := &Result{}
	t := translator{root: c.root, doc: doc}
	r.Errors = t.translate(verr, r.Errors)
	pia.SortFieldErrors(r.Errors)
	return r
}

// run validates, turning the library's known panic into an answer: big.Rat
// cannot read a number whose exponent passes a million and the library
// then dereferences nil. absurdNumbers normally turns such numbers away
// first; this is the net under it. A panic with no such number is a bug
// and stays a panic.
func (c *compiled) run(doc any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if len(absurdNumbers(doc, nil, nil)) == 0 {
				panic(p)
			}
			err = errAbsurdNumber
		}
	}()
	return c.schema.Validate(doc)
}

var errAbsurdNumber = errors.New("a number of absurd magnitude")

// maxMagnitude bounds the decimal exponent of the numbers a schema that
// compares numbers arithmetically will look at. No PIA quantity comes near
// it; past it big.Rat spends whole milliseconds on one number, and past a
// million it gives up.
const maxMagnitude = 1000

// absurdNumbers finds the numbers of doc whose decimal point sits more than
// maxMagnitude places from their digits.
func absurdNumbers(doc any, at []string, out []pia.FieldError) []pia.FieldError {
	switch x := doc.(type) {
	case map[string]any:
		for k, e := range x {
			out = absurdNumbers(e, append(at, k), out)
		}
	case []any:
		for i, e := range x {
			out = absurdNumbers(e, append(at, strconv.Itoa(i)), out)
		}
	case json.Number:
		if all, point, ok := decimal(string(x)); ok && all != "" && (point > maxMagnitude || point < -maxMagnitude) {
			fe := pia.FieldError{Field: pointer(at), Rule: RuleRange, Got: clip(string(x))}
			hide := secret(at)
			if hide {
				fe.Got = ""
			}
			fe.Msg, fe.Args = pia.MsgOutOfRange, []any{describe(x, hide)}
			out = append(out, fe)
		}
	}
	return out
}

// Result is every violation of one payload.
type Result struct {
	// Errors hold one entry per violation, ordered by field
	// (pia.SortFieldErrors).
	Errors []pia.FieldError
	// Lang is the language of Summary: the Validator's.
	Lang pia.Lang
}

// Summary lists the violations as the envelope's keterangan reads them:
// "IZINFINAL.nib: panjang maksimal 13 karakter, diterima 15; IZINFINAL.tgl_terbit_izin: ...".
func (r *Result) Summary() string {
	if r == nil {
		return ""
	}
	return pia.Summary(r.Errors, r.Lang)
}

// Fields lists the dotted names of the violating fields, each once, in
// order: what a report-mode response header names.
func (r *Result) Fields() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.Errors))
	seen := make(map[string]bool, len(r.Errors))
	for _, e := range r.Errors {
		f := e.DottedField()
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Root returns the member a method's payload is wrapped in (IZINFINAL for
// receiveLicense), when the schema declares exactly one top-level member,
// else "".
func (v *Validator) Root(ver pia.Version, method string, kind pia.Kind) string {
	c := v.lookup(ver, method, kind)
	if c == nil {
		return ""
	}
	return rootOf(c.root)
}

// rootOf is the one member a schema's index has at its top, or "".
func rootOf(n *node) string {
	if len(n.children) != 1 {
		return ""
	}
	for name := range n.children {
		return name
	}
	return ""
}
