package transform

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The builtin step files. Only <from>-<to>.json files are rules; other
// files under rules/ (history.json) are review documents.
//
//go:embed rules/*-*.json
var builtinRules embed.FS

// File is one step file, rules/<from>-<to>.json: the rules carrying
// payloads from one PIA version to the next, written in the upgrade
// direction. The engine derives each rule's inverse for downgrades.
type File struct {
	// About says what the step is; free text for reviewers.
	About string `json:"about,omitempty"`
	// Rules are applied in order when upgrading and in reverse order when
	// downgrading.
	Rules []Rule `json:"rules"`
	// Notes are the differences between the two versions that need no
	// rule, each with its reason, so coverage can be reviewed (and tested).
	Notes []Note `json:"notes,omitempty"`
	// Withdraw names the methods the newer version no longer has: the
	// gateway answers them 410 from that version on, and their older
	// schemas are not inherited by it.
	Withdraw []string `json:"withdraw,omitempty"`
	// Renames are likely renames caddy pia import found (a field gone and
	// one of the same type arrived in the same object). Until an operator
	// confirms one it only accepts the difference, like a note; confirmed,
	// it is a rename rule.
	Renames []Candidate `json:"renames,omitempty"`
	// Methods are the methods new in the newer version, so a gateway
	// whose built-in table predates them routes them.
	Methods []MethodDecl `json:"methods,omitempty"`
}

// MethodDecl declares a method a version adds: who serves it and its HTTP
// verb (POST when empty).
type MethodDecl struct {
	Name string `json:"name"`
	// Side is oss or kld.
	Side string `json:"side"`
	Verb string `json:"verb,omitempty"`
}

// Candidate is a drafted rename: Path's last segment may be called To in
// the newer version.
type Candidate struct {
	Method    string   `json:"method"`
	Kind      pia.Kind `json:"kind"`
	Path      string   `json:"path"`
	To        string   `json:"to"`
	Confirmed bool     `json:"confirmed"`
	Reason    string   `json:"reason,omitempty"`
}

// rules are the file's rules with its confirmed renames.
func (f *File) rules() []Rule {
	out := append([]Rule(nil), f.Rules...)
	for _, c := range f.Renames {
		if c.Confirmed {
			out = append(out, Rule{Method: c.Method, Kind: c.Kind, Op: "rename", Path: c.Path, To: c.To, Reason: c.Reason})
		}
	}
	return out
}

// Rule is one difference between two consecutive PIA versions for one
// method, as data. Paths are dotted the way the PIA writes them; a
// segment under an array addresses every element of that array.
type Rule struct {
	Method string `json:"method"`
	// Kind is request or response.
	Kind pia.Kind `json:"kind"`
	// Op is one of:
	//   rename      path's last segment is called To in the newer version
	//               (a one-segment path renames the request root);
	//   move        the value at Path moves to the path To; a scalar moved
	//               into array members is copied into every member, and the
	//               inverse takes the first member's value;
	//   restructure the scalar at Path becomes the array member To (a
	//               one-element array); the inverse combines the members
	//               with Combine (sum or first);
	//   remove      Path no longer exists in the newer version;
	//   add         Path is new in the newer version;
	//   require     Path became mandatory in the newer version;
	//   optional    Path became optional in the newer version;
	//   retype      Path changed between string and number;
	//   codes       the Lampiran codes of Path changed: Map gives each older
	//               code's newer counterpart, Back the way down where Map
	//               is not one-to-one (else Map's inverse).
	// Types and mandatory-ness are read from the two versions' schemas: a
	// field that is mandatory only in the version a payload goes to and is
	// missing (under either name, for rename and move) is filled with
	// Default or reported, and a require or optional rule whose field did
	// not change in the loaded schemas does nothing.
	Op   string `json:"op"`
	Path string `json:"path"`
	To   string `json:"to,omitempty"`
	// Default fills a field that becomes mandatory in the direction the
	// rule is applied and is absent: for add and require when upgrading,
	// for remove and optional when downgrading. Without one, a missing
	// mandatory field is reported as an error.
	Default json.RawMessage `json:"default,omitempty"`
	// Combine is how restructure folds the array back into a scalar.
	Combine string `json:"combine,omitempty"`
	// Map and Back are the code maps of codes (older → newer, newer → older).
	Map  map[string]string `json:"map,omitempty"`
	Back map[string]string `json:"back,omitempty"`
	// Reason says why a rule is what it is where that is a decision
	// (a default, a combine, a tolerance); Source where it comes from.
	Reason string `json:"reason,omitempty"`
	Source string `json:"source,omitempty"`
}

// Note records a difference between the versions that has no rule.
type Note struct {
	Method string   `json:"method"`
	Kind   pia.Kind `json:"kind,omitempty"`
	// Path is empty for a note about the whole method (added, withdrawn).
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
}

