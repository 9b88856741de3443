package transform

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Gap is a difference between consecutive versions that nothing accounts
// for: a step with no file, or a schema difference no rule, note or
// withdrawal of its step file covers.
type Gap struct {
	From, To pia.Version
	// Method and Kind are empty for a missing step file.
	Method string
	Kind   pia.Kind
	// Field is empty for a method only one of the versions has.
	Field string
	What  string
}

func (g Gap) String() string {
	switch {
	case g.Method == "":
		return fmt.Sprintf("%s-%s: %s", g.From, g.To, g.What)
	case g.Field == "":
		return fmt.Sprintf("%s-%s %s %s: %s", g.From, g.To, g.Method, g.Kind, g.What)
	}
	return fmt.Sprintf("%s-%s %s %s: %s %s", g.From, g.To, g.Method, g.Kind, g.Field, g.What)
}

// CoverageError fails a load whose steps leave differences uncovered.
type CoverageError struct{ Gaps []Gap }

func (e *CoverageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d schema differences between consecutive PIA versions have no rule or note (a note with its reason is how a difference is accepted):", len(e.Gaps))
	for _, g := range e.Gaps {
		b.WriteString("\n  ")
		b.WriteString(g.String())
	}
	return b.String()
}

// Coverage compares the schemas of every pair of consecutive versions
// (inherited ones included, withdrawn methods excluded) and lists what the
// step files (files[i] goes from versions[i] to versions[i+1]; nil when
// there is none) do not cover: every field added or removed, and every
// change of type, mandatory-ness, length, digits, format or code list, needs
// a rule or a note naming the field or an ancestor; a method in only one of
// the versions needs a withdrawal or a note on the method.
func Coverage(cat *pia.Catalog, files []*File, versions []pia.Version) []Gap {
	var gaps []Gap
	for i := 0; i+1 < len(versions); i++ {
		from, to := versions[i], versions[i+1]
		f := files[i]
		if f == nil {
			gaps = append(gaps, Gap{From: from, To: to, What: "no step file leads to PIA " + to.String() + " (write rules/" + from.String() + "-" + to.String() + ".json; caddy pia import drafts it)"})
			continue
		}
		for _, k := range []pia.Kind{pia.Request, pia.Response} {
			for _, m := range methodsOf(cat, from, to, k) {
				a, okA := cat.Lookup(from, m, k)
				b, okB := cat.Lookup(to, m, k)
				if okA != okB {
					if !f.covers(m, k, "") {
						what := "added"
						if okA {
							what = "gone (withdraw it, or note why)"
						}
						gaps = append(gaps, Gap{From: from, To: to, Method: m, Kind: k, What: what})
					}
					continue
				}
				if a == b {
					continue // inherited unchanged
				}
				for _, d := range FieldDifferences(a.Fields, b.Fields) {
					if !f.covers(m, k, d.Field) {
						gaps = append(gaps, Gap{From: from, To: to, Method: m, Kind: k, Field: d.Field, What: d.What})
					}
				}
			}
		}
	}
	return gaps
}

func methodsOf(cat *pia.Catalog, from, to pia.Version, k pia.Kind) []string {
	set := map[string]bool{}
	for _, s := range cat.All() {
		if s.Kind == k && !s.Version.IsZero() && !to.Less(s.Version) {
			if _, ok := cat.Lookup(from, s.Method, k); ok {
				set[s.Method] = true
			}
			if _, ok := cat.Lookup(to, s.Method, k); ok {
				set[s.Method] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// covers reports whether a rule, note or withdrawal of f accounts for a
// difference at field of method's kind: a rule or note naming the field or
// one of its ancestors (a subtree added or removed as a whole). An empty
// field asks for a withdrawal or a note about the whole method.
func (f *File) covers(method string, k pia.Kind, field string) bool {
	under := func(p string) bool { return p != "" && (field == p || strings.HasPrefix(field, p+".")) }
	if field == "" {
		for _, w := range f.Withdraw {
			if w == method {
				return true
			}
		}
		for _, m := range f.Methods {
			if m.Name == method {
				return true
			}
		}
	} else {
		for _, c := range f.Renames {
			if c.Method == method && c.Kind == k && (under(c.Path) || under(c.Path[:strings.LastIndexByte(c.Path, '.')+1]+c.To)) {
				return true
			}
		}
		for _, r := range f.Rules {
			if r.Method != method || r.Kind != k {
				continue
			}
			to := r.To
			if r.Op == "rename" {
				to = r.Path[:strings.LastIndexByte(r.Path, '.')+1] + r.To
			}
			// A restructured scalar's array is what the rule creates.
			arr := ""
			if r.Op == "restructure" {
				arr = to[:strings.LastIndexByte(to, '.')]
			}
			if under(r.Path) || under(to) || field == arr {
				return true
			}
		}
	}
	for _, n := range f.Notes {
		if n.Method == method && (n.Kind == "" || n.Kind == k) && (n.Path == "" || under(n.Path)) {
			return true
		}
	}
	return false
}

// Difference is one field that differs between two schemas.
type Difference struct{ Field, What string }

// FieldDifferences lists the fields added, removed or changed (type,
// mandatory-ness, length, digits, format, code list) from a to b, sorted.
func FieldDifferences(a, b pia.FieldIndex) []Difference {
	var out []Difference
	for p, fa := range a {
		fb, ok := b[p]
		switch {
		case !ok:
			out = append(out, Difference{p, "removed"})
		case fa.Type != fb.Type:
			out = append(out, Difference{p, "type " + string(fa.Type) + " -> " + string(fb.Type)})
		case fa.Required != fb.Required:
			out = append(out, Difference{p, "mandatory " + strconv.FormatBool(fa.Required) + " -> " + strconv.FormatBool(fb.Required)})
		case fa.MaxLength != fb.MaxLength:
			out = append(out, Difference{p, "max length " + strconv.Itoa(fa.MaxLength) + " -> " + strconv.Itoa(fb.MaxLength)})
		case fa.Digits != fb.Digits || fa.Decimals != fb.Decimals:
			out = append(out, Difference{p, "digits"})
		case fa.Format != fb.Format:
			out = append(out, Difference{p, "format " + fa.Format + " -> " + fb.Format})
		case !reflect.DeepEqual(fa.Enum, fb.Enum):
			out = append(out, Difference{p, "code list"})
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, Difference{p, "added"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
