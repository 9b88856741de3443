package pia

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallerVersionKeyClaimThenHeaderThenRouteDefault(t *testing.T) {
	cat, err := NewCatalog()
	require.NoError(t, err)
	route := MustVersion("4.3.16")
	tests := []struct {
		name          string
		claim, header string
		want          Version
		unknownHeader bool
	}{
		{"the key's claim wins over the header", "4.3.12", "4.3.20", MustVersion("4.3.12"), false},
		{"a claim the catalogue lacks is passed over for the header", "9.9.9", "4.3.20", MustVersion("4.3.20"), false},
		{"the header when the key says nothing", "", "4.3.12", MustVersion("4.3.12"), false},
		{"a document-history version is served as its snapshot", "", "3.0.0", MustVersion("4.3.12"), false},
		{"an unknown header is refused", "", "9.9.9", Version{}, true},
		{"the route's default when neither says", "", "", route, false},
		{"the route's default when the claim is unknown and there is no header", "9.9.9", "", route, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, unknown := cat.CallerVersion(tt.claim, tt.header, route)
			assert.Equal(t, tt.want, v)
			assert.Equal(t, tt.unknownHeader, unknown)
		})
	}
}

func TestDefaultCallerVersion(t *testing.T) {
	oss, kld := MustVersion("4.3.22"), MustVersion("4.3.16")
	assert.Equal(t, oss, DefaultCallerVersion(SideKLD, oss, kld), "OSS calls the K/L/D in the oss upstream's version")
	assert.Equal(t, DefaultVersion, DefaultCallerVersion(SideKLD, Version{}, kld), "without an oss upstream, the default version")
	assert.Equal(t, oss, DefaultCallerVersion(SideOSS, kld, oss), "a caller of OSS is passed through in the upstream's version")
	assert.True(t, DefaultCallerVersion(SideOSS, oss, Version{}).IsZero(), "no upstream, no version")
	assert.Equal(t, "4.3.20", DefaultVersion.String())
}
