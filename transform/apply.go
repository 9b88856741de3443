package transform

import (
	"encoding/json"
	"math/big"
	"strconv"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// state is one conversion in progress.
type state struct {
	root     any
	from, to pia.Version
	report   Report
	// ptr is the JSON pointer segments of the object being visited.
	ptr []string
	// missing counts the placeholders of absent mandatory fields in the
	// tree; finish turns them into errors.
	missing int
	// renames applied so far, to point errors at the input's names.
	renames []appliedRename
	reach   *reach
}

// missing stands in the tree for a mandatory field that could not be
// filled. It travels with later rules (a move carries it to where the
// target version wants the field) and finish reports it where it ends up,
// so a chain of steps names the field as the target version does.
type missing struct {
	r *rule
	d dir
	// msg and args are made once for all the places one rule left empty.
	msg  pia.Msg
	args []any
}

type appliedRename struct {
	parent   []string
	from, to string
}

func (s *state) apply(r *rule, d dir) {
	if !r.effective(d) {
		return
	}
	var changed bool
	last := len(r.path) - 1
	switch r.op {
	case opRename:
		if d == up {
			changed = s.rename(r.path, r.dest[last], r.reqTo, r, d)
		} else {
			changed = s.rename(r.dest, r.path[last], r.reqFrom, r, d)
		}
	case opMove:
		if d == up {
			changed = s.move(r.path, r.dest, r.to, r.reqTo, r, d)
		} else {
			changed = s.move(r.dest, r.path, r.from, r.reqFrom, r, d)
		}
	case opRestructure:
		if d == up {
			changed = s.toArray(r.path, r.dest)
		} else {
			changed = s.toScalar(r.dest, r.path, r)
			changed = s.ensure(r.path, r, d, r.reqFrom) || changed
		}
	case opRemove:
		if d == up {
			changed = s.remove(r.path)
		} else {
			changed = s.ensure(r.path, r, d, r.reqFrom)
		}
	case opAdd:
		if d == up {
			changed = s.ensure(r.path, r, d, r.reqTo)
		} else {
			changed = s.remove(r.path)
		}
	case opRequire, opOptional:
		changed = s.ensure(r.path, r, d, true)
	case opRetype:
		changed = s.retype(r.path, r.toNumber == (d == up), r)
	case opCodes:
		if d == up {
			changed = s.recode(r.path, r.codes)
		} else {
			changed = s.recode(r.path, r.back)
		}
	}
	if changed {
		s.report.Applied = append(s.report.Applied, r.ids[d])
	}
}

// objects calls fn for every object at path p below node, p crossing
// arrays at any depth: a segment under an array addresses each element,
// and a single object where an array is documented is taken as it is.
// s.ptr points at the object while fn runs. It reports whether any fn
// call did.
func (s *state) objects(node any, p []string, fn func(map[string]any) bool) bool {
	switch n := node.(type) {
	case map[string]any:
		if len(p) == 0 {
			return fn(n)
		}
		child, ok := n[p[0]]
		if !ok {
			return false
		}
		s.ptr = append(s.ptr, p[0])
		did := s.objects(child, p[1:], fn)
		s.ptr = s.ptr[:len(s.ptr)-1]
		return did
	case []any:
		did := false
		for i, el := range n {
			s.ptr = append(s.ptr, strconv.Itoa(i))
			if s.objects(el, p, fn) {
				did = true
			}
			s.ptr = s.ptr[:len(s.ptr)-1]
		}
		return did
	}
	return false
}

// rename gives the last segment of src the name to. When a payload has
// both names, the one the target version knows wins: the sender wrote it
// deliberately (policy transform-rename-both). A field absent under both
// names that becomes mandatory (required) gets a placeholder.
func (s *state) rename(src []string, to string, required bool, r *rule, d dir) bool {
	key := src[len(src)-1]
	var m *missing
	did := s.objects(s.root, src[:len(src)-1], func(o map[string]any) bool {
		v, ok := o[key]
		if !ok {
			if _, taken := o[to]; taken || !required {
				return false
			}
			if m == nil {
				m = &missing{r: r, d: d}
			}
			o[to] = m
			s.missing++
			return true
		}
		delete(o, key)
		if _, taken := o[to]; !taken {
			o[to] = v
		}
		return true
	})
	if did {
		s.renames = append(s.renames, appliedRename{parent: src[:len(src)-1], from: key, to: to})
	}
	return did
}

// move carries the value at src to dst. Below their deepest common
// object, the value is taken from the first source that has one (a move
// out of array members: policy transform-move-first) and written into
// every target object (a move into array members), which must exist in
// dst's version ver. With no source, a target that becomes mandatory
// (required) gets a placeholder.
func (s *state) move(src, dst []string, ver pia.Version, required bool, r *rule, d dir) bool {
	n := 0
	for n < len(src)-1 && n < len(dst)-1 && src[n] == dst[n] {
		n++
	}
	srcKey, dstKey := src[len(src)-1], dst[len(dst)-1]
	var m *missing
	return s.objects(s.root, src[:n], func(c map[string]any) bool {
		var v any
		var from []string
		found := false
		s.objects(c, src[n:len(src)-1], func(o map[string]any) bool {
			x, ok := o[srcKey]
			if !ok {
				return false
			}
			delete(o, srcKey)
			if !found || (!hasValue(v) && hasValue(x)) {
				v, found = x, true
				from = append(append(from[:0], s.ptr...), srcKey)
			}
			return true
		})
		if !found {
			if !required {
				return false
			}
			if m == nil {
				m = &missing{r: r, d: d}
			}
			v = m
		}
		targets, filled := 0, false
		s.objects(c, dst[n:len(dst)-1], func(o map[string]any) bool {
			targets++
			if _, ok := o[dstKey]; !ok {
				o[dstKey] = jsonbody.CloneTree(v)
				filled = true
				if _, ok := v.(*missing); ok {
					s.missing++
				}
			}
			return true
		})
		if targets == 0 && hasValue(v) {
			s.fail(from, "transform", join(dst), "", pia.MsgNoTarget, join(dst), ver)
		}
		return found || filled
	})
}

// toArray turns the scalar at src into the one-element array whose member
// dst is.
func (s *state) toArray(src, dst []string) bool {
	key, arr, member := src[len(src)-1], dst[len(dst)-2], dst[len(dst)-1]
	return s.objects(s.root, src[:len(src)-1], func(o map[string]any) bool {
		v, ok := o[key]
		if !ok {
			return false
		}
		delete(o, key)
		if _, ok := o[arr]; !ok {
			o[arr] = []any{map[string]any{member: v}}
		}
		return true
	})
}

// toScalar folds the members src of an array back into the scalar dst
// (policy transform-restructure-combine).
func (s *state) toScalar(src, dst []string, r *rule) bool {
	arr, member, key := src[len(src)-2], src[len(src)-1], dst[len(dst)-1]
	return s.objects(s.root, dst[:len(dst)-1], func(o map[string]any) bool {
		a, ok := o[arr]
		if !ok {
			return false
		}
		delete(o, arr)
		s.ptr = append(s.ptr, arr)
		v, ok := s.combine(a, member, r)
		s.ptr = s.ptr[:len(s.ptr)-1]
		if _, taken := o[key]; ok && !taken {
			o[key] = v
		}
		return true
	})
}

// combine folds the member of every element of a (an array, or a single
// object) into one value: the first that has a value, or the exact
// decimal sum. ok is false when no element has a value.
func (s *state) combine(a any, member string, r *rule) (any, bool) {
	var firstValue any
	found := false
	sum := new(big.Rat)
	decimals := 0
	s.objects(a, nil, func(el map[string]any) bool {
		v, ok := el[member]
		if !ok || !hasValue(v) {
			return false
		}
		if r.combine == "first" {
			if !found {
				firstValue, found = v, true
			}
			return false
		}
		text, ok := numberOf(v)
		var x *big.Rat
		if ok {
			x, ok = ratOf(text)
		}
		if !ok {
			got := quoted(v)
			s.fail(append(append([]string(nil), s.ptr...), member), "type", "number", got,
				pia.MsgNotSummable, join(r.path), r.from, got)
			return false
		}
		sum.Add(sum, x)
		decimals = max(decimals, decimalsOf(text))
		found = true
		return false
	})
	if !found {
		return nil, false
	}
	if r.combine == "first" {
		return firstValue, true
	}
	if sum.IsInt() {
		return json.Number(sum.Num().String()), true
	}
	return json.Number(sum.FloatString(decimals)), true
}

// remove deletes the field at p wherever it is.
func (s *state) remove(p []string) bool {
	key := p[len(p)-1]
	return s.objects(s.root, p[:len(p)-1], func(o map[string]any) bool {
		if _, ok := o[key]; !ok {
			return false
		}
		delete(o, key)
		return true
	})
}

// ensure fills the field at p in every object that should hold it and
// lacks it: with the rule's default, or, for a mandatory field without
// one, a placeholder that finish reports. A field present as null or ""
// is present (policies mandatory-means-present, null-is-no-value).
func (s *state) ensure(p []string, r *rule, d dir, required bool) bool {
	if !r.hasDef && !required {
		return false
	}
	key := p[len(p)-1]
	var m *missing
	return s.objects(s.root, p[:len(p)-1], func(o map[string]any) bool {
		if _, ok := o[key]; ok {
			return false
		}
		if r.hasDef {
			o[key] = jsonbody.CloneTree(r.def)
			return true
		}
		if m == nil {
			m = &missing{r: r, d: d}
		}
		o[key] = m
		s.missing++
		return true
	})
}

// retype converts the field at p to a number (toNumber) or to a string
// (policy transform-retype-number-text). "" and null stay as they are; a
// digit string with a leading zero never becomes a number (policy
// codes-as-digit-strings).
func (s *state) retype(p []string, toNumber bool, r *rule) bool {
	key := p[len(p)-1]
	return s.objects(s.root, p[:len(p)-1], func(o map[string]any) bool {
		v, ok := o[key]
		if !ok {
			return false
		}
		if !toNumber {
			if _, isString := v.(string); isString {
				return false
			}
			text, ok := numberOf(v)
			if ok {
				o[key] = text
			}
			return ok
		}
		str, ok := v.(string)
		if !ok || str == "" {
			return false
		}
		if _, ok := jsonbody.ParseNumber(str); ok {
			o[key] = json.Number(str)
			return true
		}
		if r.digitCode && pia.Digits(str) {
			// A code with leading zeros ("01111"): as a number it would be
			// another code, and the field takes its digits as text.
			return false
		}
		got := pia.Clip(str, pia.ClipConversion)
		s.fail(append(append([]string(nil), s.ptr...), key), "type", "number", got,
			pia.MsgNotNumber, numberVersion(r), got)
		return true
	})
}

// recode replaces the Lampiran code at p by its counterpart in the other
// version. A code the map does not name is left for validation to judge;
// a number code keeps its JSON type.
func (s *state) recode(p []string, codes map[string]string) bool {
	key := p[len(p)-1]
	return s.objects(s.root, p[:len(p)-1], func(o map[string]any) bool {
		switch v := o[key].(type) {
		case string:
			if c, ok := codes[v]; ok {
				o[key] = c
				return true
			}
		case json.Number:
			if c, ok := codes[v.String()]; ok {
				o[key] = json.Number(c)
				return true
			}
		}
		return false
	})
}

// numberVersion is the version in which a retyped field is a number.
func numberVersion(r *rule) pia.Version {
	if r.toNumber {
		return r.to
	}
	return r.from
}

// fail records an error at the pointer segments seg of the current tree,
// renamed back to the input's names where a rename moved them.
func (s *state) fail(seg []string, rule, expected, got string, msg pia.Msg, args ...any) {
	s.report.Errors = append(s.report.Errors, pia.FieldError{
		Field: jsonbody.Pointer(s.inputNames(seg)...), Rule: rule, Expected: expected, Got: got, Msg: msg, Args: args,
	})
}

// inputNames undoes the renames applied so far on pointer segments, most
// recent first, so an error names the field as the sender wrote it.
func (s *state) inputNames(seg []string) []string {
	for i := len(s.renames) - 1; i >= 0; i-- {
		rn := s.renames[i]
		k, j := 0, 0
		for ; k < len(seg) && j < len(rn.parent); k++ {
			if isIndex(seg[k]) {
				continue
			}
			if seg[k] != rn.parent[j] {
				break
			}
			j++
		}
		if j != len(rn.parent) {
			continue
		}
		for k < len(seg) && isIndex(seg[k]) {
			k++
		}
		if k < len(seg) && seg[k] == rn.to {
			seg[k] = rn.from
		}
	}
	return seg
}

// finish turns the placeholders left in the tree into errors and orders
// the errors.
func (s *state) finish() {
	if s.missing > 0 {
		s.ptr = s.ptr[:0]
		s.sweep(s.root, s.reach)
	}
	pia.SortFieldErrors(s.report.Errors)
}

// sweep reports and removes the placeholders in the part of node that r
// says they can reach.
func (s *state) sweep(node any, r *reach) {
	switch n := node.(type) {
	case map[string]any:
		if r.all {
			for k, v := range n {
				s.sweepMember(n, k, v, r)
			}
			return
		}
		for k, c := range r.children {
			if v, ok := n[k]; ok {
				s.sweepMember(n, k, v, c)
			}
		}
	case []any:
		for i, el := range n {
			s.ptr = append(s.ptr, strconv.Itoa(i))
			s.sweep(el, r)
			s.ptr = s.ptr[:len(s.ptr)-1]
		}
	}
}

func (s *state) sweepMember(obj map[string]any, k string, v any, r *reach) {
	if m, ok := v.(*missing); ok {
		delete(obj, k)
		s.report.Errors = append(s.report.Errors, s.missingError(jsonbody.Pointer(append(s.ptr, k)...), m))
		return
	}
	s.ptr = append(s.ptr, k)
	s.sweep(v, r)
	s.ptr = s.ptr[:len(s.ptr)-1]
}

func (s *state) missingError(field string, m *missing) pia.FieldError {
	if m.msg == pia.MsgNone {
		if m.d == up {
			m.msg, m.args = pia.MsgNewRequired, []any{m.r.to, s.from}
		} else {
			m.msg, m.args = pia.MsgOldRequired, []any{s.to, s.from}
		}
	}
	return pia.FieldError{Field: field, Rule: "required", Msg: m.msg, Args: m.args}
}

// hasValue tells a value from the PIA's ways of saying "none": absent,
// null, "" (policies null-is-no-value, empty-string-is-no-value) or a
// placeholder.
func hasValue(v any) bool {
	switch x := v.(type) {
	case nil, *missing:
		return false
	case string:
		return x != ""
	}
	return true
}

func isIndex(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}
