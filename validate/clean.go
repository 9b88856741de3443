package validate

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Clean reports whether body is a payload the full path would forward
// untouched: jsonbody.DecodeWith(body, o) succeeds, Normalize changes
// nothing and Validate finds nothing, for the same version, and the body
// holds the schema's root member. It reads the bytes once against the
// validation plan and builds no tree, so the common request, a valid one
// from a client of the upstream's version, costs a scan.
//
// Clean is conservative: false says only that the full path must give the
// answer (a violation, a variation to normalise, a member the schema does
// not declare, an escaped member name, a number written unusually). It is
// never true where the full path would refuse or change the body; the
// differential test in clean_test.go and FuzzValidate hold it to that.
func (v *Validator) Clean(ver pia.Version, method string, kind pia.Kind, body []byte, o jsonbody.Options) bool {
	return v.Cleaner(ver, method, kind).Clean(body, o)
}

// Cleaner is Clean for one version, method and kind, the schema looked up
// once: a caller serving the same method on every request (the gateway's
// route) keeps it and the request skips the catalog. The zero Cleaner
// answers false.
type Cleaner struct{ c *compiled }

// Cleaner looks up the schema Clean reads a body against.
func (v *Validator) Cleaner(ver pia.Version, method string, kind pia.Kind) Cleaner {
	return Cleaner{v.lookup(ver, method, kind)}
}

// Has reports whether the Cleaner has a schema, as Validator.Has does for
// the version, method and kind it was looked up for.
func (cl Cleaner) Has() bool { return cl.c != nil }

// Clean is Validator.Clean for the Cleaner's schema.
func (cl Cleaner) Clean(body []byte, o jsonbody.Options) bool {
	_, ok := cl.read(body, o, false)
	return ok
}

// Mend is Clean for a body the full path would also forward once
// Normalize has changed it (policy normalised-on-the-bytes): ok says the
// full path accepts body, and out is what it forwards, body itself when
// nothing is normalised, else a copy with each normalised value written
// in place of the one sent ("12" as 12, a date with its time, {…} as
// [{…}]), the rest as sent: members in their order, spacing, escapes.
// Like Clean it is conservative and reads the bytes once.
func (cl Cleaner) Mend(body []byte, o jsonbody.Options) (out []byte, ok bool) {
	return cl.read(body, o, true)
}

func (cl Cleaner) read(body []byte, o jsonbody.Options, mend bool) ([]byte, bool) {
	c := cl.c
	if c == nil || c.plan == nil || !c.cleanable || !o.Strict {
		return nil, false
	}
	w := cleanWalker{b: body, mend: mend, limited: o.MaxElements > 0, budget: o.MaxElements}
	w.i = jsonbody.SkipSpace(body, 0)
	if !w.value(c.plan, nil) || jsonbody.SkipSpace(body, w.i) != len(body) {
		return nil, false
	}
	return w.spliced()
}

// cleanable says whether Clean may answer for a schema: one whose numbers
// are compared arithmetically (an override's minimum) is left to the full
// path, and so is one whose root member (Root) the plan does not require,
// so that a valid body also passes the gateway's root check.
func cleanable(c *compiled) bool {
	if c.arithmetic || c.plan == nil {
		return false
	}
	root := rootOf(c.root)
	if root == "" {
		return true
	}
	i := c.plan.indexOf(root)
	return i >= 0 && slices.Contains(c.plan.requiredAt, i)
}

// annotate hands each plan node what Normalize knows of its field,
// following Normalize's own descent: the members of an object field, the
// members of the objects in an array field, nothing below other fields or
// fields the index does not declare.
func annotate(p *plan, n *node) {
	for _, m := range p.props {
		c := n.children[m.name]
		if c == nil || c.info == nil {
			continue
		}
		m.plan.norm = c.info
		switch c.info.Type {
		case pia.TypeObject:
			annotate(m.plan, c)
		case pia.TypeArray:
			if m.plan.items != nil {
				annotate(m.plan.items, c)
			}
		}
	}
}

