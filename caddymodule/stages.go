package caddymodule

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
	"github.com/caddy-pia/caddy-pia/validate"
)

// Validator is the validation stage of the pipeline.
type Validator interface {
	// Has reports whether a schema exists for the method in that version.
	Has(v pia.Version, method string, kind pia.Kind) bool
	// Normalize applies the accepted real-world variations (numbers sent
	// as strings, ...) and reports whether it changed the tree.
	Normalize(v pia.Version, method string, kind pia.Kind, doc any) (any, bool)
	// Validate returns every violation, or none.
	Validate(v pia.Version, method string, kind pia.Kind, doc any) []pia.FieldError
}

// Transformer is the version adaptation stage of the pipeline.
type Transformer interface {
	// Needed reports whether any rule applies between the two versions.
	Needed(method string, kind pia.Kind, from, to pia.Version) bool
	// Convert carries the tree from one version to the other, returning
	// the ids of the rules applied, or what makes it impossible.
	Convert(method string, kind pia.Kind, from, to pia.Version, doc any) (any, []string, []pia.FieldError)
}

// validator adapts validate.Validator to the pipeline.
type validator struct{ *validate.Validator }

func (v validator) Validate(ver pia.Version, method string, kind pia.Kind, doc any) []pia.FieldError {
	if r := v.Validator.Validate(ver, method, kind, doc); r != nil {
		return r.Errors
	}
	return nil
}

// transformer adapts transform.Engine to the pipeline.
type transformer struct{ *transform.Engine }

func (t transformer) Convert(method string, kind pia.Kind, from, to pia.Version, doc any) (any, []string, []pia.FieldError) {
	out, rep := t.Engine.Convert(method, kind, from, to, doc)
	return out, rep.Applied, rep.Errors
}

func newValidator(cat *pia.Catalog, strict bool, lang pia.Lang) (Validator, error) {
	v, err := validate.New(cat, validate.Options{Strict: strict, Lang: lang})
	if err != nil {
		return nil, err
	}
	return validator{v}, nil
}

func newTransformer(cat *pia.Catalog, lang pia.Lang, dirs ...string) (Transformer, error) {
	e, err := transform.Load(cat, lang, dirs...)
	if err != nil {
		return nil, err
	}
	return transformer{e}, nil
}
