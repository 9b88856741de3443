package caddymodule

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The regression tests of the adversarial review (issue 12): each fails on
// the gateway as it was before the fix it names.

func TestPathParameterIsOneSegment(t *testing.T) {
	oss, kld := newUpstream(t, nil), newUpstream(t, nil)
	g := startGateway(t, routingConfig(oss.addr(), kld.addr(), ""))
	for _, p := range []string{
		"..%2F..%2F..%2F..%2Fadmin%2Fusers", // reached /admin/users on the OSS host
		"..%2FreceiveLicense",               // reached another method, unvalidated
		"%2E%2E", "..", "%2E", "a%2Fb", "a%5Cb", "a%5C..%5Cb", "a%00b", "a%0Ab", "a%7Fb",
	} {
		t.Run(p, func(t *testing.T) {
			a := g.call(http.MethodGet, "/v1/kl/rba/inqueryCertificate/"+p, "")
			env := a.envelope("responInqueryCertificate", http.StatusBadRequest)
			assert.Contains(t, env["keterangan"], "{id_permohonan_izin}")
		})
	}
	assert.Empty(t, oss.received(), "nothing escaped to the upstream")

	// A parameter that is one segment goes out escaped, as one segment.
	for p, want := range map[string]string{
		"I-202112171709158243106": "/v1/kl/rba/inqueryCertificate/I-202112171709158243106",
		"a%20b%3Bc%25":            "/v1/kl/rba/inqueryCertificate/a%20b%3Bc%25",
		"a:b@c":                   "/v1/kl/rba/inqueryCertificate/a:b@c",
	} {
		a := g.call(http.MethodGet, "/v1/kl/rba/inqueryCertificate/"+p, "")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s: %s", p, a.Body)
		got := oss.received()
		assert.Equal(t, want, got[len(got)-1].RawURI, p)
	}
}