// cleanWalker reads one body against a plan. Every method returns false
// as soon as the full path is needed.
type cleanWalker struct {
	b     []byte
	i     int
	depth int
	// mend: a value Normalize would change is written as it would leave
	// it (an edit), where Clean returns false.
	mend bool
	// carry is the Guard of a CarryAcross walk, nil for a client of the
	// upstream's version: the full path normalises a carried body by the
	// client's version, so a value is mended by that version's facts of
	// its field (guardNode.from), and only where it states the field as
	// the upstream's version does.
	carry   *Guard
	limited bool
	budget  int
	// others holds the names of the members a schema leaves open, of the
	// objects being read, to tell a repeated one.
	others  [32]string
	nOthers int
	// edits are what the body forwarded differs by, in the order of the
	// bytes: the members a removal cuts (CarryAcross) and the values
	// normalised (mend). The first few here, the rest in more.
	edits  [8]edit
	nEdits int
	more   []edit
	// fired has a bit for each removal that cut a member (Guard.rules).
	fired uint64
}

// edit is one change to the body: body[from:to] is written as with.
type edit struct {
	from, to int
	with     string
}

// cut records that body[from:to] goes.
func (w *cleanWalker) cut(from, to int) {
	w.record(edit{from, to, ""})
}

// norm is what the full path normalises a value at p by (nil: nothing),
// g being its guard node, and may whether the walker may write the value
// so normalised; where it may not, a value that normalisation would
// change is the full path's to judge.
func (w *cleanWalker) norm(p *plan, g *guardNode) (f *pia.FieldInfo, may bool) {
	switch {
	case p == nil:
		return nil, false
	case w.carry == nil && g == nil:
		return p.norm, w.mend // a client of the upstream's version
	case w.carry == nil || w.carry.same:
		return p.norm, w.mend && g.quiet()
	case g != nil && g.plan == p && g.from != nil:
		return g.from, w.mend && g.quiet()
	}
	return p.norm, false
}

// quiet says whether nothing at n keeps a value from being normalised on
// the bytes: no rule watches its type or codes, and none acts on it.
func (n *guardNode) quiet() bool {
	return n == nil || !n.fail && !n.toText && !n.toNumber && n.codes == nil
}

// mended records that body[from:to] is written as with, where the walker
// mends; it returns false, for the full path, where it does not.
func (w *cleanWalker) mended(from, to int, with string) bool {
	if !w.mend {
		return false
	}
	w.record(edit{from, to, with})
	return true
}

func (w *cleanWalker) record(e edit) {
	if w.nEdits < len(w.edits) {
		w.edits[w.nEdits] = e
		w.nEdits++
		return
	}
	w.more = append(w.more, e)
}

// spliced is the body with its edits: the body itself without any. The
// walk records them in the order of the bytes; edits out of that order
// would be a mistake of the walker's, answered false (the full path)
// rather than with a body spliced wrong.
func (w *cleanWalker) spliced() ([]byte, bool) {
	if w.nEdits == 0 {
		return w.b, true
	}
	edits := append(w.edits[:w.nEdits:w.nEdits], w.more...)
	n, at := len(w.b), 0
	for _, e := range edits {
		if e.from < at || e.to < e.from {
			return nil, false
		}
		at = e.to
		n += len(e.with) - (e.to - e.from)
	}
	out := make([]byte, 0, n)
	at = 0
	for _, e := range edits {
		out = append(out, w.b[at:e.from]...)
		out = append(out, e.with...)
		at = e.to
	}
	return append(out, w.b[at:]...), true
}

