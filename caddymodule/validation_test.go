package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validLicense is a receiveLicense of PIA 4.3.20 with every mandatory
// field filled, built by hand from the 4.3.20 field table.
const validLicense = `{"IZINFINAL":{"nib":"8120000000001","id_proyek":"R-202112141140213930001",` +
	`"oss_id":"P02-201912162112383010001","id_izin":"I-202111181604410530001","kd_izin":"033000000001",` +
	`"kd_daerah":"3201000000","nomor_izin":"503/001/DPMPTSP/2026","tgl_terbit_izin":"2026-11-30",` +
	`"tgl_berlaku_izin":"2031-11-30","nama_ttd":"Budi Santoso","nip_ttd":"197001012000031001",` +
	`"jabatan_ttd":"Kepala DPMPTSP","status_izin":"50"}}`

// enforcing fronts OSS with validation on (the default).
func enforcing(oss string, extra string) string {
	return fmt.Sprintf(`
{listen} {
	pia {
		oss %s
		%s
	}
}`, oss, extra)
}

func TestValidPayloadPassesByteForByte(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	a := g.post(t, "/v1/kl/rba/receiveLicense", validLicense)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, validLicense, string(oss.last(t).Body))

	// checkLicenseStatus documents id_izin as string(13); real ids are 23
	// characters (deviations.json corrects it to 25, as everywhere else).
	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-202111181604410530001"}}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
}

func TestViolationsAreAllNamedInTheEnvelope(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	bad := strings.NewReplacer(`"nib":"8120000000001"`, `"nib":"812000000000123"`,
		`"tgl_terbit_izin":"2026-11-30"`, `"tgl_terbit_izin":"30-11-2026"`,
		`"status_izin":"50"`, `"status_izin":"99"`,
		`"nama_ttd":"Budi Santoso",`, ``).Replace(validLicense)
	env := g.post(t, "/v1/kl/rba/receiveLicense", bad).envelope("responreceiveLicense", http.StatusBadRequest)
	msg := env["keterangan"].(string)
	assert.Contains(t, msg, "IZINFINAL.nib: panjang maksimal 13 karakter, diterima 15")
	for _, field := range []string{"IZINFINAL.tgl_terbit_izin", "IZINFINAL.status_izin", "IZINFINAL.nama_ttd"} {
		assert.Contains(t, msg, field)
	}
	errs := env["errors"].([]any)
	require.Len(t, errs, 4, "every violation, not just the first: %s", msg)
	byField := map[string]map[string]any{}
	for _, e := range errs {
		m := e.(map[string]any)
		byField[m["field"].(string)] = m
	}
	require.Contains(t, byField, "/IZINFINAL/nib")
	assert.Equal(t, "maxLength", byField["/IZINFINAL/nib"]["rule"])
	assert.Equal(t, "13", byField["/IZINFINAL/nib"]["expected"])
	assert.Equal(t, "15", byField["/IZINFINAL/nib"]["got"])
	assert.Contains(t, byField, "/IZINFINAL/nama_ttd")
	assert.Empty(t, oss.received())
}

func TestReportModeForwardsAndNamesTheViolations(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), "validation report"))
	bad := strings.Replace(validLicense, `"nib":"8120000000001"`, `"nib":"812000000000123"`, 1)
	a := g.post(t, "/v1/kl/rba/receiveLicense", bad)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, bad, string(oss.last(t).Body), "report mode forwards the payload as sent")
	assert.Equal(t, `IZINFINAL.nib maxLength got="812000000000123"`, a.Header.Get("X-PIA-Validation"))

	b := g.metrics(t)
	assert.Contains(t, b, `caddy_pia_validation_failures_total{method="receiveLicense",mode="report"} 1`)
	assert.Contains(t, b, `caddy_pia_requests_total{method="receiveLicense",outcome="forwarded"} 1`)
}

func TestPerMethodModeStrictAndEnglish(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), `strict
		lang en
		method checkLicenseStatus {
			validation off
		}`))
	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"anything":true}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "validation off for this method")

	extra := strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","catatan":"x"`, 1)
	env := g.post(t, "/v1/kl/rba/receiveLicense", extra).envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL.catatan", "strict rejects an undeclared field")
	assert.True(t, strings.HasPrefix(env["keterangan"].(string), "Invalid parameters"), "English: %s", env["keterangan"])
}

func TestNumbersSentAsStringsAreNormalised(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	in := strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","bln_berlaku_izin":"6","file_izin":"https://kld.go.id/izin?id=1&v=2"`, 1)
	a := g.post(t, "/v1/kl/rba/receiveLicense", in)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := jsonBody(t, oss.last(t))["IZINFINAL"].(map[string]any)
	assert.Equal(t, float64(6), got["bln_berlaku_izin"], "the documented number reaches OSS as a number")
	assert.Contains(t, string(oss.last(t).Body), `"https://kld.go.id/izin?id=1&v=2"`, "re-encoding keeps & as it was sent")

	bad := strings.Replace(validLicense, `"status_izin":"50"`, `"status_izin":"50","bln_berlaku_izin":"6a"`, 1)
	g.post(t, "/v1/kl/rba/receiveLicense", bad).envelope("responreceiveLicense", http.StatusBadRequest)
}

