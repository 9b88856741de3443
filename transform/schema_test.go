package transform

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The validate package is written in parallel; these tests compile the
// catalog's schemas themselves, with the two PIA formats the generator
// names (policy datetime-format), so "valid under the newer version's
// schema" means exactly what the schema says.

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

func compiledSchema(t testing.TB, cat *pia.Catalog, v pia.Version, method string, k pia.Kind) *jsonschema.Schema {
	t.Helper()
	s, ok := cat.Lookup(v, method, k)
	require.True(t, ok, "no %s schema for %s in %s", k, method, v)
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if c, ok := schemaCache[s.ID]; ok {
		return c
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "pia-date", Validate: layoutFormat("2006-01-02")})
	c.RegisterFormat(&jsonschema.Format{Name: "pia-datetime", Validate: layoutFormat("2006-01-02 15:04:05")})
	require.NoError(t, c.AddResource(s.ID, s.Doc))
	sch, err := c.Compile(s.ID)
	require.NoError(t, err, s.ID)
	schemaCache[s.ID] = sch
	return sch
}

// layoutFormat checks the digits and separators of a layout like
// 2006-01-02; "" is accepted (policy empty-string-is-no-value).
func layoutFormat(layout string) func(any) error {
	return func(v any) error {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil
		}
		if len(s) != len(layout) {
			return fmt.Errorf("want %s", layout)
		}
		for i := range layout {
			digit := layout[i] >= '0' && layout[i] <= '9'
			if digit != (s[i] >= '0' && s[i] <= '9') || (!digit && s[i] != layout[i]) {
				return fmt.Errorf("want %s", layout)
			}
		}
		return nil
	}
}

// violation is one leaf error of a validation: the JSON pointer and the
// keyword that failed.
type violation struct{ Pointer, Keyword string }

func (v violation) String() string { return v.Pointer + " " + v.Keyword }

// violations validates doc and lists the leaf errors, sorted.
func violations(t testing.TB, cat *pia.Catalog, v pia.Version, method string, k pia.Kind, doc any) []violation {
	t.Helper()
	err := compiledSchema(t, cat, v, method, k).Validate(doc)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	var out []violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			ptr := jsonbody.Pointer(e.InstanceLocation...)
			if r, ok := e.ErrorKind.(*kind.Required); ok {
				for _, name := range r.Missing {
					out = append(out, violation{ptr + jsonbody.Pointer(name), "required"})
				}
				return
			}
			out = append(out, violation{ptr, strings.Join(e.ErrorKind.KeywordPath(), "/")})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
