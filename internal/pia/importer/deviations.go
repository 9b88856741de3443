package importer

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// Deviations is internal/pia/deviations.json: the method and field
// corrections applied to what the documentation says, each with its reason.
// Policies are read by people and cited in the code, not applied here.
type Deviations struct {
	Methods  []MethodDeviation `json:"methods"`
	Fields   []FieldDeviation  `json:"fields"`
	Policies []Policy          `json:"policies"`
	// codeUses counts the number fields each code_fields pattern matched.
	codeUses map[string]int
}

// Policy is a decision the code follows. Most are read by people and cited
// in the code; code_fields (policy codes-as-digit-strings) is applied here.
type Policy struct {
	ID string `json:"id"`
	// CodeFields name, as path.Match patterns on a field's last segment,
	// the fields documented as numbers that also take a string of digits.
	CodeFields []string `json:"code_fields"`
}

// DigitStringPattern is the pattern with which a schema lets a number field
// take a string of digits (policy codes-as-digit-strings); the catalog
// recognises code fields by it (pia.DigitStringPattern).
const DigitStringPattern = "^[0-9]*$"

// isCodeField reports whether the field at p is a code documented as a
// number (policy codes-as-digit-strings).
func (d *Deviations) isCodeField(p string) bool {
	name := p[strings.LastIndexByte(p, '.')+1:]
	found := false
	for _, pol := range d.Policies {
		for _, pat := range pol.CodeFields {
			if ok, _ := path.Match(pat, name); ok {
				if d.codeUses == nil {
					d.codeUses = map[string]int{}
				}
				d.codeUses[pat]++
				found = true
			}
		}
	}
	return found
}

// checkCodeFields fails on a code_fields pattern that matched no number
// field of the built-in snapshots.
func (d *Deviations) checkCodeFields() error {
	for _, pol := range d.Policies {
		for _, pat := range pol.CodeFields {
			if d.codeUses[pat] == 0 {
				return fmt.Errorf("policy %s: code_fields %q matches no number field: remove or correct it", pol.ID, pat)
			}
		}
	}
	return nil
}

// MethodDeviation accounts for a method of the overview that the
// specifications spell differently or do not document.
type MethodDeviation struct {
	Name         string `json:"name"`
	AliasOf      string `json:"alias_of"`
	NotAMethod   bool   `json:"not_a_method"`
	Side         string `json:"side"`
	RequestRoot  string `json:"request_root"`
	ResponseRoot string `json:"response_root"`
	Reason       string `json:"reason"`
}

// FieldDeviation corrects one field of one method's request or success
// fields, in the versions it lists ("all" for every version).
type FieldDeviation struct {
	Versions  json.RawMessage `json:"versions"`
	Method    string          `json:"method"`
	Section   string          `json:"section"`
	Path      string          `json:"path"`
	Set       map[string]any  `json:"set"`
	Add       *Field          `json:"add"`
	Drop      bool            `json:"drop"`
	Duplicate string          `json:"duplicate"`
	Reason    string          `json:"reason"`
	used      int
}

// ParseDeviations reads deviations.json and checks every entry has a reason.
func ParseDeviations(raw []byte) (*Deviations, error) {
	var d Deviations
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("deviations.json: %w", err)
	}
	for _, f := range d.Fields {
		if f.Reason == "" {
			return nil, fmt.Errorf("deviation %s %s has no reason", f.Method, f.Path)
		}
		if _, err := f.list(); err != nil {
			return nil, err
		}
	}
	for _, pol := range d.Policies {
		for _, pat := range pol.CodeFields {
			if _, err := path.Match(pat, ""); err != nil {
				return nil, fmt.Errorf("policy %s: code_fields %q: %v", pol.ID, pat, err)
			}
		}
	}
	for _, m := range d.Methods {
		if m.Reason == "" {
			return nil, fmt.Errorf("method deviation %s has no reason", m.Name)
		}
	}
	return &d, nil
}

// list is the versions a deviation names; nil for "all".
func (d *FieldDeviation) list() ([]string, error) {
	var all string
	if json.Unmarshal(d.Versions, &all) == nil {
		if all != "all" {
			return nil, fmt.Errorf("deviation %s %s: versions must be \"all\" or a list", d.Method, d.Path)
		}
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(d.Versions, &list); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("deviation %s %s: versions must be \"all\" or a list", d.Method, d.Path)
	}
	return list, nil
}

