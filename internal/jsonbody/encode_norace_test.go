//go:build !race

package jsonbody_test

// The race detector makes sync.Pool drop what it is given, so the
// encoder's member stack is allocated anew; the count holds without it.
// Fixture: the receiveNIB sample of internal/pia/testdata (see its README).

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

func TestAppendJSONIntoRoomAllocatesNothing(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(piatest.Dir(), "testdata", "receiveNIB-4.3.20.json"))
	require.NoError(t, err)
	doc, err := jsonbody.Decode(b)
	require.NoError(t, err)
	buf := make([]byte, 0, 2*len(b))
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		if _, err := jsonbody.AppendJSON(buf, doc); err != nil {
			t.Fatal(err)
		}
	}))
}
