package piatest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// TestSampledFixtures: the 4.3.20 request samples of internal/pia/testdata
// are the sampler's output, as their README says (-update rewrites them).
func TestSampledFixtures(t *testing.T) {
	cat, err := pia.NewCatalog()
	require.NoError(t, err)
	for _, m := range []string{"receiveNIB", "receiveLicense"} {
		t.Run(m, func(t *testing.T) {
			s, ok := cat.Lookup(pia.MustVersion("4.3.20"), m, pia.Request)
			require.True(t, ok)
			want, err := json.Marshal(Sampler{Members: 3, MaxText: 15}.Build(s.Doc.(map[string]any)))
			require.NoError(t, err)
			file := filepath.Join(Dir(), "testdata", m+"-4.3.20.json")
			if *update {
				require.NoError(t, os.WriteFile(file, want, 0o644))
			}
			got, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "%s is not the sampler's output: regenerate it with -update", file)
		})
	}
}

// update rewrites the fixtures TestSampledFixtures checks.
var update = flag.Bool("update", false, "rewrite the sampled fixtures of internal/pia/testdata")
