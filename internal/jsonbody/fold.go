package jsonbody

import "bytes"

// FoldedValues returns, as written, every value of the document b at
// path, member names matching in any case ({"kd_instansi": "024",
// "KD_INSTANSI": "999"} has two), in the order of the document. A path
// that meets a value other than an object has no value there. b must be
// one JSON value (Valid); ok is false when it is not, and when a member
// name on the way is written with escapes, which only a decode can compare.
func FoldedValues(b []byte, path ...string) (vals [][]byte, ok bool) {
	i := SkipSpace(b, 0)
	vals, i, ok = foldedAt(b, i, path, nil)
	return vals, ok && SkipSpace(b, i) == len(b)
}

// foldedAt collects the values at path in the value at b[i] and returns
// the index after that value.
func foldedAt(b []byte, i int, path []string, out [][]byte) ([][]byte, int, bool) {
	if len(path) == 0 || i >= len(b) || b[i] != '{' {
		end, ok := scanValue(b, i)
		if ok && len(path) == 0 {
			out = append(out, b[i:end])
		}
		return out, end, ok
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return out, i, false
		}
		end, ok := ScanStringBody(b, i+1)
		if !ok {
			return out, end, false
		}
		name := b[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			return out, end, false
		}
		i = SkipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return out, i, false
		}
		i = SkipSpace(b, i+1)
		if bytes.EqualFold(name, []byte(path[0])) {
			out, i, ok = foldedAt(b, i, path[1:], out)
		} else {
			i, ok = scanValue(b, i)
		}
		if !ok {
			return out, i, false
		}
		i = SkipSpace(b, i)
		if i >= len(b) {
			return out, i, false
		}
		switch b[i] {
		case ',':
			i = SkipSpace(b, i+1)
			continue
		case '}':
			return out, i + 1, true
		}
		return out, i, false
	}
}
