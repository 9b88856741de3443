package caddymodule

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
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

// passValidator accepts everything; it stands in until validate lands.
type passValidator struct{}

func (passValidator) Has(pia.Version, string, pia.Kind) bool { return false }
func (passValidator) Normalize(_ pia.Version, _ string, _ pia.Kind, doc any) (any, bool) {
	return doc, false
}
func (passValidator) Validate(pia.Version, string, pia.Kind, any) []pia.FieldError { return nil }

// passTransformer changes nothing; it stands in until transform lands.
type passTransformer struct{}

func (passTransformer) Needed(string, pia.Kind, pia.Version, pia.Version) bool { return false }
func (passTransformer) Convert(_ string, _ pia.Kind, _, _ pia.Version, doc any) (any, []string, []pia.FieldError) {
	return doc, nil, nil
}

func newValidator(cat *pia.Catalog, strict bool, lang pia.Lang) (Validator, error) {
	return passValidator{}, nil
}

func newTransformer(cat *pia.Catalog, lang pia.Lang, dirs ...string) (Transformer, error) {
	return passTransformer{}, nil
}
