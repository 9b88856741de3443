package caddymodule

import (
	"os"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// adaptObserved adapts a Caddyfile, returning its JSON and the warnings
// the pia directive logged.
func adaptObserved(t *testing.T, src string) (string, []observer.LoggedEntry) {
	t.Helper()
	core, logs := observer.New(zapcore.WarnLevel)
	saved := caddyfileLogger
	caddyfileLogger = func() *zap.Logger { return zap.New(core) }
	t.Cleanup(func() { caddyfileLogger = saved })
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(src), nil)
	require.NoError(t, err)
	return string(out), logs.All()
}

// TestOldCaddyfileSpellingsAdaptAsTheNewOnes: the options are spelled as
// their JSON fields; the previous release's spellings give the same JSON,
// with a warning naming the new one.
func TestOldCaddyfileSpellingsAdaptAsTheNewOnes(t *testing.T) {
	src, err := os.ReadFile("testdata/adapt/full.caddyfile")
	require.NoError(t, err)
	current := string(src)
	old := current
	var renamed []string
	for _, renames := range []map[string]string{gatewayRenames, authRenames, keyRenames, clientRenames} {
		for before, now := range renames {
			require.Contains(t, old, "\t"+now+" ", "full.caddyfile uses %s", now)
			old = strings.Replace(old, "\t"+now+" ", "\t"+before+" ", 1)
			renamed = append(renamed, before)
		}
	}

	want, warnings := adaptObserved(t, current)
	assert.Empty(t, warnings, "the current spellings are not deprecated")
	got, warnings := adaptObserved(t, old)
	assert.Equal(t, want, got, "the old spellings give the same JSON")
	require.Len(t, warnings, len(renamed), "one warning per old spelling")
	for _, before := range renamed {
		found := false
		for _, w := range warnings {
			found = found || strings.Contains(w.Message, "'"+before+"' is deprecated")
		}
		assert.True(t, found, "warns of %s", before)
	}
}

func TestAnOptionAndItsOldSpellingAreOneOption(t *testing.T) {
	for _, block := range []string{
		"oss 127.0.0.1:1\nmax_body 1MB\nmax_body_size 2MB",
		"oss 127.0.0.1:1\nschemas /a\nschema_dir /b",
		"oss 127.0.0.1:1\nauth {\nsign a\nsigning_key b\n}",
		"oss 127.0.0.1:1\nauth {\nclient a {\npassword x\npassword_hash y\n}\n}",
	} {
		_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte("http://:8080 {\n\tpia {\n"+block+"\n\t}\n}\n"), nil)
		assert.ErrorContains(t, err, "duplicate subdirective", "%s", block)
	}
}

func TestTheExampleUsesNoDeprecatedSpelling(t *testing.T) {
	example, err := os.ReadFile("../Caddyfile.example")
	require.NoError(t, err)
	t.Setenv("PIA_DEMO_HASH", demoHash)
	_, warnings := adaptObserved(t, string(example))
	assert.Empty(t, warnings)
}

func TestCaddyfileRevokeSaysWhatTheAdminAPIAndJSONSay(t *testing.T) {
	out, _ := adaptObserved(t, "http://:8080 {\n\tpia {\n\t\toss 127.0.0.1:1\n\t\tauth {\n\t\t\trevoke jti j1 until 2026-12-31T00:00:00Z\n\t\t\trevoke jti j2\n\t\t\trevoke client demo before 2026-11-01T00:00:00Z\n\t\t}\n\t}\n}\n")
	assert.Contains(t, out, `"revoke":[{"jti":"j1","until":"2026-12-31T00:00:00Z"},{"jti":"j2"},{"before":"2026-11-01T00:00:00Z","client":"demo"}]`)
	_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte("http://:8080 {\n\tpia {\n\t\tauth {\n\t\t\trevoke jti j1 before 2026-12-31T00:00:00Z\n\t\t}\n\t}\n}\n"), nil)
	assert.ErrorContains(t, err, "revoke: want")
}
