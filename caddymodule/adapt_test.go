package caddymodule

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the adapt golden files with the adapter's output")

// TestCaddyfileAdapt adapts every testdata/adapt/*.caddyfile and compares
// the JSON with the golden file beside it (go test -run Adapt -update
// rewrites them; review the diff).
func TestCaddyfileAdapt(t *testing.T) {
	files, err := filepath.Glob("testdata/adapt/*.caddyfile")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".caddyfile")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt(src, map[string]any{"filename": in})
			require.NoError(t, err)
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, out, "", "\t"))
			pretty.WriteByte('\n')
			golden := strings.TrimSuffix(in, ".caddyfile") + ".json"
			if *update {
				require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "golden file (create it with -update)")
			assert.Equal(t, string(want), pretty.String())
		})
	}
}

func TestCaddyfileErrors(t *testing.T) {
	tests := []struct{ name, block, want string }{
		{"upstream without address", "oss", "give at least one upstream address"},
		{"unknown subdirective", "oss 127.0.0.1:1\nbogus", `unrecognized subdirective "bogus"`},
		{"duplicate upstream", "oss 127.0.0.1:1\noss 127.0.0.1:2", "duplicate"},
		{"duplicate method", "method a {\nside oss\n}\nmethod a {\nside oss\n}", "duplicate method"},
		{"bad size", "max_body lots", "max_body"},
		{"bad mode", "validation maybe", "validation mode"},
		{"lockout needs three values", "auth {\nlockout 5\n}", "lockout"},
		{"revoke syntax", "auth {\nrevoke me\n}", "revoke"},
		{"duplicate key", "auth {\nkey a hs256 x\nkey a hs256 y\n}", "duplicate key"},
		{"duplicate client", "auth {\nclient a\nclient a\n}", "duplicate client"},
		{"upstream named oss", "upstream oss 127.0.0.1:1", "write it as the oss subdirective"},
		{"version twice", "oss 127.0.0.1:1 {\nversion 4.3.12\nversion 4.3.16\n}", "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "http://:8080 {\n\tpia {\n" + tt.block + "\n\t}\n}\n"
			_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(src), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCaddyfileRefusesAnArgumentOnPia(t *testing.T) {
	_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte("http://:8080 {\n\tpia extra {\n\t}\n}\n"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wrong argument count or unexpected line ending after 'extra'")
}