// applies says whether the deviation applies to version: it does when it
// lists version or is for all versions, and it is carried forward when the
// newest version it lists is one of carryFrom (the version before, or the
// newest built-in one after earlier imports) and older than version. A
// carried deviation that finds nothing to correct is reported, not an
// error: the new documentation may have fixed what it corrects.
func (d *FieldDeviation) applies(version string, carryFrom []string) (ok, carried bool) {
	list, _ := d.list()
	if list == nil {
		return true, false
	}
	newest := ""
	for _, v := range list {
		if v == version {
			return true, false
		}
		if newest == "" || VersionLess(newest, v) {
			newest = v
		}
	}
	for _, c := range carryFrom {
		if newest == c && VersionLess(c, version) {
			return true, true
		}
	}
	return false, false
}

// applyDeviations patches one method's field list and rejects duplicates and
// orphans that no deviation accounts for. Carried deviations that match
// nothing are returned as notes.
func applyDeviations(devs []FieldDeviation, version string, carryFrom []string, method, section string, fields []Field) ([]Field, []string, error) {
	var notes []string
	out := make([]Field, 0, len(fields))
	out = append(out, fields...)
	for i := range devs {
		d := &devs[i]
		if d.Method != method || d.Section != section {
			continue
		}
		ok, carried := d.applies(version, carryFrom)
		if !ok {
			continue
		}
		found := -1
		count := 0
		for j := range out {
			if out[j].Path == d.Path {
				if found < 0 || d.Duplicate == "last" {
					found = j
				}
				count++
			}
		}
		explicit, _ := d.list()
		stale := func(what string) error {
			if carried {
				notes = append(notes, fmt.Sprintf("deviation %s %s %s (%s) no longer applies in %s: %s; check the documentation fixed it, then list only older versions for it", method, section, d.Path, strings.TrimSpace(firstSentence(d.Reason)), version, what))
				return nil
			}
			return fmt.Errorf("%s %s %s: %s", version, method, section, what)
		}
		switch {
		case d.Add != nil:
			if found >= 0 {
				if err := stale("deviation adds " + d.Path + ", which is now documented"); err != nil {
					return nil, nil, err
				}
				continue
			}
			f := *d.Add
			f.Path = d.Path
			out = append(out, f)
		case found < 0:
			if explicit != nil {
				if err := stale("deviation names " + d.Path + ", which is not documented"); err != nil {
					return nil, nil, err
				}
			}
			continue
		case d.Drop:
			out = removePath(out, d.Path)
		case d.Duplicate == "last":
			if count < 2 {
				if err := stale(d.Path + " is no longer listed twice"); err != nil {
					return nil, nil, err
				}
				continue
			}
			keep := out[found]
			out = removePath(out, d.Path)
			out = insertAfterParent(out, keep)
		case d.Set != nil:
			b, _ := json.Marshal(out[found])
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			same := true
			for k, v := range d.Set {
				if b1, _ := json.Marshal(m[k]); string(b1) != mustJSON(v) {
					same = false
				}
				m[k] = v
			}
			if same && carried {
				// The documentation now says what the deviation set.
				_ = stale("the documentation now says what it sets")
				continue
			}
			b, _ = json.Marshal(m)
			var f Field
			if err := json.Unmarshal(b, &f); err != nil {
				return nil, nil, fmt.Errorf("deviation %s %s: %v", method, d.Path, err)
			}
			out[found] = f
		default:
			return nil, nil, fmt.Errorf("deviation %s %s: say set, add, drop or duplicate", method, d.Path)
		}
		d.used++
		if carried {
			notes = append(notes, fmt.Sprintf("carried forward to %s: deviation %s %s %s (%s)", version, method, section, d.Path, strings.TrimSpace(firstSentence(d.Reason))))
		}
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.Path] {
			return nil, nil, fmt.Errorf("%s %s %s: %s is listed twice; record which entry stands in deviations.json", version, method, section, f.Path)
		}
		seen[f.Path] = true
	}
	for _, f := range out {
		if i := strings.LastIndexByte(f.Path, '.'); i > 0 && !seen[f.Path[:i]] {
			return nil, nil, fmt.Errorf("%s %s %s: %s has no parent %s; record the correction in deviations.json", version, method, section, f.Path, f.Path[:i])
		}
	}
	return out, notes, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i]
	}
	return s
}

func removePath(fields []Field, path string) []Field {
	out := fields[:0]
	for _, f := range fields {
		if f.Path != path {
			out = append(out, f)
		}
	}
	return out
}

func insertAfterParent(fields []Field, f Field) []Field {
	parent := ""
	if i := strings.LastIndexByte(f.Path, '.'); i > 0 {
		parent = f.Path[:i]
	}
	for i := range fields {
		if fields[i].Path == parent {
			return append(fields[:i+1], append([]Field{f}, fields[i+1:]...)...)
		}
	}
	return append(fields, f)
}
