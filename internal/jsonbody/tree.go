package jsonbody

import (
	"strconv"
	"strings"
)

// CloneTree deep-copies a decoded JSON tree: its maps (map[string]any) and
// arrays ([]any); scalars are shared, being immutable. It exists because a
// tree is edited in place: a default or a value copied into several array
// members must not share a map with them, or editing one member would edit
// the others, and a catalog schema must not be changed by the copy a
// validator compiles.
func CloneTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = CloneTree(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = CloneTree(e)
		}
		return out
	}
	return v
}

// Lookup finds the value at segs (unescaped member names and array
// indices, as PointerSegments gives them) in a decoded tree; ok is false
// when a member or an index is missing.
func Lookup(doc any, segs []string) (v any, ok bool) {
	cur := doc
	for _, seg := range segs {
		switch x := cur.(type) {
		case map[string]any:
			if cur, ok = x[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Pointer builds a JSON pointer from path segments, escaping ~ and /.
func Pointer(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(pointerToken(s))
	}
	return b.String()
}

// PointerSegments splits a JSON pointer (RFC 6901) into its unescaped
// segments; "" and "/" are the whole document.
func PointerSegments(ptr string) []string {
	if ptr == "" || ptr == "/" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, seg := range segs {
		if strings.Contains(seg, "~") {
			segs[i] = pointerUnescaper.Replace(seg)
		}
	}
	return segs
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)
