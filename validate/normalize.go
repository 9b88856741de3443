package validate

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Normalize applies the accepted real-world variations to a decoded tree in
// place (it may return a new root) and reports whether anything changed, so
// the caller re-encodes only then. This is the one place the variations
// are decided; each rule below is a policy of internal/pia/deviations.json,
// and none changes what a value means:
//
//   - normalize-number-string: "12" where a number is documented becomes 12;
//     a string that is not a JSON number ("12a", "1,5", " 12", "007") is
//     left for Validate to reject.
//   - codes-as-digit-strings: on a code documented as a number (kbli*), a
//     digit string with a leading zero ("01111") is left as sent, never
//     read as a number; the schema accepts it.
//   - normalize-string-number: 12 where a string is documented becomes "12",
//     written exactly as sent.
//   - zero-padded-code: 5 where a string of a code table is documented,
//     whose codes hold no "5" but one "05", becomes "05".
//   - normalize-boolean-string: "true" and "false" where a boolean is
//     documented become true and false.
//   - date-for-datetime: "2023-01-20" where a datetime is documented becomes
//     "2023-01-20 00:00:00".
//   - datetime-for-date: "2022-03-08 10:00:00" where a date is documented
//     becomes "2022-03-08". Only a valid date and time are shortened;
//     anything else is left for Validate's precise message.
//   - iso-local-datetime: "2023-01-20T10:00:00" (a fraction of zeros
//     allowed, no zone) is read as "2023-01-20 10:00:00", then as above.
//   - normalize-single-object: an object where an array of objects is
//     documented is wrapped in an array.
//   - php-list-as-object: an object whose member names are all list
//     indexes, where an array is documented, is the list of its values in
//     the order of their indexes, as PHP meant it.
//   - array-for-object: a one-element array holding an object where an
//     object is documented is that object; any other array is left for
//     Validate to reject.
//   - empty-array-for-object: [] where an object is documented is {}, as
//     PHP's json_encode writes an empty array; the object's own rules
//     then apply (a mandatory member missing is named).
//
// Fields the schema's index does not declare are left alone, and so is a
// method without a schema. Cleaner.Mend (clean.go) makes the same changes
// on a body's bytes, asking isJSONNumber and normalizeDate as this does;
// TestCleanNeverPassesWhatTheFullPathWouldNot and FuzzValidate hold its
// result to this one's.
func (v *Validator) Normalize(ver pia.Version, method string, kind pia.Kind, doc any) (any, bool) {
	c := v.lookup(ver, method, kind)
	if c == nil {
		return doc, false
	}
	return normalizeObject(c.root, doc)
}

// normalizeObject walks the members of an object against the node that
// declares them.
func normalizeObject(n *node, doc any) (any, bool) {
	obj, ok := doc.(map[string]any)
	if !ok || len(n.children) == 0 {
		return doc, false
	}
	changed := false
	if len(obj) < len(n.declared) {
		for name, val := range obj {
			c := n.children[name]
			if c == nil || c.info == nil {
				continue
			}
			if nv, ch := normalizeValue(c, val); ch {
				obj[name] = nv
				changed = true
			}
		}
		return obj, changed
	}
	for _, d := range n.declared {
		val, ok := obj[d.name]
		if !ok {
			continue
		}
		if nv, ch := normalizeValue(d.node, val); ch {
			obj[d.name] = nv
			changed = true
		}
	}
	return doc, changed
}

func normalizeValue(n *node, val any) (any, bool) {
	switch n.info.Type {
	case pia.TypeNumber, pia.TypeInteger:
		// normalize-number-string. A code's digit string with a leading
		// zero is not a JSON number and stays as sent
		// (codes-as-digit-strings): the schema takes it.
		if s, ok := val.(string); ok && isJSONNumber(s) {
			return json.Number(s), true
		}
	case pia.TypeString:
		switch x := val.(type) {
		case json.Number: // normalize-string-number, zero-padded-code
			if code, ok := paddedCode(n.info, string(x)); ok {
				return code, true
			}
			return string(x), true
		case string: // date-for-datetime, datetime-for-date
			if nv, ch := normalizeDate(n.info.Format, x); ch {
				return nv, true
			}
		}
	case pia.TypeBoolean: // normalize-boolean-string
		if s, ok := val.(string); ok {
			switch s {
			case "true":
				return true, true
			case "false":
				return false, true
			}
		}
	case pia.TypeObject:
		if a, ok := val.([]any); ok {
			switch len(a) {
			case 0:
				// policy empty-array-for-object: PHP's json_encode writes
				// an empty array, meant as an empty object, as [].
				return map[string]any{}, true
			case 1:
				// policy array-for-object: [{…}] is the object it holds.
				if obj, ok := a[0].(map[string]any); ok {
					normalizeObject(n, obj)
					return obj, true
				}
			}
		}
		return normalizeObject(n, val)
	case pia.TypeArray:
		switch x := val.(type) {
		case map[string]any:
			if list, ok := listOf(n, x); ok {
				// php-list-as-object: the list PHP wrote as an object.
				for i, item := range list {
					if nv, ch := normalizeObject(n, item); ch {
						list[i] = nv
					}
				}
				return list, true
			}
			// normalize-single-object: a single member sent bare.
			normalizeObject(n, x)
			return []any{x}, true
		case []any:
			changed := false
			for i, item := range x {
				nv, ch := normalizeObject(n, item)
				if ch {
					x[i] = nv
					changed = true
				}
			}
			if !changed {
				return val, false // x as an any would be a copy on the heap
			}
			return x, true
		}
	}
	return val, false
}

