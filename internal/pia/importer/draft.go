package importer

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
)

// Draft writes the step from the version of older to newer as rules
// for review: mechanical rules (add, remove, require, optional, retype),
// the methods withdrawn, a note on each method added and on each change no
// rule converts (lengths, formats, Lampiran codes added and removed), and
// each likely rename (a field gone and one of the same type arrived in the
// same object) as a candidate to confirm. The draft covers every
// difference, so it loads as it is.
// newer holds the new version's schemas by "<method>.<kind>", decls who
// serves each of its methods (a method new in it is declared with it).
func Draft(from, to pia.Version, older *pia.Catalog, newer map[string]*pia.Schema, decls map[string]transform.MethodDecl) *transform.File {
	f := &transform.File{
		About: fmt.Sprintf("Rules from PIA %s to PIA %s, drafted by caddy pia import: review every entry, confirm or drop each rename candidate, and replace a note by a codes rule where a Lampiran code has a counterpart.", from, to),
		Rules: []transform.Rule{},
	}
	const drafted = "drafted by caddy pia import"
	for _, k := range []pia.Kind{pia.Request, pia.Response} {
		methods := map[string]bool{}
		for _, s := range older.All() {
			if s.Kind == k && !s.Version.IsZero() {
				methods[s.Method] = true
			}
		}
		for _, s := range newer {
			if s.Kind == k {
				methods[s.Method] = true
			}
		}
		for _, m := range slices.Sorted(maps.Keys(methods)) {
			a, okA := older.Lookup(from, m, k)
			b, okB := newer[m+"."+string(k)]
			switch {
			case !okA && !okB:
				continue
			case okA && !okB:
				if _, hasRequest := newer[m+"."+string(pia.Request)]; k == pia.Request || !hasRequest {
					if !contains(f.Withdraw, m) {
						f.Withdraw = append(f.Withdraw, m)
					}
				}
				continue
			case !okA && okB:
				if d, ok := decls[m]; ok {
					if !declared(f, m) {
						f.Methods = append(f.Methods, d)
					}
				} else {
					f.Notes = append(f.Notes, transform.Note{Method: m, Kind: k, Reason: fmt.Sprintf("New in PIA %s: no older payload to carry (%s). A method the gateway does not know is declared with method %s { side oss|kld }.", to, drafted, m)})
				}
				continue
			}
			draftMethod(f, m, k, a.Fields, b.Fields)
		}
	}
	sort.Strings(f.Withdraw)
	return f
}

func declared(f *transform.File, m string) bool {
	for _, d := range f.Methods {
		if d.Name == m {
			return true
		}
	}
	return false
}

// Declarations says who serves each method of a built version: the
// overview's method table where it lists the method, else its headers (OSS
// calls the K/L/D with a Token).
func (b *Built) Declarations() map[string]transform.MethodDecl {
	sides := map[string]string{}
	for _, r := range b.Overview {
		sides[r.Name] = r.Side
	}
	out := map[string]transform.MethodDecl{}
	for _, m := range b.Spec.Methods {
		side := sides[m.Method]
		if side == "" {
			side = "oss"
			for _, h := range m.Headers {
				if h == "Token" {
					side = "kld"
				}
			}
		}
		verb := m.HTTP
		if verb == "POST" {
			verb = ""
		}
		out[m.Method] = transform.MethodDecl{Name: m.Method, Side: side, Verb: verb}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func lastOf(p string) string { return p[strings.LastIndexByte(p, '.')+1:] }

func draftMethod(f *transform.File, m string, k pia.Kind, a, b pia.FieldIndex) {
	diffs := transform.FieldDifferences(a, b)
	removed, added := map[string]bool{}, map[string]bool{}
	for _, d := range diffs {
		switch d.What {
		case "removed":
			removed[d.Field] = true
		case "added":
			added[d.Field] = true
		}
	}
	// Only the top of a subtree added or removed as a whole gets a rule.
	top := func(set map[string]bool, p string) bool {
		for q := parentOf(p); q != ""; q = parentOf(q) {
			if set[q] {
				return false
			}
		}
		return true
	}
	// Rename candidates: one gone and one arrived of the same type in the
	// same object, paired in name order.
	renamed := map[string]bool{}
	for _, gone := range slices.Sorted(maps.Keys(removed)) {
		if !top(removed, gone) {
			continue
		}
		for _, came := range slices.Sorted(maps.Keys(added)) {
			if renamed[came] || !top(added, came) || parentOf(came) != parentOf(gone) || a[gone].Type != b[came].Type {
				continue
			}
			renamed[gone], renamed[came] = true, true
			f.Renames = append(f.Renames, transform.Candidate{Method: m, Kind: k, Path: gone, To: lastOf(came),
				Reason: fmt.Sprintf("%s is gone and %s arrived, both %s, in the same object: a rename? Set confirmed to true to carry the value across.", gone, came, typeName(a[gone].Type))})
			break
		}
	}
	for _, d := range diffs {
		p := d.Field
		switch {
		case d.What == "removed":
			if top(removed, p) && !renamed[p] {
				f.Rules = append(f.Rules, transform.Rule{Method: m, Kind: k, Op: "remove", Path: p})
			}
		case d.What == "added":
			if top(added, p) && !renamed[p] {
				f.Rules = append(f.Rules, transform.Rule{Method: m, Kind: k, Op: "add", Path: p})
			}
		case strings.HasPrefix(d.What, "type "):
			x, y := a[p].Type, b[p].Type
			if pia.Retypable(x, y) {
				f.Rules = append(f.Rules, transform.Rule{Method: m, Kind: k, Op: "retype", Path: p})
			} else {
				f.Notes = append(f.Notes, transform.Note{Method: m, Kind: k, Path: p, Reason: "Type changed (" + d.What + "), which no rule converts: review."})
			}
		case d.What == "mandatory false -> true":
			f.Rules = append(f.Rules, transform.Rule{Method: m, Kind: k, Op: "require", Path: p})
		case d.What == "mandatory true -> false":
			f.Rules = append(f.Rules, transform.Rule{Method: m, Kind: k, Op: "optional", Path: p})
		case d.What == "code list":
			plus, minus := codeChange(a[p].Enum, b[p].Enum)
			f.Notes = append(f.Notes, transform.Note{Method: m, Kind: k, Path: p, Reason: fmt.Sprintf(
				"Lampiran codes added: %s; removed: %s. Validation against the receiver's schema rejects a code it does not know; where a code has a counterpart, write a codes rule instead.",
				orNone(plus), orNone(minus))})
		default:
			f.Notes = append(f.Notes, transform.Note{Method: m, Kind: k, Path: p, Reason: strings.ToUpper(d.What[:1]) + d.What[1:] + ": nothing to convert; validation against the receiver's schema judges the value."})
		}
	}
}

func typeName(t pia.Type) string {
	if t == pia.TypeAny {
		return "untyped"
	}
	return string(t)
}

func codeChange(a, b []any) (plus, minus []string) {
	set := func(e []any) map[string]bool {
		out := map[string]bool{}
		for _, x := range e {
			if x != nil && fmt.Sprint(x) != "" {
				out[fmt.Sprint(x)] = true
			}
		}
		return out
	}
	sa, sb := set(a), set(b)
	for c := range sb {
		if !sa[c] {
			plus = append(plus, c)
		}
	}
	for c := range sa {
		if !sb[c] {
			minus = append(minus, c)
		}
	}
	sort.Strings(plus)
	sort.Strings(minus)
	return plus, minus
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
