package transform

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/validate"
)

// Watches states, for validate.CarryAcross, where the rules between two
// versions would act on a payload of method's kind: each rule Convert
// would apply, as the fields whose presence, absence or value set it off.
// It mirrors apply, rule by rule; on a body where no watch fires, Convert
// changes nothing, and the differential test holds the two together.
func (e *Engine) Watches(method string, kind pia.Kind, from, to pia.Version) []validate.Watch {
	var ws []validate.Watch
	add := func(path []string, when validate.When) {
		ws = append(ws, validate.Watch{Path: path, When: when})
	}
	e.effective(method, kind, from, to, func(r *rule, d dir) bool {
		last := len(r.path) - 1
		src, dst, required := r.path, r.dest, r.reqTo
		if d == down {
			src, dst, required = r.dest, r.path, r.reqFrom
		}
		switch r.op {
		case opRename, opMove:
			// The field present where it was, or, where it becomes
			// mandatory, absent where it goes (a placeholder).
			add(src, validate.WhenPresent)
			if required {
				add(dst, validate.WhenAbsent)
			}
		case opRestructure:
			if d == up { // toArray
				add(r.path, validate.WhenPresent)
				break
			}
			// toScalar reads the array member's array where the
			// scalar goes; ensure fills the scalar.
			add(append(append([]string(nil), r.path[:last]...), r.dest[len(r.dest)-2]), validate.WhenPresent)
			if r.hasDef || r.reqFrom {
				add(r.path, validate.WhenAbsent)
			}
		case opRemove, opAdd:
			if (r.op == opRemove) == (d == up) { // remove
				ws = append(ws, validate.Watch{Path: r.path, When: validate.WhenRemoved, Rule: r.ids[d]})
			} else if r.hasDef || required { // ensure
				add(r.path, validate.WhenAbsent)
			}
		case opRequire, opOptional:
			add(r.path, validate.WhenAbsent)
		case opRetype:
			if r.toNumber == (d == up) {
				ws = append(ws, validate.Watch{Path: r.path, When: validate.WhenString, DigitCode: r.digitCode})
			} else {
				add(r.path, validate.WhenNotString)
			}
		case opCodes:
			codes := r.codes
			if d == down {
				codes = r.back
			}
			ws = append(ws, validate.Watch{Path: r.path, When: validate.WhenCode, Codes: codes})
		default:
			// A rule this list does not know: every object acts.
			ws = append(ws, validate.Watch{Path: r.path[:1], When: validate.WhenPresent})
		}
		return true
	})
	return ws
}
