package caddymodule

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// What the gateway quotes back from a request is clipped by characters,
// never inside one (policy one-clipping): an X-PIA-Version of 151
// characters, 301 bytes, is quoted whole and stays valid UTF-8.
func TestAQuotedValueIsClippedByCharacters(t *testing.T) {
	oss := newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), freeAddr(t), ""))

	sent := "a" + strings.Repeat("é", 150)
	env := g.post("/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", sent).
		envelope("responcheckLicenseStatus", http.StatusBadRequest)
	text, _ := env["keterangan"].(string)
	assert.True(t, utf8.ValidString(text))
	assert.Contains(t, text, `Versi PIA "`+sent+`" tidak dikenal`)

	long := strings.Repeat("é", 250)
	env = g.post("/v1/kl/rba/checkLicenseStatus", `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, "X-PIA-Version", long).
		envelope("responcheckLicenseStatus", http.StatusBadRequest)
	text, _ = env["keterangan"].(string)
	assert.Contains(t, text, `Versi PIA "`+strings.Repeat("é", 200)+`…" tidak dikenal`, "200 characters, then the cut")
}