func TestOldClientLackingANewMandatoryFieldIsToldWhich(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, enforcing(oss.addr(), ""))
	legal := `{"AKTA":{"id_perusahaan":"1","total_modal_dasar":1000,"penanggung_jwb":[{"jenis_identitas_penanggung_jwb":"01","no_identitas_penanggung_jwb":"3201"}]}}`
	env := g.post(t, "/v1/kl/rba/receiveLegal", legal, "X-PIA-Version", "4.3.12").envelope("responreceiveLegal", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "AKTA.tahun_kbli: field baru wajib di PIA 4.3.16",
		"names the field the newer PIA requires and the 4.3.12 client lacks")
	assert.Empty(t, oss.received())
}

func TestSchemaAndRulesDirectoriesAddAVersionWithoutRebuild(t *testing.T) {
	dir := t.TempDir()
	schemas, rules := filepath.Join(dir, "schemas"), filepath.Join(dir, "rules")
	require.NoError(t, os.MkdirAll(filepath.Join(schemas, "4.3.23"), 0o755))
	require.NoError(t, os.MkdirAll(rules, 0o755))
	// PIA "4.3.23" renames checkLicenseStatus's id_izin to id_permohonan.
	require.NoError(t, os.WriteFile(filepath.Join(schemas, "4.3.23", "checkLicenseStatus.request.json"), []byte(`{
		"type": "object", "required": ["CHECKLICENSESTATUS"],
		"properties": {"CHECKLICENSESTATUS": {"type": "object", "required": ["id_permohonan"],
			"properties": {"id_permohonan": {"type": "string", "maxLength": 25}}}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(rules, "4.3.22-4.3.23.json"), []byte(`{"rules": [
		{"method": "checkLicenseStatus", "kind": "request", "op": "rename",
		 "path": "CHECKLICENSESTATUS.id_izin", "to": "id_permohonan"}]}`), 0o644))
	// An agency's own method with its schema.
	custom := filepath.Join(dir, "receiveIzinDaerah.request.json")
	require.NoError(t, os.WriteFile(custom, []byte(`{"type":"object","required":["IZINDAERAH"],
		"properties":{"IZINDAERAH":{"type":"object","required":["nib"],"properties":{"nib":{"type":"string","maxLength":13}}}}}`), 0o644))

	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		schemas %s
		rules %s
		oss %s {
			version 4.3.23
		}
		method receiveIzinDaerah {
			side oss
			schema %s
		}
	}
}`, schemas, rules, oss.addr(), custom))

	a := g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", "4.3.22")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.JSONEq(t, `{"CHECKLICENSESTATUS":{"id_permohonan":"I-1"}}`, string(oss.last(t).Body))

	g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINDAERAH":{}}`).envelope("responreceiveIzinDaerah", http.StatusBadRequest)
	a = g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINDAERAH":{"nib":"8120000000001"}}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
}

// TestAReloadServesTheEditedSchema: compiled schemas are shared by every
// config load of the process (validate's compileShared), so a reload after
// an operator edits a schema file must serve the edit, and one after it is
// put back must serve the original again.
func TestAReloadServesTheEditedSchema(t *testing.T) {
	// Built by hand: an agency's own method whose nib has a length.
	custom := filepath.Join(t.TempDir(), "receiveIzinDaerah.request.json")
	write := func(maxLength int) {
		require.NoError(t, os.WriteFile(custom, []byte(fmt.Sprintf(`{"type":"object","required":["IZINDAERAH"],
			"properties":{"IZINDAERAH":{"type":"object","properties":{"nib":{"type":"string","maxLength":%d}}}}}`, maxLength)), 0o644))
	}
	write(13)
	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		validation enforce
		oss %s
		method receiveIzinDaerah {
			side oss
			schema %s
		}
	}
}`, oss.addr(), custom))
	izin := `{"IZINDAERAH":{"nib":"8120000000001"}}`

	a := g.post(t, "/v1/kl/rba/receiveIzinDaerah", izin)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)

	write(5)
	g.reload(t)
	env := g.post(t, "/v1/kl/rba/receiveIzinDaerah", izin).envelope("responreceiveIzinDaerah", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINDAERAH.nib", "the edited length is in force")

	write(13)
	g.reload(t)
	a = g.post(t, "/v1/kl/rba/receiveIzinDaerah", izin)
	assert.Equal(t, http.StatusOK, a.StatusCode, "the file put back is in force again: %s", a.Body)
	assert.Len(t, oss.received(), 2)
}

func TestBrokenSchemaOrRuleFailsTheConfigLoad(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "4.3.20"), 0o755))
	broken := filepath.Join(dir, "4.3.20", "receiveLicense.request.json")
	require.NoError(t, os.WriteFile(broken, []byte(`{"type": "objekt"}`), 0o644))
	err := loadError(t, "{listen} {\n\tpia {\n\t\tschemas "+dir+"\n\t\toss 127.0.0.1:1\n\t}\n}")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "receiveLicense.request.json")

	rules := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(rules, "4.3.19-4.3.20.json"), []byte(`{"rules": [
		{"method": "receiveLicense", "kind": "request", "op": "rename", "path": "IZINFINAL.tidak_ada", "to": "x"}]}`), 0o644))
	err = loadError(t, "{listen} {\n\tpia {\n\t\trules "+rules+"\n\t\toss 127.0.0.1:1\n\t}\n}")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tidak_ada")
}