// view shows b as a string for the duration of a check, without a copy:
// the body is not written while it is read.
func view(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// value reads the value at the cursor against p; nil p accepts any value.
// g is what a version rule watches there (CarryAcross), nil for nothing.
func (w *cleanWalker) value(p *plan, g *guardNode) bool {
	if !w.spend() {
		return false
	}
	if w.i >= len(w.b) || g != nil && g.fail {
		return false
	}
	switch c := w.b[w.i]; {
	case c == '{':
		return w.object(p, g)
	case c == '[':
		return w.array(p, g)
	case c == '"':
		return w.str(p, g)
	case c == '-' || c >= '0' && c <= '9':
		return w.number(p, g)
	case c == 't':
		return w.literal("true", p, tBoolean, notABoolCode(p, true) || g != nil && g.toText)
	case c == 'f':
		return w.literal("false", p, tBoolean, notABoolCode(p, false) || g != nil && g.toText)
	case c == 'n':
		return w.literal("null", p, tNull, p != nil && p.enum != nil && !p.enum.null)
	}
	return false
}

// spend counts a value against the decoder's limit on their number.
func (w *cleanWalker) spend() bool {
	if w.limited {
		if w.budget == 0 {
			return false
		}
		w.budget--
	}
	return true
}

// admits says whether p's type keyword lets a value of type t through.
func admits(p *plan, t jtype) bool {
	return p == nil || p.types == 0 || p.types&t != 0
}

func (w *cleanWalker) literal(word string, p *plan, t jtype, notACode bool) bool {
	if !strings.HasPrefix(view(w.b[w.i:]), word) || !literalOK(p, t, notACode) {
		return false
	}
	w.i += len(word)
	return true
}

// notABoolCode says whether p's enum leaves out the boolean yes.
func notABoolCode(p *plan, yes bool) bool {
	return p != nil && p.enum != nil && (yes && !p.enum.yes || !yes && !p.enum.no)
}

// literalOK says whether true, false or null (of type t) is valid at p.
func literalOK(p *plan, t jtype, notACode bool) bool {
	if !admits(p, t) || notACode {
		return false
	}
	// A boolean or null among codes: rare, left to the tree.
	return p == nil || p.check == nil || p.checkSet == nil
}

func (w *cleanWalker) number(p *plan, g *guardNode) bool {
	start := w.i
	end, ok := jsonbody.ScanNumber(w.b, w.i)
	if !ok {
		return false
	}
	w.i = end
	lit := view(w.b[start:end])
	if g != nil && g.actsOnNumber(lit) {
		return false
	}
	if p == nil {
		return true
	}
	if f, may := w.norm(p, g); f != nil && f.Type == pia.TypeString {
		if !may {
			return false
		}
		// zero-padded-code: the code the number lost its zeros from.
		if code, ok := paddedCode(f, lit); ok {
			return strOK(p, code) && w.mended(start, start, `"`) && w.mended(start, end, code) && w.mended(end, end, `"`)
		}
		// normalize-string-number: the number as text, written as sent.
		return strOK(p, lit) && w.mended(start, start, `"`) && w.mended(end, end, `"`)
	}
	return numberOK(p, lit)
}

// numberOK says whether the number written lit is valid at p.
func numberOK(p *plan, lit string) bool {
	if !admits(p, tNumber) {
		return false
	}
	if p.enum != nil && !p.enum.literals[lit] {
		return false
	}
	if p.check != nil {
		if p.checkSet != nil && !p.checkSet.literals[lit] {
			return false
		}
		if p.check.hasLimits && !p.check.plainWithin(lit) {
			return false
		}
	}
	return true
}

func (w *cleanWalker) str(p *plan, g *guardNode) bool {
	start := w.i + 1
	end, ok := jsonbody.ScanStringBody(w.b, start)
	if !ok {
		return false
	}
	w.i = end
	raw := w.b[start : end-1]
	var s string
	if bytes.IndexByte(raw, '\\') < 0 {
		if !utf8.Valid(raw) {
			return false
		}
		s = view(raw)
	} else {
		// An escaped string is read by the decoder itself, which is
		// where escapes and surrogates are decided.
		v, err := jsonbody.DecodeWith(w.b[start-1:end], jsonbody.Options{Strict: true})
		if err != nil {
			return false
		}
		s = v.(string)
	}
	if g != nil && g.actsOnString(s) {
		return false
	}
	if p == nil {
		return true
	}
	if f, may := w.norm(p, g); f != nil {
		switch f.Type {
		case pia.TypeNumber, pia.TypeInteger:
			if isJSONNumber(s) { // normalize-number-string
				return may && numberOK(p, s) && w.mended(start-1, end, s)
			}
		case pia.TypeBoolean:
			if s == "true" || s == "false" { // normalize-boolean-string
				return may && literalOK(p, tBoolean, notABoolCode(p, s == "true")) && w.mended(start-1, end, s)
			}
		case pia.TypeString:
			// date-for-datetime, datetime-for-date, iso-local-datetime
			if t, changed := normalizeDate(f.Format, s); changed {
				return may && strOK(p, t) && w.mended(start, end-1, t)
			}
		}
	}
	return strOK(p, s)
}

// strOK says whether the string s is valid at p.
func strOK(p *plan, s string) bool {
	if !admits(p, tString) {
		return false
	}
	if p.enum != nil && !p.enum.strings[s] {
		return false
	}
	if p.check != nil && p.checkSet != nil && !p.checkSet.strings[s] {
		return false
	}
	if p.formatText != nil && p.formatText(s) != nil {
		return false
	}
	if p.minLength >= 0 || p.maxLength >= 0 && len(s) > p.maxLength {
		n := utf8.RuneCountInString(s)
		if p.minLength >= 0 && n < p.minLength || p.maxLength >= 0 && n > p.maxLength {
			return false
		}
	}
	return p.pattern == nil || p.pattern.MatchString(s)
}

func (w *cleanWalker) enter() bool {
	w.depth++
	return w.depth <= jsonbody.MaxDepth
}

// array reads an array against p; g, what is watched at the array,
// watches each of its members too, as the rules reach them.
func (w *cleanWalker) array(p *plan, g *guardNode) bool {
	var items *plan
	if p != nil {
		if f, may := w.norm(p, g); f != nil && f.Type == pia.TypeObject {
			return may && w.arrayForObject(p, g)
		}
		if !admits(p, tArray) || p.enum != nil || p.check != nil {
			return false
		}
		items = p.items
	}
	if !w.enter() {
		return false
	}
	w.i = jsonbody.SkipSpace(w.b, w.i+1)
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		w.depth--
		return true
	}
	for {
		if !w.value(items, g) {
			return false
		}
		more, ok := w.after(']')
		if !ok || !more {
			w.depth--
			return ok
		}
	}
}

