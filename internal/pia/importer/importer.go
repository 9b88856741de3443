// Package importer reads the PIA as OSS publishes it (the apidoc sources
// src/endpoint.js, src/header.md and src/footer.md of
// oss-rba/oss-rba.github.io), corrects it with deviations.json, and writes
// what the gateway loads: one JSON Schema per method, version and direction,
// and a drafted version step for transform. go generate builds the built-in
// versions with it and `caddy pia import` a new one, so there is one
// importer.
//
// It fails on any fact it cannot place (a duplicate or orphan field, a type
// it does not know), so a new snapshot is reviewed rather than silently
// absorbed.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Source is one published snapshot: the three files of its src/ folder.
// Footer is empty when the snapshot has no footer.md.
type Source struct {
	Endpoint, Header, Footer string
}

// ReadSource reads <dir>/src/endpoint.js, header.md and footer.md. A
// missing footer.md is not an error: Build falls back to the previous
// version's tables.
func ReadSource(dir string) (*Source, error) {
	read := func(name string, optional bool) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, "src", name))
		if err != nil && optional && errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return string(b), err
	}
	var s Source
	var err error
	if s.Endpoint, err = read("endpoint.js", false); err != nil {
		return nil, err
	}
	if s.Header, err = read("header.md", true); err != nil {
		return nil, err
	}
	if s.Footer, err = read("footer.md", true); err != nil {
		return nil, err
	}
	return &s, nil
}

// Built is one version read and corrected.
type Built struct {
	Version  string
	Spec     *Spec
	Lampiran []Lampiran
	// Overview is header.md's method table (nil when the snapshot has no
	// header.md).
	Overview []OverviewRow
	// Schemas maps "<method>.<request|response>.json" to its document.
	Schemas map[string][]byte
	// Warnings are what a reviewer must look at: a Lampiran table taken
	// from the previous version, a carried deviation that no longer
	// applies.
	Warnings []string
}

// Previous is what Build knows of the version before the one it reads.
type Previous struct {
	// Version is the newest version before the one read.
	Version string
	// Lampiran stands in for a snapshot without a footer.md.
	Lampiran []Lampiran
	// CarryFrom are the versions whose deviations apply to the new version
	// too (see FieldDeviation.applies): an import carries those of the
	// version before and of the newest built-in one; go generate none,
	// since every built-in deviation lists its versions.
	CarryFrom []string
}

// Build reads one snapshot, applies the deviations and writes its schemas.
func Build(version string, p Previous, src *Source, dev *Deviations) (*Built, error) {
	prev, prevLampiran := p.Version, p.Lampiran
	spec, err := ParseEndpoints(version, src.Endpoint)
	if err != nil {
		return nil, err
	}
	b := &Built{Version: version, Spec: spec, Schemas: map[string][]byte{}}
	if strings.TrimSpace(src.Footer) != "" {
		if b.Lampiran, err = ParseLampiran(src.Footer); err != nil {
			return nil, err
		}
	}
	if len(b.Lampiran) == 0 {
		if prevLampiran == nil {
			return nil, fmt.Errorf("PIA %s: no footer.md and no previous version to take the Lampiran tables from", version)
		}
		b.Lampiran = prevLampiran
		b.Warnings = append(b.Warnings, fmt.Sprintf("PIA %s has no Lampiran tables (src/footer.md): using those of PIA %s", version, prev))
	} else if p.CarryFrom != nil {
		// An import: a table the previous version had and this one lacks
		// is taken over (policy import-lampiran-fallback).
		have := map[int]bool{}
		for _, l := range b.Lampiran {
			have[l.Number] = true
		}
		for _, l := range prevLampiran {
			if !have[l.Number] {
				b.Lampiran = append(b.Lampiran, l)
				b.Warnings = append(b.Warnings, fmt.Sprintf("PIA %s has no Lampiran %d (%s): using that of PIA %s", version, l.Number, l.Title, prev))
			}
		}
	}
	if strings.TrimSpace(src.Header) != "" {
		if b.Overview, err = ParseOverview(src.Header); err != nil {
			return nil, err
		}
	}
	codes := lampiranCodes(b.Lampiran)
	for i := range spec.Methods {
		m := &spec.Methods[i]
		for _, section := range []string{"request", "success"} {
			fields := m.Request
			if section == "success" {
				fields = m.Success
			}
			fields, notes, err := applyDeviations(dev.Fields, version, p.CarryFrom, m.Method, section, fields)
			if err != nil {
				return nil, err
			}
			b.Warnings = append(b.Warnings, notes...)
			if section == "request" {
				m.Request = fields
			} else {
				m.Success = fields
			}
			if len(fields) == 0 {
				continue
			}
			kind := map[string]string{"request": "request", "success": "response"}[section]
			doc, err := buildSchema(version, m.Method, kind, fields, codes, dev.isCodeField)
			if err != nil {
				return nil, err
			}
			out, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return nil, err
			}
			b.Schemas[m.Method+"."+kind+".json"] = append(out, '\n')
		}
	}
	return b, nil
}

// WriteSchemas writes b's schemas to <dir>/<version>/, replacing what was
// there.
func (b *Built) WriteSchemas(dir string) error {
	vdir := filepath.Join(dir, b.Version)
	if err := os.RemoveAll(vdir); err != nil {
		return err
	}
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(b.Schemas)) {
		if err := os.WriteFile(filepath.Join(vdir, name), b.Schemas[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Generate builds the built-in data of internal/pia (dir): every snapshot
// under source/published/<version>/ becomes schemas/<version>/, and the
// method table methods_gen.go is written from them, the newest overview and
// the method deviations. Warnings are returned for the caller to print.
func Generate(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "deviations.json"))
	if err != nil {
		return nil, err
	}
	dev, err := ParseDeviations(raw)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "source", "published"))
	if err != nil {
		return nil, err
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	sort.Slice(versions, func(i, j int) bool { return VersionLess(versions[i], versions[j]) })
	if len(versions) == 0 {
		return nil, fmt.Errorf("no snapshots under %s", filepath.Join(dir, "source", "published"))
	}
	schemaDir := filepath.Join(dir, "schemas")
	if err := os.RemoveAll(schemaDir); err != nil {
		return nil, err
	}
	var warnings []string
	var specs []*Spec
	var overview []OverviewRow
	var prevLampiran []Lampiran
	prev := ""
	for _, v := range versions {
		src, err := ReadSource(filepath.Join(dir, "source", "published", v))
		if err != nil {
			return nil, err
		}
		b, err := Build(v, Previous{Version: prev, Lampiran: prevLampiran}, src, dev)
		if err != nil {
			return nil, err
		}
		if err := b.WriteSchemas(schemaDir); err != nil {
			return nil, err
		}
		warnings = append(warnings, b.Warnings...)
		specs = append(specs, b.Spec)
		if b.Overview != nil {
			overview = b.Overview
		}
		prev, prevLampiran = v, b.Lampiran
	}
	if err := dev.checkCodeFields(); err != nil {
		return nil, err
	}
	for i := range dev.Fields {
		if d := &dev.Fields[i]; d.used == 0 {
			return nil, fmt.Errorf("deviation %s %s %s matches nothing: remove or correct it", d.Method, d.Section, d.Path)
		}
	}
	src, err := methodTable(specs, overview, dev)
	if err != nil {
		return nil, err
	}
	return warnings, os.WriteFile(filepath.Join(dir, "methods_gen.go"), src, 0o644)
}
