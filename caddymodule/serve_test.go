package caddymodule

import (
	"mime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsJSONAgreesWithTheMediaTypeParser(t *testing.T) {
	parsed := func(ct string) bool {
		mt, _, err := mime.ParseMediaType(ct)
		return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
	}
	for _, ct := range []string{
		"application/json", "Application/JSON", "application/json; charset=utf-8", "application/json; charset=UTF-8",
		"application/json;charset=utf-8", "application/json; charset=", "application/json;", "application/json ",
		"application/problem+json", "application/jsonx", "application/json/x", "text/plain", "", ";",
	} {
		assert.Equal(t, parsed(ct), isJSON(ct), "%q", ct)
	}
}

func TestJoinedIsThePathItWouldBuild(t *testing.T) {
	for _, c := range []struct{ path, prefix, name string }{
		{"/v1/kl/rba/receiveLicense", "/v1/kl/rba", "receiveLicense"},
		{"/receiveLicense", "", "receiveLicense"},
		{"/v1/kl/rba/receiveLicensX", "/v1/kl/rba", "receiveLicense"},
		{"/v1/kl/rbaXreceiveLicense", "/v1/kl/rba", "receiveLicense"},
		{"/v1/kl/rba/izin", "/v1/kl/rba", "receiveLicense"},
		{"/v1/kl/rba/receiveLicense/x", "/v1/kl/rba", "receiveLicense"},
		{"/stg/v1/kl/rba/receiveLicense", "/v1/kl/rba", "receiveLicense"},
	} {
		assert.Equal(t, c.path == c.prefix+"/"+c.name, joined(c.path, c.prefix, c.name), "%+v", c)
	}
}