// after reads what follows a member of an array or an object: a comma,
// with more members to come, or the closing bracket, which it consumes;
// ok is false for anything else.
func (w *cleanWalker) after(closing byte) (more, ok bool) {
	w.i = jsonbody.SkipSpace(w.b, w.i)
	if w.i >= len(w.b) {
		return false, false
	}
	switch w.b[w.i] {
	case ',':
		w.i = jsonbody.SkipSpace(w.b, w.i+1)
		return true, true
	case closing:
		w.i++
		return false, true
	}
	return false, false
}

// object reads an object against p (nil: any members), each member once,
// then checks required and anyOf on the members seen.
func (w *cleanWalker) object(p *plan, g *guardNode) bool {
	if f, may := w.norm(p, g); f != nil && f.Type == pia.TypeArray {
		return may && w.singleObject(p, g)
	}
	if !objectAdmitted(p, g) {
		return false
	}
	if !w.enter() {
		return false
	}
	// Properties seen, one bit each, on the stack for the usual object;
	// the names of other members wait in w.others above base.
	var small [2]uint64
	seen := small[:]
	if p != nil {
		if n := (len(p.props) + 63) / 64; n > len(small) {
			seen = make([]uint64, n)
		}
	}
	base := w.nOthers
	// A member cut goes with the separator before it (after the last
	// member kept), or, with none kept yet, up to the next member's name
	// (pending, from its own name on).
	kept, pending, lastEnd := -1, -1, -1
	// prev is the property read last, whose next guesses the one now.
	prev := 0
	if p != nil {
		prev = len(p.props)
	}
	w.i = jsonbody.SkipSpace(w.b, w.i+1)
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
	} else {
		for {
			if w.i >= len(w.b) || w.b[w.i] != '"' {
				return false
			}
			member := w.i
			if pending >= 0 {
				w.cut(pending, member)
				pending = -1
			}
			start := w.i + 1
			end, ok := jsonbody.ScanStringBody(w.b, start)
			if !ok {
				return false
			}
			name := view(w.b[start : end-1])
			var sub *plan
			var subGuard *guardNode
			k, known := -1, false
			if p != nil {
				k, known = p.property(prev, name)
				if known {
					prev = k
				}
			}
			dropped := -1
			if !known && g != nil && g.drops != nil {
				dropped = g.dropped(name)
			}
			switch {
			case dropped >= 0:
				// Named once, like any member; its value is read as the
				// decoder would and goes with it.
				if !w.other(base, name) {
					return false
				}
				w.fired |= 1 << dropped
			case known:
				if seen[k/64]&(1<<(k%64)) != 0 {
					return false // repeated
				}
				seen[k/64] |= 1 << (k % 64)
				sub = p.props[k].plan
				if g != nil && g.props != nil {
					subGuard = g.props[k]
				}
			case p != nil && p.closed:
				return false // undeclared: a violation
			default:
				// A member the schema leaves open. An escaped name is
				// left to the tree, which alone tells "a" from "\u0061".
				if !w.other(base, name) || g != nil && slices.Contains(g.open, name) {
					return false
				}
			}
			w.i = jsonbody.SkipSpace(w.b, end)
			if w.i >= len(w.b) || w.b[w.i] != ':' {
				return false
			}
			w.i = jsonbody.SkipSpace(w.b, w.i+1)
			if !w.value(sub, subGuard) {
				return false
			}
			switch {
			case dropped < 0:
				kept = w.i
			case kept >= 0:
				w.cut(kept, w.i)
				kept = w.i // what follows a cut is cut from its end
			default:
				pending = member
			}
			lastEnd = w.i
			more, ok := w.after('}')
			if !ok {
				return false
			}
			if more {
				continue
			}
			if pending >= 0 {
				w.cut(pending, lastEnd)
			}
			break
		}
	}
	w.depth--
	w.nOthers = base // a failed walk ends here, so only success restores
	return complete(p, g, seen)
}

