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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An operator's schema using a keyword the validation plan does not
// implement (oneOf), here an agency method's own, is validated by the JSON
// Schema library, and the load says so, naming the schema's file. (A
// built-in method's schema overridden this way must also be covered by the
// version rules, which coverage-at-load checks; an agency method has none.)
func TestSchemaWithoutAPlanIsValidatedAndNamedAtLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "receiveIzinDaerah.request.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"type":"object","required":["IZINFINAL"],
		"properties":{"IZINFINAL":{"type":"object","properties":{"nib":{"type":"string","maxLength":13}},
			"oneOf":[{"required":["nib"]},{"required":["npwp"]}]}}}`), 0o644))
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	oss := newUpstream(t, nil)
	g := startGateway(t, defaults(oss.addr(), freeAddr(t), logFile, fmt.Sprintf(`method receiveIzinDaerah {
			side oss
			schema %s
		}`, file)))

	a := g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINFINAL":{"nib":"8120000000001"}}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	env := g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINFINAL":{"nib":"8120000000001","npwp":"1"}}`).envelope("responreceiveIzinDaerah", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL", "the library's oneOf verdict, on the object")
	env = g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINFINAL":{"nib":"81200000000012345"}}`).envelope("responreceiveIzinDaerah", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL.nib: panjang maksimal 13 karakter, diterima 17")

	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Contains(t, string(logs), "schema without a validation plan")
	assert.Contains(t, string(logs), file, "the warning names the schema")
	assert.Contains(t, string(logs), "oneOf")
}

// An operator's schema that states a number's size with the annotation the
// generated schemas carry (x-pia-number) is checked by it, and the
// violation names its limits; one whose annotation the keywords beside it
// contradict fails the load, naming the file.
func TestSchemaNumberAnnotationIsEnforcedAndAContradictionFailsTheLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "receiveIzinDaerah.request.json")
	schema := func(nilai string) []byte {
		return []byte(`{"type":"object","required":["IZINFINAL"],
			"properties":{"IZINFINAL":{"type":"object","properties":{"nilai":{"type":["number","null"]` + nilai + `}}}}}`)
	}
	require.NoError(t, os.WriteFile(file, schema(`,"x-pia-number":{"digits":5,"decimals":1}`), 0o644))
	oss := newUpstream(t, nil)
	method := fmt.Sprintf(`method receiveIzinDaerah {
			side oss
			schema %s
		}`, file)
	g := startGateway(t, defaults(oss.addr(), freeAddr(t), filepath.Join(t.TempDir(), "caddy.log"), method))

	a := g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINFINAL":{"nilai":99999.9}}`)
	assert.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	env := g.post(t, "/v1/kl/rba/receiveIzinDaerah", `{"IZINFINAL":{"nilai":123456.25}}`).envelope("responreceiveIzinDaerah", http.StatusBadRequest)
	assert.Contains(t, env["keterangan"], "IZINFINAL.nilai: maksimal 5 digit sebelum koma, diterima 6")
	assert.Contains(t, env["keterangan"], "IZINFINAL.nilai: maksimal 1 angka di belakang koma, diterima 2")

	require.NoError(t, os.WriteFile(file, schema(`,"exclusiveMaximum":1000,"exclusiveMinimum":-1000,"x-pia-number":{"digits":5}`), 0o644))
	err := loadError(t, fmt.Sprintf("{listen} {\n\tpia {\n\t\toss %s\n\t\t%s\n\t}\n}", oss.addr(), method))
	require.Error(t, err)
	assert.Contains(t, err.Error(), file, "the error names the schema")
	assert.Contains(t, err.Error(), "x-pia-number says 5 digits")
}