// stepFile is a step file read from the embedded rules or a directory.
type stepFile struct {
	name, source string
	from, to     pia.Version
	raw          []byte
}

// Load builds the engine from the embedded rules plus, for each dir, its
// <from>-<to>.json files: a file overrides the builtin step file of the
// same name or adds a step (4.3.20-4.3.21.json for a version whose schemas
// an override schema directory adds). Every rule is checked against the
// catalog's field index of its from- and to-version; a rule naming a field
// its version does not have fails the load, naming the file and the rule.
func Load(cat *pia.Catalog, dirs ...string) (*Engine, error) {
	files := map[string]*stepFile{}
	builtin, err := fs.Glob(builtinRules, "rules/*-*.json")
	if err != nil {
		return nil, err
	}
	for _, p := range builtin {
		raw, err := builtinRules.ReadFile(p)
		if err != nil {
			return nil, err
		}
		f, err := newStepFile(path.Base(p), "builtin "+p, raw)
		if err != nil {
			return nil, err
		}
		files[f.name] = f
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("rules directory: %w", err)
		}
		seen := map[string]string{}
		for _, ent := range entries {
			if ent.IsDir() || !strings.HasSuffix(ent.Name(), ".json") {
				continue
			}
			p := filepath.Join(dir, ent.Name())
			raw, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			f, err := newStepFile(ent.Name(), p, raw)
			if err != nil {
				return nil, err
			}
			if other, dup := seen[f.name]; dup {
				return nil, fmt.Errorf("%s and %s are both the step %s", other, p, f.name)
			}
			seen[f.name] = p
			files[f.name] = f
		}
	}

	e := &Engine{versions: cat.Versions(), reach: map[methodKey]*reach{}, withdrawn: map[string]pia.Version{}}
	e.steps = make([]step, max(len(e.versions)-1, 0))
	e.sources = make([]string, len(e.steps))
	for i := range e.steps {
		e.steps[i] = step{from: e.versions[i], to: e.versions[i+1]}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	decoded := make([]*File, len(e.steps))
	for _, n := range names {
		f := files[n]
		i := e.index(f.from)
		if i < 0 || e.versions[i] != f.from || i+1 >= len(e.versions) || e.versions[i+1] != f.to {
			return nil, fmt.Errorf("%s: PIA %s and %s are not consecutive versions of the schema catalog (%s)", f.source, f.from, f.to, versionList(e.versions))
		}
		file, err := decodeFile(f.raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.source, err)
		}
		decoded[i], e.sources[i] = file, f.source
		for _, m := range file.Methods {
			if _, err := pia.ParseSide(m.Side); err != nil || m.Name == "" {
				return nil, fmt.Errorf("%s: method %q: a declared method has a name and a side, oss or kld", f.source, m.Name)
			}
			e.added = append(e.added, m)
		}
		for _, m := range file.Withdraw {
			if w, ok := e.withdrawn[m]; !ok || f.to.Less(w) {
				e.withdrawn[m] = f.to
			}
		}
	}
	// Withdrawals first, so no later version inherits a withdrawn
	// method's schemas, for the rules and for coverage alike.
	for m, v := range e.withdrawn {
		cat.Withdraw(m, v)
	}
	for i, file := range decoded {
		if file == nil {
			continue
		}
		if err := e.steps[i].compile(cat, e.sources[i], file, e.reach); err != nil {
			return nil, err
		}
	}
	if gaps := Coverage(cat, decoded, e.versions); len(gaps) > 0 {
		return nil, &CoverageError{Gaps: gaps}
	}
	return e, nil
}