// objectAdmitted says whether an object may stand at p, where g watches.
func objectAdmitted(p *plan, g *guardNode) bool {
	if g != nil && (g.anyObject || g.obj != p) {
		return false
	}
	return p == nil || admits(p, tObject) && p.enum == nil && p.check == nil && len(p.unlisted) == 0
}

// complete says whether an object holding the properties seen (one bit
// each) has the members p and g require, and one of p's anyOf branches.
func complete(p *plan, g *guardNode, seen []uint64) bool {
	if p == nil {
		return true
	}
	has := func(k int) bool { return k >= 0 && k/64 < len(seen) && seen[k/64]&(1<<(k%64)) != 0 }
	for _, k := range p.requiredAt {
		if !has(k) {
			return false
		}
	}
	if g != nil {
		for _, k := range g.required {
			if !has(k) {
				return false
			}
		}
	}
	if len(p.anyOfAt) == 0 {
		return true
	}
branches:
	for _, branch := range p.anyOfAt {
		for _, k := range branch {
			if !has(k) {
				continue branches
			}
		}
		return true
	}
	return false
}

// arrayForObject reads an array where an object is documented (p): one
// object alone in it is that object (policy array-for-object), and the
// brackets around it go; an empty one is the empty object (policy
// empty-array-for-object); anything else is the full path's to refuse.
func (w *cleanWalker) arrayForObject(p *plan, g *guardNode) bool {
	if !w.enter() {
		return false
	}
	open := w.i
	w.i = jsonbody.SkipSpace(w.b, w.i+1)
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		w.depth--
		return objectAdmitted(p, g) && complete(p, g, nil) && w.mended(open, w.i, "{}")
	}
	if w.i >= len(w.b) || w.b[w.i] != '{' || !w.spend() || !w.mended(open, w.i, "") || !w.object(p, g) {
		return false
	}
	end := w.i
	w.i = jsonbody.SkipSpace(w.b, w.i)
	if w.i >= len(w.b) || w.b[w.i] != ']' {
		return false
	}
	w.i++
	w.depth--
	return w.mended(end, w.i, "")
}

