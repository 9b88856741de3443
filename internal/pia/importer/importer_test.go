package importer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/transform"
)

const published = "../source/published"

// build4320 builds 4.3.20 from its published sources, as go generate does.
func build4320(t *testing.T) *Built {
	t.Helper()
	raw, err := os.ReadFile("../deviations.json")
	require.NoError(t, err)
	dev, err := ParseDeviations(raw)
	require.NoError(t, err)
	src, err := ReadSource(filepath.Join(published, "4.3.20"))
	require.NoError(t, err)
	b, err := Build("4.3.20", Previous{Version: "4.3.19"}, src, dev)
	require.NoError(t, err)
	return b
}

// The built-in schemas are what Build writes from the published sources
// (go generate runs the same code; this checks it without regenerating).
func TestBuildWritesTheCommittedSchemas(t *testing.T) {
	b := build4320(t)
	require.Greater(t, len(b.Schemas), 20)
	for name, got := range b.Schemas {
		want, err := os.ReadFile(filepath.Join("..", "schemas", "4.3.20", name))
		require.NoError(t, err, name)
		assert.True(t, bytes.Equal(want, got), "%s differs from the committed schema", name)
	}
}

// A number(N.D) is written as the standard keywords any JSON Schema tool
// reads and, once more, as the annotation the gateway reads.
func TestNumberSizeIsWrittenAsKeywordsAndAnnotation(t *testing.T) {
	b := build4320(t)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b.Schemas["receiveNIB.request.json"], &doc))
	// dataNIB.data_proyek[].data_proyek_produk[].tkdn is number(3.2).
	tkdn := dig(t, doc, "properties", "dataNIB", "properties", "data_proyek", "items", "properties",
		"data_proyek_produk", "items", "properties", "tkdn")
	assert.Equal(t, 1000.0, tkdn["exclusiveMaximum"])
	assert.Equal(t, -1000.0, tkdn["exclusiveMinimum"])
	assert.Equal(t, 0.01, tkdn["multipleOf"])
	assert.Equal(t, map[string]any{"digits": 3.0, "decimals": 2.0}, tkdn[pia.NumberAnnotation])

	require.NoError(t, json.Unmarshal(b.Schemas["receiveLicense.request.json"], &doc))
	// IZINFINAL.bln_berlaku_izin is number(5): digits only.
	bln := dig(t, doc, "properties", "IZINFINAL", "properties", "bln_berlaku_izin")
	assert.Equal(t, map[string]any{"digits": 5.0}, bln[pia.NumberAnnotation])
	nib := dig(t, doc, "properties", "IZINFINAL", "properties", "nib")
	assert.NotContains(t, nib, pia.NumberAnnotation, "a string has no number size")
}

func dig(t *testing.T, doc map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := doc[k].(map[string]any)
		require.True(t, ok, "%s in %v", k, keys)
		doc = next
	}
	return doc
}

// snapshot copies the published 4.3.22 sources into a temporary directory,
// changed by edit.
func snapshot(t *testing.T, edit func(file string, text string) string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "src"), 0o755))
	for _, f := range []string{"endpoint.js", "header.md", "footer.md"} {
		b, err := os.ReadFile(filepath.Join(published, "4.3.22", "src", f))
		require.NoError(t, err)
		text := edit(f, string(b))
		if text == "" {
			continue // the file is left out
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "src", f), []byte(text), 0o644))
	}
	return dir
}

