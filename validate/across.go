package validate

import (
	"fmt"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// A Watch says where a version rule would act on a body: on a field
// present, absent, or holding a certain value. transform states its rules
// this way (Engine.Watches), so that CleanAcross can tell, on the bytes,
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
)

// A Guard is what CleanAcross checks for one method and kind between a
// client's version and its upstream's: the upstream's validation plan,
// the rules' watches, and the fields whose normalisation differs between
// the two versions. Build it once with (*Validator).Guard.
type Guard struct {
	c    *compiled
	root *guardNode
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
}

// Guard builds what CleanAcross checks for a body of method's kind from a
// client of version from, going to an upstream of version to, under the
// rules' watches. It returns nil where CleanAcross cannot answer (no
// cleanable plan at to): the full path then always does.
//
// Beyond the rules, the full path normalises a carried body by the
// client's version (Normalize(from)). That changes nothing on a body Clean
// passes at to where both versions state a field alike (same type, same
// format); a field they state differently is watched as present, unless a
// rule retypes it between string and number, which Normalize(from) and the
// retype undo in turn, writing the value exactly as sent.
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
		g.root.watch(w, w.Path)
	}
	if f := v.lookup(from, method, kind); f != nil && f != c {
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

func (n *guardNode) watch(w Watch, path []string) {
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
		c.watch(w, path[1:])
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
		case fi.Type == pia.TypeObject || fi.Type == pia.TypeArray:
			c.normalisedAlike(d.node, retyped, path+".")
		}
	}
}

// CleanAcross is Clean for a body whose client speaks another version
// than its upstream: true says the body is valid at the upstream's
// version and that nothing the full path does to a carried body
// (Normalize by the client's version, the version rules) would change it,
// so it goes on as sent (policy carried-untouched-as-sent). Like Clean it
// is conservative, and the differential test in transform holds it to the
// full path.
func (v *Validator) CleanAcross(g *Guard, body []byte, o jsonbody.Options) bool {
	if g == nil || !o.Strict {
		return false
	}
	w := cleanWalker{b: body, limited: o.MaxElements > 0, budget: o.MaxElements}
	w.i = jsonbody.SkipSpace(body, 0)
	if !w.value(g.c.plan, g.root) {
		return false
	}
	return jsonbody.SkipSpace(body, w.i) == len(body)
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
