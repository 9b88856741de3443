package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
)

// Options say what Import reads and where it writes.
type Options struct {
	// Source holds src/endpoint.js, src/header.md and src/footer.md in the
	// published layout.
	Source string
	// Version is the PIA version the snapshot documents.
	Version pia.Version
	// Out receives schemas/<version>/ and rules/<prev>-<version>.json.
	Out string
	// Schemas and Rules are directories the gateway already loads (an
	// earlier import's), so the step is drafted from the newest version it
	// knows. Out's own schemas/ and rules/ are read too.
	Schemas, Rules string
}

// Report says what Import wrote and what a reviewer must look at.
type Report struct {
	Previous, Version pia.Version
	SchemaDir         string
	StepFile          string
	Step              *transform.File
	Warnings          []string
}

// Import reads a published snapshot of a PIA version newer than every
// version the gateway knows, writes its schemas (as the built-in ones are
// written, deviations.json carried forward) and drafts the step from the
// newest known version to it. The draft is checked to load as it is.
func Import(o Options) (*Report, error) {
	if o.Version.IsZero() {
		return nil, fmt.Errorf("no version given")
	}
	outSchemas, outRules := filepath.Join(o.Out, "schemas"), filepath.Join(o.Out, "rules")
	if exists(filepath.Join(outSchemas, o.Version.String())) {
		return nil, fmt.Errorf("%s exists: PIA %s was imported already; remove it and its step to import it anew", filepath.Join(outSchemas, o.Version.String()), o.Version)
	}
	known, _, err := load(o, false)
	if err != nil {
		return nil, fmt.Errorf("the versions the gateway knows do not load: %w", err)
	}
	vs := known.Versions()
	prev := vs[len(vs)-1]
	if !prev.Less(o.Version) {
		return nil, fmt.Errorf("PIA %s is not newer than PIA %s, the newest version known: an import adds the next version", o.Version, prev)
	}
	stepFile := filepath.Join(outRules, prev.String()+"-"+o.Version.String()+".json")
	if _, err := os.Stat(stepFile); err == nil {
		return nil, fmt.Errorf("%s exists: remove it to draft the step anew", stepFile)
	}

	src, err := ReadSource(o.Source)
	if err != nil {
		return nil, err
	}
	dev, err := ParseDeviations(pia.Deviations())
	if err != nil {
		return nil, err
	}
	var prevTables []Lampiran
	if footer, ok := pia.PublishedFooter(prev); ok {
		prevTables, _ = ParseLampiran(footer)
	} else if strings.TrimSpace(src.Footer) == "" {
		// An imported previous version: the newest built-in tables are the
		// nearest published ones.
		bv := pia.Versions()
		if footer, ok := pia.PublishedFooter(bv[len(bv)-1]); ok {
			prevTables, _ = ParseLampiran(footer)
		}
	}
	builtin := pia.Versions()
	carry := []string{prev.String(), builtin[len(builtin)-1].String()}
	b, err := Build(o.Version.String(), Previous{Version: prev.String(), Lampiran: prevTables, CarryFrom: carry}, src, dev)
	if err != nil {
		return nil, err
	}
	newer := map[string]*pia.Schema{}
	scratch, err := pia.NewCatalog()
	if err != nil {
		return nil, err
	}
	for name, raw := range b.Schemas {
		base := strings.TrimSuffix(name, ".json")
		dot := strings.LastIndexByte(base, '.')
		method, kind := base[:dot], pia.Kind(base[dot+1:])
		if err := scratch.Add(o.Version, method, kind, raw, name); err != nil {
			return nil, err
		}
		s, _ := scratch.Own(o.Version, method, kind)
		newer[base] = s
	}
	step := Draft(prev, o.Version, known, newer, b.Declarations())

	if err := b.WriteSchemas(outSchemas); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(step); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outRules, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(stepFile, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if _, _, err := load(o, true); err != nil {
		return nil, fmt.Errorf("the drafted step does not load (a bug of the importer): %w", err)
	}
	return &Report{Previous: prev, Version: o.Version, SchemaDir: filepath.Join(outSchemas, o.Version.String()), StepFile: stepFile, Step: step, Warnings: b.Warnings}, nil
}

// load builds what the gateway would load from o's directories, Out's
// included when withOut is set.
func load(o Options, withOut bool) (*pia.Catalog, *transform.Engine, error) {
	var schemaDirs, ruleDirs []string
	add := func(list []string, dir string) []string {
		if dir == "" {
			return list
		}
		for _, d := range list {
			if filepath.Clean(d) == filepath.Clean(dir) {
				return list
			}
		}
		return append(list, dir)
	}
	schemaDirs = add(schemaDirs, o.Schemas)
	ruleDirs = add(ruleDirs, o.Rules)
	if withOut {
		schemaDirs = add(schemaDirs, filepath.Join(o.Out, "schemas"))
		ruleDirs = add(ruleDirs, filepath.Join(o.Out, "rules"))
	} else {
		// Out may hold earlier imports: they are what the gateway knows.
		if exists(filepath.Join(o.Out, "schemas")) {
			schemaDirs = add(schemaDirs, filepath.Join(o.Out, "schemas"))
		}
		if exists(filepath.Join(o.Out, "rules")) {
			ruleDirs = add(ruleDirs, filepath.Join(o.Out, "rules"))
		}
	}
	return Load(schemaDirs, ruleDirs)
}

// Load builds the catalog and the rules engine the gateway would: the
// built-in schemas and rules, then each directory's, overriding or adding.
// It fails as the gateway's provisioning does, coverage included.
func Load(schemaDirs, ruleDirs []string) (*pia.Catalog, *transform.Engine, error) {
	cat, err := pia.NewCatalog()
	if err != nil {
		return nil, nil, err
	}
	for _, d := range schemaDirs {
		if err := cat.LoadDir(d); err != nil {
			return nil, nil, err
		}
	}
	e, err := transform.Load(cat, ruleDirs...)
	if err != nil {
		return cat, nil, err
	}
	return cat, e, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
