package pia

import (
	"embed"
	"path"
)

//go:embed deviations.json
var deviationsJSON []byte

// The Lampiran tables of every built-in version, as published: an import
// whose snapshot lacks them falls back to the previous version's.
//
//go:embed source/published/*/src/footer.md
var publishedFooters embed.FS

// Deviations returns internal/pia/deviations.json as built in, for an import
// to carry its corrections forward.
func Deviations() []byte { return deviationsJSON }

// PublishedFooter returns the src/footer.md (Lampiran tables) of a built-in
// version.
func PublishedFooter(v Version) (string, bool) {
	b, err := publishedFooters.ReadFile(path.Join("source/published", v.String(), "src/footer.md"))
	return string(b), err == nil
}