func newStepFile(name, source string, raw []byte) (*stepFile, error) {
	base := strings.TrimSuffix(name, ".json")
	a, b, ok := strings.Cut(base, "-")
	if !ok {
		return nil, fmt.Errorf("%s: a rules file is named <from>-<to>.json, e.g. 4.3.20-4.3.21.json", source)
	}
	from, err := pia.ParseVersion(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	to, err := pia.ParseVersion(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	// Named by its versions, so v4.3.19-4.3.20.json replaces the builtin
	// 4.3.19-4.3.20.json rather than competing with it.
	return &stepFile{name: from.String() + "-" + to.String(), source: source, from: from, to: to, raw: raw}, nil
}

func versionList(vs []pia.Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

// decodeFile reads a step file strictly: an unknown key is a typo that
// would otherwise silently disable a rule.
func decodeFile(raw []byte) (*File, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	var f File
	if err := d.Decode(&f); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return &f, nil
}

// compile checks the rules of one step file against the catalog and adds
// them to the step.
func (s *step) compile(cat *pia.Catalog, source string, file *File, reaches map[methodKey]*reach) error {
	s.rules = map[methodKey][]*rule{}
	for i, r := range file.rules() {
		c, err := compileRule(cat, s.from, s.to, r)
		if err != nil {
			return fmt.Errorf("%s: rule %d (%s %s %s %s): %w", source, i+1, r.Method, r.Kind, r.Op, r.Path, err)
		}
		k := methodKey{r.Method, r.Kind}
		s.rules[k] = append(s.rules[k], c)
		if reaches[k] == nil {
			reaches[k] = &reach{children: map[string]*reach{}}
		}
		carries := c.op == opRename || c.op == opMove || c.op == opRestructure
		reaches[k].add(c.path, carries)
		if c.dest != nil {
			reaches[k].add(c.dest, carries)
		}
	}
	for i, n := range file.Notes {
		if n.Method == "" || strings.TrimSpace(n.Reason) == "" {
			return fmt.Errorf("%s: note %d (%s %s): a note names its method and gives its reason", source, i+1, n.Method, n.Path)
		}
	}
	return nil
}

// compileRule checks one rule against the schemas of both versions and
// precomputes what applying it needs.
func compileRule(cat *pia.Catalog, from, to pia.Version, r Rule) (*rule, error) {
	if r.Method == "" {
		return nil, fmt.Errorf("no method")
	}
	if r.Kind != pia.Request && r.Kind != pia.Response {
		return nil, fmt.Errorf("kind must be request or response")
	}
	older, ok := cat.Lookup(from, r.Method, r.Kind)
	if !ok {
		return nil, fmt.Errorf("PIA %s has no %s schema for %s", from, r.Kind, r.Method)
	}
	newer, ok := cat.Lookup(to, r.Method, r.Kind)
	if !ok {
		return nil, fmt.Errorf("PIA %s has no %s schema for %s", to, r.Kind, r.Method)
	}
	if r.Path == "" {
		return nil, fmt.Errorf("no path")
	}
	c := &rule{from: from, to: to, path: split(r.Path), combine: r.Combine}
	id := ":" + r.Method + ":" + string(r.Kind) + ":" + r.Op + ":" + r.Path
	c.ids = [2]string{from.String() + ">" + to.String() + id, to.String() + ">" + from.String() + id}
	inOlder := func(p string) error {
		if !older.Fields.Has(p) {
			return fmt.Errorf("PIA %s %s %s has no field %s", from, r.Method, r.Kind, p)
		}
		return nil
	}
	inNewer := func(p string) error {
		if !newer.Fields.Has(p) {
			return fmt.Errorf("PIA %s %s %s has no field %s", to, r.Method, r.Kind, p)
		}
		return nil
	}
	notIn := func(s *pia.Schema, v pia.Version, p string) error {
		if s.Fields.Has(p) {
			return fmt.Errorf("PIA %s %s %s still has %s", v, r.Method, r.Kind, p)
		}
		return nil
	}
	needTo := r.Op == "rename" || r.Op == "move" || r.Op == "restructure"
	if needTo != (r.To != "") {
		if needTo {
			return nil, fmt.Errorf("%s needs to", r.Op)
		}
		return nil, fmt.Errorf("%s takes no to", r.Op)
	}
	takesDefault := r.Op == "add" || r.Op == "remove" || r.Op == "require" || r.Op == "optional"
	if len(r.Default) > 0 {
		if !takesDefault {
			return nil, fmt.Errorf("%s takes no default", r.Op)
		}
		v, err := jsonbody.Decode(r.Default)
		if err != nil {
			return nil, fmt.Errorf("default: %w", err)
		}
		c.def, c.hasDef = v, true
	}
	if (len(r.Map) > 0) != (r.Op == "codes") || (len(r.Back) > 0 && r.Op != "codes") {
		return nil, fmt.Errorf("map (and back) go with codes, and only there")
	}
	if (r.Combine != "") != (r.Op == "restructure") {
		return nil, fmt.Errorf("combine (sum or first) goes with restructure, and only there")
	}

	var err error
	switch r.Op {
	case "rename":
		if strings.Contains(r.To, ".") {
			return nil, fmt.Errorf("to is the new name of the last segment, not a path")
		}
		c.op = opRename
		c.dest = append(append([]string(nil), c.path[:len(c.path)-1]...), r.To)
		err = first(inOlder(r.Path), inNewer(join(c.dest)))
		if err == nil {
			c.reqFrom, c.reqTo = becomesMandatory(older.Fields[r.Path], newer.Fields[join(c.dest)])
		}
	case "move":
		c.op = opMove
		c.dest = split(r.To)
		err = first(inOlder(r.Path), inNewer(r.To), notIn(newer, to, r.Path), notIn(older, from, r.To))
		if err == nil {
			c.reqFrom, c.reqTo = becomesMandatory(older.Fields[r.Path], newer.Fields[r.To])
		}
	case "restructure":
		c.op = opRestructure
		c.dest = split(r.To)
		err = first(inOlder(r.Path), inNewer(r.To))
		if err == nil {
			arr := join(c.dest[:len(c.dest)-1])
			switch {
			case len(c.dest) < 2 || newer.Fields[arr].Type != pia.TypeArray:
				err = fmt.Errorf("to must be a member of an array in PIA %s", to)
			case join(c.path[:len(c.path)-1]) != join(c.dest[:len(c.dest)-2]):
				err = fmt.Errorf("the array %s must sit beside %s", arr, r.Path)
			case r.Combine != "sum" && r.Combine != "first":
				err = fmt.Errorf("combine must be sum or first")
			}
			c.reqFrom = older.Fields[r.Path].Required
		}
	case "remove":
		c.op = opRemove
		err = first(inOlder(r.Path), notIn(newer, to, r.Path))
		if err == nil {
			c.reqFrom = older.Fields[r.Path].Required
		}
	case "add":
		c.op = opAdd
		err = first(inNewer(r.Path), notIn(older, from, r.Path))
		if err == nil {
			c.reqTo = newer.Fields[r.Path].Required
		}
	case "require", "optional":
		// Whether the field really changed is read from the schemas, not
		// enforced: an override schema directory may make it mandatory
		// or optional in both, and the rule then simply does nothing.
		c.op = opRequire
		if r.Op == "optional" {
			c.op = opOptional
		}
		err = first(inOlder(r.Path), inNewer(r.Path))
		if err == nil {
			c.reqFrom, c.reqTo = becomesMandatory(older.Fields[r.Path], newer.Fields[r.Path])
		}
	case "retype":
		c.op = opRetype
		err = first(inOlder(r.Path), inNewer(r.Path))
		if err == nil {
			a, b := older.Fields[r.Path].Type, newer.Fields[r.Path].Type
			switch {
			case a == pia.TypeString && b.IsNumber():
				c.toNumber = true
				c.digitCode = newer.Fields[r.Path].DigitString
			case a.IsNumber() && b == pia.TypeString:
				c.digitCode = older.Fields[r.Path].DigitString
			default:
				err = fmt.Errorf("retype converts between string and number; %s is %s in PIA %s and %s in PIA %s", r.Path, typeName(a), from, typeName(b), to)
			}
		}
	case "codes":
		c.op = opCodes
		err = first(inOlder(r.Path), inNewer(r.Path))
		if err == nil {
			c.codes, c.back, err = codeMaps(r, older.Fields[r.Path], newer.Fields[r.Path], from, to)
		}
	default:
		return nil, fmt.Errorf("unknown op %q", r.Op)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// codeMaps checks a codes rule's maps against the code lists of the two
// versions and derives the way down when Back is not given.
func codeMaps(r Rule, older, newer *pia.FieldInfo, from, to pia.Version) (up, down map[string]string, err error) {
	known := func(f *pia.FieldInfo, code string) bool {
		if len(f.Enum) == 0 {
			return true // an open list: nothing to check against
		}
		for _, e := range f.Enum {
			if fmt.Sprint(e) == code {
				return true
			}
		}
		return false
	}
	for a, b := range r.Map {
		if !known(older, a) {
			return nil, nil, fmt.Errorf("map: %s is not a code of %s in PIA %s", a, r.Path, from)
		}
		if !known(newer, b) {
			return nil, nil, fmt.Errorf("map: %s is not a code of %s in PIA %s", b, r.Path, to)
		}
	}
	down = r.Back
	if down == nil {
		down = map[string]string{}
		var clash []string
		for a, b := range r.Map {
			if other, dup := down[b]; dup {
				clash = append(clash, fmt.Sprintf("%s (%s or %s)", b, other, a))
			}
			down[b] = a
		}
		if len(clash) > 0 {
			sort.Strings(clash)
			return nil, nil, fmt.Errorf("map is not one-to-one: give back for %s", strings.Join(clash, ", "))
		}
	}
	for b, a := range down {
		if !known(newer, b) {
			return nil, nil, fmt.Errorf("back: %s is not a code of %s in PIA %s", b, r.Path, to)
		}
		if !known(older, a) {
			return nil, nil, fmt.Errorf("back: %s is not a code of %s in PIA %s", a, r.Path, from)
		}
	}
	return r.Map, down, nil
}

// becomesMandatory says whether a field is mandatory only in the newer
// version (reqTo) or only in the older (reqFrom).
func becomesMandatory(older, newer *pia.FieldInfo) (reqFrom, reqTo bool) {
	return older.Required && !newer.Required, newer.Required && !older.Required
}

func typeName(t pia.Type) string {
	if t == pia.TypeAny {
		return "untyped"
	}
	return string(t)
}

func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func split(p string) []string { return strings.Split(p, ".") }

func join(p []string) string { return strings.Join(p, ".") }