// listOf applies policy php-list-as-object: an object whose member names
// are all list indexes ("1", "3"), none of them a field of the array's
// members (n), is the list PHP's json_encode writes as an object once its
// indexes have gaps (after array_filter or unset): its values, in the
// order of their indexes.
func listOf(n *node, obj map[string]any) ([]any, bool) {
	if len(obj) == 0 {
		return nil, false
	}
	type entry struct {
		index int
		value any
	}
	entries := make([]entry, 0, len(obj))
	for name, v := range obj {
		i, ok := listIndex(name)
		if !ok || n.children[name] != nil {
			return nil, false
		}
		entries = append(entries, entry{i, v})
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.index - b.index })
	list := make([]any, len(entries))
	for i, e := range entries {
		list[i] = e.value
	}
	return list, true
}

// listIndex reads a member name as a list index: an index as a JSON
// pointer has one (pia.IsIndex), of at most nine digits.
func listIndex(name string) (int, bool) {
	if len(name) > 9 || !pia.IsIndex(name) {
		return 0, false
	}
	i, err := strconv.Atoi(name)
	return i, err == nil
}

// isJSONNumber is the test of policy normalize-number-string: a string is
// read as a number only when written exactly as JSON writes one. Leading
// zeros ("007"), a plus sign, spaces and decimal commas are not: a kode
// with leading zeros may be a code rather than a quantity, and "1,500"
// reads as one and a half or fifteen hundred depending on who wrote it.
func isJSONNumber(s string) bool {
	_, ok := jsonbody.ParseNumber(s)
	return ok
}

// paddedCode applies policy zero-padded-code: the number lit, sent where
// a string of f's code table (its enum) is documented, is the table's one
// code that is lit behind leading zeros, when lit itself is not a code. A
// code typed as a number lost its zeros; the table says which it was. Any
// other number, or one two codes could be, is not read.
func paddedCode(f *pia.FieldInfo, lit string) (string, bool) {
	if len(f.Enum) == 0 || !pia.Digits(lit) {
		return "", false
	}
	found := ""
	for _, e := range f.Enum {
		c, ok := e.(string)
		if !ok || len(c) < len(lit) || c[len(c)-len(lit):] != lit {
			continue
		}
		if len(c) == len(lit) {
			return "", false // lit is a code itself
		}
		if strings.TrimLeft(c[:len(c)-len(lit)], "0") != "" {
			continue
		}
		if found != "" {
			return "", false // "05" and "005": which, the number does not say
		}
		found = c
	}
	return found, found != ""
}

// normalizeDate applies policies date-for-datetime and datetime-for-date to
// a string of a field with the given format. A value is changed only when
// it is a valid date (and time): "2023-02-30" or "2023-01-20 25:00:00"
// stay as sent, so Validate names them precisely.
func normalizeDate(format, s string) (string, bool) {
	switch format {
	case formatDateTime:
		if len(s) == 10 && validateDate(s) == nil {
			return s + " 00:00:00", true
		}
		if t, ok := isoLocal(s); ok {
			return t, true
		}
	case formatDate:
		if len(s) == 19 && validateDateTime(s) == nil {
			return s[:10], true
		}
		if t, ok := isoLocal(s); ok {
			return t[:10], true
		}
	}
	return s, false
}

// isoLocal applies policy iso-local-datetime: ISO 8601's local date and
// time, "2023-01-20T10:00:00" (Java's LocalDateTime, .NET's DateTime
// "s"), with a fraction of zeros or none, is the PIA's "2023-01-20
// 10:00:00". A time zone or a fraction that is not zero is not read: the
// PIA's layout holds neither, and dropping one would change the instant.
func isoLocal(s string) (string, bool) {
	if len(s) < 19 || s[10] != 'T' {
		return "", false
	}
	if rest := s[19:]; rest != "" {
		if len(rest) < 2 || rest[0] != '.' || strings.Trim(rest[1:], "0") != "" {
			return "", false
		}
	}
	t := s[:10] + " " + s[11:19]
	if validateDateTime(t) != nil {
		return "", false
	}
	return t, true
}
