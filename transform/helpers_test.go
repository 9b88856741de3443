package transform

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

var (
	builtinOnce   sync.Once
	builtinCat    *pia.Catalog
	builtinEngine *Engine
	builtinErr    error
)

// builtin is the engine of the builtin catalog and rules, built once. It
// strips unknown fields from responses, so the rules' full effect shows;
// TestResponsesKeepUnknownFieldsByDefault checks the default.
func builtin(t testing.TB) (*pia.Catalog, *Engine) {
	t.Helper()
	builtinOnce.Do(func() {
		builtinCat, builtinErr = pia.NewCatalog()
		if builtinErr == nil {
			builtinEngine, builtinErr = Load(builtinCat)
			if builtinErr == nil {
				builtinEngine.StripResponses(true)
			}
		}
	})
	require.NoError(t, builtinErr)
	return builtinCat, builtinEngine
}

func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := jsonbody.Decode([]byte(s))
	require.NoError(t, err, s)
	return v
}

func encode(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// steps lists the consecutive version pairs of the builtin catalog.
func steps(cat *pia.Catalog) [][2]pia.Version {
	vs := cat.Versions()
	var out [][2]pia.Version
	for i := 0; i+1 < len(vs); i++ {
		out = append(out, [2]pia.Version{vs[i], vs[i+1]})
	}
	return out
}

// pointerSegments splits a JSON pointer.
func pointerSegments(ptr string) []string {
	if ptr == "" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs
}

// dotted is the spec's dotted path of a JSON pointer (array indices
// dropped).
func dotted(ptr string) string {
	var keys []string
	for _, s := range pointerSegments(ptr) {
		if _, err := strconv.Atoi(s); err == nil {
			continue
		}
		keys = append(keys, s)
	}
	return strings.Join(keys, ".")
}

// setAt sets the value at a JSON pointer whose parent exists.
func setAt(t testing.TB, doc any, ptr string, v any) {
	t.Helper()
	segs := pointerSegments(ptr)
	require.NotEmpty(t, segs)
	node := doc
	for _, s := range segs[:len(segs)-1] {
		switch n := node.(type) {
		case map[string]any:
			node = n[s]
		case []any:
			i, err := strconv.Atoi(s)
			require.NoError(t, err)
			node = n[i]
		}
	}
	last := segs[len(segs)-1]
	switch n := node.(type) {
	case map[string]any:
		n[last] = v
	case []any:
		i, err := strconv.Atoi(last)
		require.NoError(t, err)
		n[i] = v
	default:
		t.Fatalf("no parent for %s", ptr)
	}
}

// leaves flattens a tree into pointer → scalar (objects and arrays that
// are empty count as leaves too).
func leaves(v any) map[string]any {
	out := map[string]any{}
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				out[ptr] = x
			}
			for k, e := range x {
				walk(ptr+jsonbody.Pointer(k), e)
			}
		case []any:
			if len(x) == 0 {
				out[ptr] = x
			}
			for i, e := range x {
				walk(ptr+"/"+strconv.Itoa(i), e)
			}
		default:
			out[ptr] = v
		}
	}
	walk("", v)
	return out
}

// emptyOf is the documentation's "no value" for a field of type t, which
// the policies empty-string-is-no-value and null-is-no-value make valid.
func emptyOf(t pia.Type) any {
	switch t {
	case pia.TypeObject:
		return map[string]any{}
	case pia.TypeArray:
		return []any{}
	case pia.TypeBoolean, pia.TypeAny:
		return nil
	}
	return ""
}

// sanitize blanks the fields of a documentation example that its own
// version's schema rejects (template placeholders like "YYYY-MM-DD", a
// mandatory field the example forgot), so a test can tell what a
// conversion breaks from what the documentation already had wrong. It
// returns the pointers it touched.
func sanitize(t testing.TB, cat *pia.Catalog, v pia.Version, method string, k pia.Kind, doc any) []string {
	t.Helper()
	s, ok := cat.Lookup(v, method, k)
	require.True(t, ok)
	var touched []string
	for round := 0; round < 8; round++ {
		vs := violations(t, cat, v, method, k, doc)
		if len(vs) == 0 {
			return touched
		}
		for _, x := range vs {
			info := s.Fields[dotted(x.Pointer)]
			require.NotNil(t, info, "%s %s: no field for %s", v, method, x)
			setAt(t, doc, x.Pointer, emptyOf(info.Type))
			touched = append(touched, x.String())
		}
	}
	t.Fatalf("%s %s: example still invalid after sanitizing %v", v, method, touched)
	return nil
}

// fullSample is a sample of the schema of a method in version v, with
// every field filled and n elements in every array: strings are digits (so
// a retype to a number can carry them), at most 8 of them.
func fullSample(t testing.TB, cat *pia.Catalog, v pia.Version, method string, k pia.Kind, n int) any {
	t.Helper()
	s, ok := cat.Lookup(v, method, k)
	require.True(t, ok, "%s %s %s", v, method, k)
	return sampler(n).Build(s.Doc.(map[string]any))
}

// sampler is the shared sampler as fullSample sets it.
func sampler(n int) piatest.Sampler {
	return piatest.Sampler{Members: n, MaxText: 8, Digits: true}
}

// requiredErrors lists the pointers of the engine's "required" errors in
// the form violations uses, and fails on any other kind of error.
func requiredErrors(t testing.TB, name string, rep Report) []violation {
	t.Helper()
	var out []violation
	for _, e := range rep.Errors {
		require.Equal(t, "required", e.Rule, "%s: unexpected error %+v", name, e)
		out = append(out, violation{e.Field, "required"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

var (
	filesOnce sync.Once
	files     map[string]*File
	filesErr  error
)

// builtinFiles reads the builtin step files, by name without .json.
func builtinFiles(t testing.TB) map[string]*File {
	t.Helper()
	filesOnce.Do(func() {
		names, err := fs.Glob(builtinRules, "rules/*-*.json")
		if err != nil {
			filesErr = err
			return
		}
		files = map[string]*File{}
		for _, n := range names {
			raw, err := builtinRules.ReadFile(n)
			if err != nil {
				filesErr = err
				return
			}
			f, err := decodeFile(raw)
			if err != nil {
				filesErr = fmt.Errorf("%s: %w", n, err)
				return
			}
			files[strings.TrimSuffix(path.Base(n), ".json")] = f
		}
	})
	require.NoError(t, filesErr)
	return files
}

// noted reports whether a note of a builtin step between the two versions
// covers the field.
func noted(t testing.TB, method string, k pia.Kind, field string, a, b pia.Version) bool {
	t.Helper()
	if b.Less(a) {
		a, b = b, a
	}
	for name, f := range builtinFiles(t) {
		from, _, _ := strings.Cut(name, "-")
		if v := pia.MustVersion(from); v.Less(a) || !v.Less(b) {
			continue
		}
		for _, n := range f.Notes {
			if n.Method == method && (n.Kind == "" || n.Kind == k) && (n.Path == "" || n.Path == field || strings.HasPrefix(field, n.Path+".")) {
				return true
			}
		}
	}
	return false
}