// singleObject reads an object where an array of objects is documented
// (p): it is the array's one member (policy normalize-single-object),
// bracketed, unless its member names are list indexes (listObject).
func (w *cleanWalker) singleObject(p *plan, g *guardNode) bool {
	if !admits(p, tArray) || p.enum != nil || p.check != nil {
		return false
	}
	if name, ok := w.firstName(); ok {
		if _, index := listIndex(name); index && (p.items == nil || p.items.indexOf(name) < 0) {
			return w.listObject(p, g)
		}
	}
	return w.mended(w.i, w.i, "[") && w.object(p.items, g) && w.mended(w.i, w.i, "]")
}

// firstName is the name of the first member of the object at the cursor,
// as written.
func (w *cleanWalker) firstName() (string, bool) {
	i := jsonbody.SkipSpace(w.b, w.i+1)
	if i >= len(w.b) || w.b[i] != '"' {
		return "", false
	}
	end, ok := jsonbody.ScanStringBody(w.b, i+1)
	if !ok {
		return "", false
	}
	return view(w.b[i+1 : end-1]), true
}

// listObject reads an object whose member names are list indexes where an
// array is documented (p): the list PHP writes as an object when its
// indexes have gaps (policy php-list-as-object). Its values are read as
// the array's members; written in the order of their indexes, the braces
// become brackets and the names go. Another order is the full path's to
// sort, and a name that is not an index, the full path's to judge.
func (w *cleanWalker) listObject(p *plan, g *guardNode) bool {
	if !w.enter() || !w.mended(w.i, w.i+1, "[") {
		return false
	}
	w.i = jsonbody.SkipSpace(w.b, w.i+1)
	last := -1
	for {
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return false
		}
		member := w.i
		end, ok := jsonbody.ScanStringBody(w.b, w.i+1)
		if !ok {
			return false
		}
		name := view(w.b[w.i+1 : end-1])
		i, index := listIndex(name)
		if !index || i <= last || p.items != nil && p.items.indexOf(name) >= 0 {
			return false
		}
		last = i
		w.i = jsonbody.SkipSpace(w.b, end)
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return false
		}
		w.i = jsonbody.SkipSpace(w.b, w.i+1)
		if !w.mended(member, w.i, "") || !w.value(p.items, g) {
			return false
		}
		more, ok := w.after('}')
		if !ok {
			return false
		}
		if !more {
			w.depth--
			return w.mended(w.i-1, w.i, "]")
		}
	}
}

// property numbers the member name read after property prev (len(props)
// for the first), trying the guess before the index.
func (p *plan) property(prev int, name string) (int, bool) {
	g := p.next[prev].Load()
	if g >= 0 && p.props[g].name == name {
		return int(g), true
	}
	k, ok := p.index[name]
	if ok && g < 0 {
		p.next[prev].CompareAndSwap(-1, int32(k))
	}
	return k, ok
}

// other records the name of an open member of the object whose names
// start at base, refusing one named before, escaped or not UTF-8. The
// walker holds a few such names; an object with more goes to the tree.
func (w *cleanWalker) other(base int, name string) bool {
	if strings.IndexByte(name, '\\') >= 0 || !utf8.ValidString(name) || w.nOthers == len(w.others) {
		return false
	}
	for _, o := range w.others[base:w.nOthers] {
		if o == name {
			return false
		}
	}
	w.others[w.nOthers] = name
	w.nOthers++
	return true
}
