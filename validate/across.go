package validate

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// A Watch says where a version rule would act on a body: on a field
// present, absent, or holding a certain value. transform states its rules
// this way (Engine.Watches), so that CarryAcross can tell, on the bytes,
// that no rule between two versions acts on a body.
type Watch struct {
	// Path is the field as the rule names it: the members leading to it,
	// arrays crossed at any depth, and its own name last.
	Path []string
	When When
	// Codes are the codes a recoding replaces (WhenCode).
	Codes map[string]string
	// DigitCode says a digit string with a leading zero is a code that a
	// retype to number leaves as text (WhenString).
	DigitCode bool
	// Rule names the rule in transform's Report.Applied (WhenRemoved):
	// CarryAcross reports the removals it makes by it.
	Rule string
}

// When is the condition under which a rule acts on its field.
type When uint8

const (
	// WhenPresent: the field is present, whatever its value.
	WhenPresent When = iota + 1
	// WhenAbsent: an object that holds the field's parent lacks it.
	WhenAbsent
	// WhenString: the field is a non-empty string (a retype to number).
	WhenString
	// WhenNotString: the field is a number or a boolean (a retype to text).
	WhenNotString
	// WhenCode: the field holds one of Codes, as a string or a number.
	WhenCode
	// WhenRemoved: the field is present, and the rule does nothing but
	// remove it: CarryAcross cuts it from the bytes where the upstream's
	// version does not know it, and leaves it to the full path otherwise.
	WhenRemoved
)

// maxDrops bounds the removals a Guard cuts (one bit each in a walk).
const maxDrops = 64

// A Guard is what CarryAcross checks for one method and kind between a
// client's version and its upstream's: the upstream's validation plan,
// the rules' watches, and the fields whose normalisation differs between
// the two versions. Build it once with (*Validator).Guard.
type Guard struct {
	c    *compiled
	root *guardNode
	// same: the client's version states the method as the upstream's
	// does (one compiled schema), so it normalises every field alike.
	same bool
	// rules name the removals (drop.rule), in the order the rules apply.
	rules []string
}

// guardNode overlays one value of a body: the plan node it was built
// against, what a value there must not be, and for an object, what its
// members must be. nil: nothing is watched at or below it.
type guardNode struct {
	plan *plan
	// obj is the plan of the objects here (objectPlan), against which
	// props and required are numbered.
	obj *plan
	// props are the nodes of the object's properties, by the plan's
	// property number; nil when none is watched.
	props []*guardNode
	// fail: any value here is left to the full path.
	fail bool
	// toNumber: a non-empty string acts (digitCode: unless it is a code
	// with a leading zero); toText: a number or a boolean acts.
	toNumber, digitCode, toText bool
	codes                       map[string]string
	// required are the properties a rule fills where they are absent.
	required []int
	// open are names the plan leaves open whose presence acts.
	open []string
	// anyObject: an object here at all acts (a rule fills a member the
	// plan does not know).
	anyObject bool
	// drops are the members a removal cuts here: names the plan does not
	// know, and no other rule watches (open).
	drops []drop
	// from is what the client's version states of the field here, where
	// it states it as the upstream's does (type and format): the full
	// path normalises its value by it, and CarryAcross may too.
	from *pia.FieldInfo
}

// drop is a member a rule removes: its name, and the rule's number in
// Guard.rules.
type drop struct {
	name string
	rule int
}

// Guard builds what CarryAcross checks for a body of method's kind from a
// client of version from, going to an upstream of version to, under the
// rules' watches. It returns nil where CarryAcross cannot answer (no
// cleanable plan at to): the full path then always does.
//
// Beyond the rules, the full path normalises a carried body by the
// client's version (Normalize(from)). Where both versions state a field
// alike (same type, same format) CarryAcross normalises its value as
// from does, by from's facts of the field (guardNode.from), and checks it
// so normalised at to; a field they state differently is watched as
// present, unless a rule retypes it between string and number, which
// Normalize(from) and the retype undo in turn, writing the value exactly
// as sent; a field only to states, from does not normalise.
func (v *Validator) Guard(from, to pia.Version, method string, kind pia.Kind, watches []Watch) *Guard {
	c := v.lookup(to, method, kind)
	if c == nil || !c.cleanable {
		return nil
	}
	g := &Guard{c: c, root: newGuardNode(c.plan)}
	retyped := map[string]bool{}
	for _, w := range watches {
		if w.When == WhenString || w.When == WhenNotString {
			retyped[strings.Join(w.Path, ".")] = true
		}
		g.root.watch(g, w, w.Path)
	}
	switch f := v.lookup(from, method, kind); {
	case f == c:
		g.same = true
	case f != nil:
		g.root.normalisedAlike(f.root, retyped, "")
	}
	return g
}

// objectPlan is the plan of the objects at a node: its own, or its
// items' across arrays, as transform's rules reach them.
func objectPlan(p *plan) *plan {
	for p != nil && len(p.props) == 0 && p.items != nil {
		p = p.items
	}
	return p
}

func newGuardNode(p *plan) *guardNode {
	return &guardNode{plan: p, obj: objectPlan(p)}
}

// child is the node of property name below n, made on first use; ok is
// false where the plan has no such property: closed, a body holding it
// is not Clean anyway; open, its presence is watched (n.open).
func (n *guardNode) child(name string) (c *guardNode, ok bool) {
	p := n.obj
	k := -1
	if p != nil {
		if i, found := p.index[name]; found {
			k = i
		}
	}
	if k < 0 {
		if p == nil || !p.closed {
			n.open = append(n.open, name)
		}
		return nil, false
	}
	if n.props == nil {
		n.props = make([]*guardNode, len(p.props))
	}
	if n.props[k] == nil {
		n.props[k] = newGuardNode(p.props[k].plan)
	}
	return n.props[k], true
}

