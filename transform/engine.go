// Package transform carries PIA payloads between versions of the PIA, so a
// K/L/D system built for an older PIA keeps working when OSS moves on, and
// an older K/L/D app keeps receiving what it understands when OSS sends
// newer payloads.
//
// The differences between consecutive versions are data: one file per
// version step under rules/ (embedded), each rule for one method and kind,
// written once in the upgrade direction. The engine derives the inverse
// of every rule for downgrades. A rules directory adds or overrides step
// files at load, so a new PIA version is supported by dropping in its
// schemas and its step's rules, with no rebuild.
//
// The decisions behind the rules (defaults, how an array folds back into
// a scalar, which strings become numbers) are policies in
// internal/pia/deviations.json whose ids start with "transform-".
package transform

import (
	"sort"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Engine converts decoded payloads between PIA versions. It is built once
// by Load and is safe for concurrent use.
type Engine struct {
	versions []pia.Version
	// steps[i] goes from versions[i] to versions[i+1].
	steps []step
	// reach maps each method and kind with rules to the part of its
	// payloads a placeholder can reach.
	reach map[methodKey]*reach
	// stripResponses removes from a response the fields the reader's
	// version does not have (policy transform-response-keeps-fields).
	stripResponses bool
	// withdrawn maps a method to the version its step files withdraw it in.
	withdrawn map[string]pia.Version
	// sources name the step file of each step, for people.
	sources []string
	// added are the methods the step files declare.
	added []MethodDecl
}

// StripResponses makes Convert remove, from responses, the fields the
// reader's version does not have. By default a response keeps them: only
// renames, moves, restructures and retypes (and the fills an older reader
// requires) are applied (policy transform-response-keeps-fields). Call it
// before the Engine is used.
func (e *Engine) StripResponses(on bool) { e.stripResponses = on }

// keeps reports whether rule r, applied in direction d to a payload of
// kind k, would only remove a field a response keeps.
func (e *Engine) keeps(r *rule, d dir, k pia.Kind) bool {
	if e.stripResponses || k != pia.Response {
		return false
	}
	return (r.op == opAdd && d == down) || (r.op == opRemove && d == up)
}

// Added lists the methods the step files declare as new in their version.
func (e *Engine) Added() []MethodDecl { return append([]MethodDecl(nil), e.added...) }

// Versions lists the versions the engine carries payloads between, oldest
// first.
func (e *Engine) Versions() []pia.Version { return append([]pia.Version(nil), e.versions...) }

// Steps names the step file of each step between consecutive versions
// (builtin rules/<from>-<to>.json or a file of a rules directory).
func (e *Engine) Steps() []string { return append([]string(nil), e.sources...) }

// Withdrawn maps each method a step file withdraws to the first version
// without it.
func (e *Engine) Withdrawn() map[string]pia.Version {
	out := make(map[string]pia.Version, len(e.withdrawn))
	for m, v := range e.withdrawn {
		out[m] = v
	}
	return out
}

type methodKey struct {
	method string
	kind   pia.Kind
}

type step struct {
	from, to pia.Version
	rules    map[methodKey][]*rule
}

type opKind uint8

const (
	opRename opKind = iota + 1
	opMove
	opRestructure
	opRemove
	opAdd
	opRequire
	opOptional
	opRetype
	opCodes
)

// dir is the direction a rule is applied in.
type dir uint8

const (
	up dir = iota
	down
)

// rule is a Rule checked against the catalog, its paths split.
type rule struct {
	op       opKind
	from, to pia.Version
	// path is in the from-version; dest (rename, move, restructure) in
	// the to-version.
	path, dest []string
	def        any
	hasDef     bool
	// reqTo says a field must be filled when upgrading (it is mandatory in
	// the newer version, and for rename, move, require, not in the older);
	// reqFrom the same when downgrading.
	reqFrom, reqTo bool
	// toNumber: retype makes a number of a string when upgrading.
	toNumber bool
	// digitCode: the number side of a retype also takes digit strings
	// (policy codes-as-digit-strings), so a leading-zero code stays text.
	digitCode bool
	combine   string
	// codes maps a Lampiran code upward, back downward.
	codes, back map[string]string
	// ids name the rule in Report.Applied, upgrading and downgrading.
	ids [2]string
}

// reach is the part of a method's payloads where the placeholders of
// missing fields can end up: the paths its rules name, and everything
// below a path a rule carries values to (rename, move, restructure), since
// a carried object may hold placeholders deeper down. finish looks for
// placeholders only there rather than in the whole payload.
type reach struct {
	children map[string]*reach
	all      bool
}

func (r *reach) add(p []string, all bool) {
	n := r
	for _, seg := range p {
		c := n.children[seg]
		if c == nil {
			c = &reach{children: map[string]*reach{}}
			n.children[seg] = c
		}
		n = c
	}
	n.all = n.all || all
}

// effective reports whether applying r in direction d can change a
// payload: an optional field added without a default changes nothing on
// the way up, for instance.
func (r *rule) effective(d dir) bool {
	switch r.op {
	case opAdd:
		return d == down || r.hasDef || r.reqTo
	case opRemove:
		return d == up || r.hasDef || r.reqFrom
	case opRequire:
		return d == up && r.reqTo
	case opCodes:
		return len(r.codes) > 0 && (d == up || len(r.back) > 0)
	case opOptional:
		return d == down && r.reqFrom
	}
	return true
}

// Report says what a conversion did.
type Report struct {
	// Applied lists the ids of the rules that changed the payload or found
	// a problem, in the order applied: "<from>><to>:<method>:<kind>:<op>:<path>",
	// the versions in the direction of travel. Their number is bounded by
	// the rules, so they suit logs and metric labels.
	Applied []string
	// Errors are what the payload cannot carry into the target version: a
	// string that cannot become a number, a new mandatory field with no
	// safe default, ... For a request the caller answers 400 with them.
	// The payload is still converted as far as possible, so for a response
	// (whose operation already happened upstream) the caller may forward
	// it and only log them. Field is a JSON pointer into the input
	// document where the field exists there, else where the target version
	// wants it; the errors are sorted by Field.
	Errors []pia.FieldError
}

// index is the position of the newest catalog version not newer than v: a
// version between snapshots speaks like the snapshot before it, as the
// catalog's schema inheritance has it. -1 when v is older than them all.
func (e *Engine) index(v pia.Version) int {
	i := sort.Search(len(e.versions), func(i int) bool { return v.Less(e.versions[i]) })
	return i - 1
}

// span returns the catalog positions of from and to; ok is false when
// nothing is to be done.
func (e *Engine) span(from, to pia.Version) (fi, ti int, ok bool) {
	if from.IsZero() || to.IsZero() {
		return 0, 0, false
	}
	fi, ti = max(e.index(from), 0), max(e.index(to), 0)
	return fi, ti, fi != ti
}

// Needed reports whether any rule would act on method's kind of payload
// between the two versions, so the caller can skip decoding when versions
// differ but nothing would change.
func (e *Engine) Needed(method string, kind pia.Kind, from, to pia.Version) bool {
	needed := false
	e.effective(method, kind, from, to, func(*rule, dir) bool {
		needed = true
		return false
	})
	return needed
}

// effective calls fn with each rule Convert would apply between the two
// versions, in the order Convert applies them, and the direction it
// applies in, until fn returns false.
func (e *Engine) effective(method string, kind pia.Kind, from, to pia.Version, fn func(*rule, dir) bool) {
	k := methodKey{method, kind}
	if e.reach[k] == nil {
		return
	}
	fi, ti, ok := e.span(from, to)
	if !ok {
		return
	}
	if fi < ti {
		for i := fi; i < ti; i++ {
			for _, r := range e.steps[i].rules[k] {
				if r.effective(up) && !e.keeps(r, up, kind) && !fn(r, up) {
					return
				}
			}
		}
		return
	}
	for i := fi - 1; i >= ti; i-- {
		rs := e.steps[i].rules[k]
		for j := len(rs) - 1; j >= 0; j-- {
			if rs[j].effective(down) && !e.keeps(rs[j], down, kind) && !fn(rs[j], down) {
				return
			}
		}
	}
}

// Convert carries a decoded tree (jsonbody.Decode's maps, slices,
// json.Number) of method's request or response from version from to
// version to, in either direction, step by step through the catalog's
// versions between them. It changes doc in place and returns the root to
// use. A zero version converts nothing: resolving versions is the
// caller's business.
func (e *Engine) Convert(method string, kind pia.Kind, from, to pia.Version, doc any) (any, Report) {
	k := methodKey{method, kind}
	reach := e.reach[k]
	if reach == nil {
		return doc, Report{}
	}
	if _, _, ok := e.span(from, to); !ok {
		return doc, Report{}
	}
	s := state{root: doc, from: from, to: to, ptr: make([]string, 0, 16), reach: reach}
	e.effective(method, kind, from, to, func(r *rule, d dir) bool {
		s.apply(r, d)
		return true
	})
	s.finish()
	return s.root, s.report
}