func TestImportDraftsAStepThatLoads(t *testing.T) {
	// 4.3.23: checkLicenseStatus documents id_izin as string(25) at last,
	// and updateLicense's nama_ttd becomes nama_pejabat.
	src := snapshot(t, func(f, text string) string {
		if f != "endpoint.js" {
			return text
		}
		text = strings.Replace(text, "{string(13)}    \tCHECKLICENSESTATUS.id_izin", "{string(25)}    \tCHECKLICENSESTATUS.id_izin", 1)
		return strings.Replace(text, "{string(50)}    \tIZINFINAL.nama_ttd", "{string(50)}    \tIZINFINAL.nama_pejabat", 1)
	})
	out := t.TempDir()
	rep, err := Import(Options{Source: src, Version: pia.MustVersion("4.3.23"), Out: out})
	require.NoError(t, err)
	assert.Equal(t, pia.MustVersion("4.3.22"), rep.Previous)
	assert.Equal(t, []transform.Candidate{{Method: "updateLicense", Kind: pia.Request, Path: "IZINFINAL.nama_ttd", To: "nama_pejabat",
		Reason: rep.Step.Renames[0].Reason}}, rep.Step.Renames)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "deviation checkLicenseStatus request CHECKLICENSESTATUS.id_izin",
		"a deviation the documentation now makes needless is reported")
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "no longer applies in 4.3.23")

	raw, err := os.ReadFile(filepath.Join(out, "schemas", "4.3.23", "checkLicenseStatus.request.json"))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"maxLength": 25`)

	_, err = Import(Options{Source: src, Version: pia.MustVersion("4.3.23"), Out: out})
	assert.ErrorContains(t, err, "was imported already")
	_, err = Import(Options{Source: src, Version: pia.MustVersion("4.3.22"), Out: t.TempDir()})
	assert.ErrorContains(t, err, "is not newer than PIA 4.3.22")

	// The next import drafts from the imported version.
	rep, err = Import(Options{Source: src, Version: pia.MustVersion("4.3.24"), Out: out})
	require.NoError(t, err)
	assert.Equal(t, pia.MustVersion("4.3.23"), rep.Previous)
	assert.Empty(t, rep.Step.Rules)
	assert.Empty(t, rep.Step.Renames)
}

func TestAMissingLampiranTableFallsBackToThePreviousVersion(t *testing.T) {
	src := snapshot(t, func(f, text string) string {
		if f == "footer.md" {
			return ""
		}
		return text
	})
	out := t.TempDir()
	rep, err := Import(Options{Source: src, Version: pia.MustVersion("4.3.23"), Out: out})
	require.NoError(t, err)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "no Lampiran tables (src/footer.md): using those of PIA 4.3.22")
	raw, err := os.ReadFile(filepath.Join(out, "schemas", "4.3.23", "receiveLicense.request.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	status := doc["properties"].(map[string]any)["IZINFINAL"].(map[string]any)["properties"].(map[string]any)["status_izin"].(map[string]any)
	assert.Contains(t, status["enum"], "57", "Lampiran 10 codes came from 4.3.22")
}

func TestParseFieldReadsTheDocumentedTypes(t *testing.T) {
	for _, tt := range []struct{ raw, name, typ string }{
		{"String(3){3}", "a.b", "string"},
		{"number(20.2){20}", "a.c", "number"},
		{"Object[]", "a.d", "array"},
		{"string100()", "a.e", "string"},
	} {
		f, err := parseField(tt.raw, tt.name, "x")
		require.NoError(t, err)
		assert.Equal(t, tt.typ, f.Type, tt.raw)
	}
	_, err := parseField("strnig(3)", "a", "")
	assert.ErrorContains(t, err, "unknown type")
	f, _ := parseField("string(10)", "[a.tgl]", "Tanggal (format date : YYYY-MM-DD) Lihat Lampiran 10")
	assert.True(t, f.Optional)
	assert.Equal(t, "date", f.Format)
	assert.Equal(t, []int{10}, f.Lampiran)
}

func TestAMissingLampiranTableIsTakenFromThePreviousVersion(t *testing.T) {
	src := snapshot(t, func(f, text string) string {
		if f != "footer.md" {
			return text
		}
		i := strings.Index(text, "Lampiran 10 - ")
		j := strings.Index(text, "Lampiran 11 - ")
		require.True(t, i > 0 && j > i)
		return text[:i] + text[j:]
	})
	out := t.TempDir()
	rep, err := Import(Options{Source: src, Version: pia.MustVersion("4.3.23"), Out: out})
	require.NoError(t, err)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "has no Lampiran 10 (DATA KODE STATUS IZIN): using that of PIA 4.3.22")
	raw, err := os.ReadFile(filepath.Join(out, "schemas", "4.3.23", "receiveLicense.request.json"))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"57"`, "Lampiran 10 codes came from 4.3.22")
}
