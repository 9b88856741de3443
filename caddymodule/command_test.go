package caddymodule

// Fixtures: the payloads, schemas and answers written out in this file are
// built by hand, each the smallest that shows its test's behaviour; none is
// copied from the documentation (its examples come through piatest.Examples,
// schema samples through piatest.Sampler, named where used).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/transform"
)

// runPIA runs `caddy pia <args>` in process and returns its output.
func runPIA(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := &cobra.Command{Use: "pia", SilenceUsage: true, SilenceErrors: true}
	addPIACommands(root)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// license4323 is validLicense as a 4.3.23 client sends it: the signer under
// its new name, the new reference number and the new Lampiran 10 code 60.
var license4323 = strings.NewReplacer(`"nama_ttd"`, `"nama_penandatangan"`,
	`"status_izin":"50"`, `"status_izin":"60","nomor_referensi":"REF-1"`).Replace(validLicense)

// The user's path for a PIA version the gateway has never seen
// (testdata/pia-4.3.23: the published 4.3.22 sources changed by hand, see
// its README: a field added, one renamed, a Lampiran code added, a method
// withdrawn and one added): imported with one command, its drafted rename confirmed,
// checked, loaded with schemas and rules, and served, nothing rebuilt.
func TestANewPIAVersionImportedWithOneCommandIsServed(t *testing.T) {
	out := t.TempDir()
	schemas, rules := filepath.Join(out, "schemas"), filepath.Join(out, "rules")
	text, err := runPIA(t, "import", "--source", filepath.Join("testdata", "pia-4.3.23"), "--version", "4.3.23", "--out", out)
	require.NoError(t, err, text)
	t.Log(text)
	assert.Contains(t, text, "PIA 4.3.23 imported")
	assert.Contains(t, text, "withdrawn: inqueryFileDS")
	assert.Contains(t, text, "added: inqueryDokumenDS (served by oss)")
	assert.Contains(t, text, "rename candidate: receiveLicense request IZINFINAL.nama_ttd -> nama_penandatangan")
	assert.Contains(t, text, "carried forward to 4.3.23: deviation checkLicenseStatus request CHECKLICENSESTATUS.id_izin", "deviations.json carries forward, said so")

	// The draft loads as it is; the operator confirms the rename.
	text, err = runPIA(t, "check", "--schemas", schemas, "--rules", rules)
	require.NoError(t, err, text)
	step := filepath.Join(rules, "4.3.22-4.3.23.json")
	raw, err := os.ReadFile(step)
	require.NoError(t, err)
	var f transform.File
	require.NoError(t, json.Unmarshal(raw, &f))
	assert.Equal(t, []string{"inqueryFileDS"}, f.Withdraw)
	confirmed := 0
	for i, c := range f.Renames {
		if c.Method == "receiveLicense" && c.Path == "IZINFINAL.nama_ttd" {
			f.Renames[i].Confirmed = true
			confirmed++
		}
	}
	require.Equal(t, 1, confirmed)
	raw, err = json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(step, raw, 0o644))
	text, err = runPIA(t, "check", "--schemas", schemas, "--rules", rules)
	require.NoError(t, err, text)
	assert.Contains(t, text, "step 4.3.22-4.3.23: "+step)

	oss := newUpstream(t, nil)
	g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		schemas %s
		rules %s
		strict
		oss %s {
			version 4.3.23
		}
	}
}`, schemas, rules, oss.addr()))

	a := g.post(t, "/v1/kl/rba/receiveLicense", license4323, "X-PIA-Version", "4.3.23")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	assert.Equal(t, license4323, string(oss.last(t).Body), "the new field and the new code are accepted (strict: undeclared fields are not)")

	bad := strings.Replace(license4323, `"status_izin":"60"`, `"status_izin":"61"`, 1)
	env := g.post(t, "/v1/kl/rba/receiveLicense", bad, "X-PIA-Version", "4.3.23").envelope("responreceiveLicense", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL.status_izin", "a code Lampiran 10 does not list is not")

	a = g.post(t, "/v1/kl/rba/receiveLicense", validLicense, "X-PIA-Version", "4.3.20")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	got := jsonBody(t, oss.last(t))["IZINFINAL"].(map[string]any)
	assert.Equal(t, "Budi Santoso", got["nama_penandatangan"], "an old client is carried up: the confirmed rename")
	assert.NotContains(t, got, "nama_ttd")

	g.post(t, "/v1/kl/rba/inqueryFileDS", `{"INQUERYFILEDS":{"id_izin":"I-1"}}`).envelope("responInqueryFileDS", http.StatusGone)
	a = g.post(t, "/v1/kl/rba/inqueryDokumenDS", `{"INQUERYFILEDS":{"id_permohonan_izin":"I-202111181604410530001"}}`, "X-PIA-Version", "4.3.23")
	require.Equal(t, http.StatusOK, a.StatusCode, "the method 4.3.23 adds is routed to OSS: %s", a.Body)
	g.post(t, "/v1/kl/rba/inqueryDokumenDS", `{"INQUERYFILEDS":{}}`, "X-PIA-Version", "4.3.23").envelope("responinqueryDokumenDS", http.StatusBadRequest)

	a = g.post(t, "/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-202111181604410530001"}}`, "X-PIA-Version", "4.3.23")
	assert.Equal(t, http.StatusOK, a.StatusCode, "id_izin keeps its 25 characters in the imported version: %s", a.Body)

	// validate gives an integrator the gateway's answer offline.
	payload := filepath.Join(t.TempDir(), "license.json")
	require.NoError(t, os.WriteFile(payload, []byte(bad), 0o644))
	text, err = runPIA(t, "validate", "--method", "receiveLicense", "--version", "4.3.23", "--schemas", schemas, "--rules", rules, payload)
	require.Error(t, err)
	assert.Contains(t, text, `"errors"`)
	assert.Contains(t, text, "IZINFINAL.status_izin")
	require.NoError(t, os.WriteFile(payload, []byte(license4323), 0o644))
	text, err = runPIA(t, "validate", "--method", "receiveLicense", "--version", "4.3.23", "--schemas", schemas, "--rules", rules, payload)
	require.NoError(t, err, text)
	assert.Contains(t, text, "valid: receiveLicense, PIA 4.3.23")

	// A file saved in windows-1252 is read as one when the charset is
	// given, as a client's Content-Type gives it (policy body-charset).
	require.Contains(t, license4323, `"Budi Santoso"`)
	require.NoError(t, os.WriteFile(payload, []byte(strings.Replace(license4323, `"Budi Santoso"`, "\"Jos\xe9 Santoso\"", 1)), 0o644))
	text, err = runPIA(t, "validate", "--method", "receiveLicense", "--version", "4.3.23", "--schemas", schemas, "--rules", rules, payload)
	require.Error(t, err)
	assert.Contains(t, text, "bukan UTF-8 yang valid: byte 0xE9")
	text, err = runPIA(t, "validate", "--method", "receiveLicense", "--version", "4.3.23", "--charset", "windows-1252", "--schemas", schemas, "--rules", rules, payload)
	require.NoError(t, err, text)
}

