package pia

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