func (n *guardNode) watch(g *Guard, w Watch, path []string) {
	if len(path) == 1 && w.When == WhenRemoved {
		if n.obj == nil || n.obj.indexOf(path[0]) >= 0 || len(g.rules) == maxDrops {
			// The upstream's version knows the name (a later rule
			// brings it back), or too many removals: the full path.
			w.When = WhenPresent
		} else {
			g.rules = append(g.rules, w.Rule)
			n.drops = append(n.drops, drop{path[0], len(g.rules) - 1})
			return
		}
	}
	if len(path) == 1 && w.When == WhenAbsent {
		k := -1
		if n.obj != nil {
			if i, ok := n.obj.index[path[0]]; ok {
				k = i
			}
		}
		if k >= 0 {
			n.required = append(n.required, k)
		} else {
			n.anyObject = true
		}
		return
	}
	c, ok := n.child(path[0])
	if !ok {
		return
	}
	if len(path) > 1 {
		c.watch(g, w, path[1:])
		return
	}
	switch w.When {
	case WhenPresent:
		c.fail = true
	case WhenString:
		// Two retypes of one field: a code is left as text only if both
		// leave it.
		c.digitCode = w.DigitCode && (c.digitCode || !c.toNumber)
		c.toNumber = true
	case WhenNotString:
		c.toText = true
	case WhenCode:
		if c.codes == nil {
			c.codes = map[string]string{}
		}
		for k, v := range w.Codes {
			c.codes[k] = v
		}
	default:
		panic(fmt.Sprintf("validate: unknown watch condition %d", w.When))
	}
}

// normalisedAlike watches the fields the client's version f normalises
// otherwise than the plan's (its annotation, norm), below n.
func (n *guardNode) normalisedAlike(f *node, retyped map[string]bool, prefix string) {
	for _, d := range f.declared {
		if n.drop(d.name) != nil {
			continue // cut, whatever its value
		}
		c, ok := n.child(d.name)
		if !ok {
			continue
		}
		path := prefix + d.name
		fi := d.node.info
		var ti *pia.FieldInfo
		if c.plan != nil {
			ti = c.plan.norm
		}
		switch {
		case ti == nil || fi.Type != ti.Type && !(retyped[path] && pia.Retypable(fi.Type, ti.Type)):
			c.fail = true
		case fi.Format != ti.Format:
			c.fail = true
		default:
			if fi.Type == ti.Type {
				c.from = fi
			}
			if fi.Type == pia.TypeObject || fi.Type == pia.TypeArray {
				c.normalisedAlike(d.node, retyped, path+".")
			}
		}
	}
}

// CarryAcross is Cleaner.Mend for a body whose client speaks another
// version than its upstream. ok says the body is valid at the upstream's
// version once the removals among the rules have cut their members and
// the client's version has normalised it, and that no other version rule
// would change it. out is the body to forward: body itself when nothing
// changes (policy carried-untouched-as-sent), else body less the members
// cut, each with its separator (policy carried-on-the-bytes), and with
// each value normalised written in its place (policy
// normalised-on-the-bytes); applied names the removals that cut, in the
// order the rules apply, as transform's Report.Applied would. Like Clean
// it is conservative, and the differential test in transform holds it to
// the full path.
func (v *Validator) CarryAcross(g *Guard, body []byte, o jsonbody.Options) (out []byte, applied []string, ok bool) {
	if g == nil || !o.Strict {
		return nil, nil, false
	}
	w := cleanWalker{b: body, mend: true, carry: g, limited: o.MaxElements > 0, budget: o.MaxElements}
	w.i = jsonbody.SkipSpace(body, 0)
	if !w.value(g.c.plan, g.root) || jsonbody.SkipSpace(body, w.i) != len(body) {
		return nil, nil, false
	}
	out, ok = w.spliced()
	if !ok {
		return nil, nil, false
	}
	return out, g.fired(w.fired), true
}

// fired names the removals whose bits are set, in rule order; nil for
// none.
func (g *Guard) fired(set uint64) []string {
	if set == 0 {
		return nil
	}
	names := make([]string, 0, bits.OnesCount64(set))
	for i, r := range g.rules {
		if set&(1<<i) != 0 {
			names = append(names, r)
		}
	}
	return names
}

// dropped is the rule number of the removal that cuts a member name
// here, or -1. A name another rule watches (open) is left to the full
// path.
func (n *guardNode) dropped(name string) int {
	if d := n.drop(name); d != nil && !slices.Contains(n.open, name) {
		return d.rule
	}
	return -1
}

func (n *guardNode) drop(name string) *drop {
	for i := range n.drops {
		if n.drops[i].name == name {
			return &n.drops[i]
		}
	}
	return nil
}

// actsOnString says whether a rule watching a string at n acts on s.
func (n *guardNode) actsOnString(s string) bool {
	if n.codes != nil {
		if _, ok := n.codes[s]; ok {
			return true
		}
	}
	if !n.toNumber || s == "" {
		return false
	}
	// A retype to number leaves a code with a leading zero as text.
	return !(n.digitCode && pia.Digits(s) && !isJSONNumber(s))
}

// actsOnNumber says whether a rule watching a number at n acts on the
// literal lit.
func (n *guardNode) actsOnNumber(lit string) bool {
	if n.toText {
		return true
	}
	_, ok := n.codes[lit]
	return ok
}