func TestPIACommandsShowWhatTheGatewayKnows(t *testing.T) {
	text, err := runPIA(t, "versions")
	require.NoError(t, err, text)
	assert.Contains(t, text, "versions: 4.3.12, 4.3.16, 4.3.17, 4.3.18, 4.3.19, 4.3.20, 4.3.21, 4.3.22 (upstream default 4.3.20)")
	assert.Contains(t, text, "step 4.3.21-4.3.22: builtin rules/4.3.21-4.3.22.json")
	assert.Contains(t, text, "withdrawn: receiveLegal in 4.3.22")

	text, err = runPIA(t, "methods", "--version", "4.3.22")
	require.NoError(t, err, text)
	assert.Contains(t, text, "receiveNIB")
	assert.NotContains(t, text, "receiveLegal", "withdrawn in 4.3.22")
	text, err = runPIA(t, "methods", "--version", "4.3.21")
	require.NoError(t, err, text)
	assert.Contains(t, text, "receiveLegal")

	text, err = runPIA(t, "schema", "checkLicenseStatus", "--version", "4.3.22")
	require.NoError(t, err, text)
	assert.Contains(t, text, `"$id": "https://caddy-pia.local/schemas/4.3.22/checkLicenseStatus.request.json"`)
	_, err = runPIA(t, "schema", "receiveLegal", "--version", "4.3.22")
	assert.ErrorContains(t, err, "PIA 4.3.22 has no request schema for receiveLegal")

	text, err = runPIA(t, "diff", "4.3.20", "4.3.21")
	require.NoError(t, err, text)
	assert.Contains(t, text, "receiveNIB request: dataNIB.jenis_pelaku_usaha code list")
	assert.Contains(t, text, "receiveNIB request: dataNIB.data_proyek.satu_lini added")

	// A step that leaves a difference uncovered: check lists it and fails.
	rules := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(rules, "4.3.21-4.3.22.json"), []byte(`{"rules":[],"withdraw":["receiveLegal"]}`), 0o644))
	text, err = runPIA(t, "check", "--rules", rules)
	require.Error(t, err)
	assert.Contains(t, text, "uncovered: 4.3.21-4.3.22 inqueryProyek response: data.data_proyek.satu_lini added")
}
