package pia

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every version of the document history (source/pia-overview-4.3.20.md)
// is a snapshot or is mapped, by history_versions.json, to the first
// snapshot not older than it: the one holding its changes (policy
// history-versions).
func TestEveryHistoryVersionIsASnapshotOrMapped(t *testing.T) {
	b, err := os.ReadFile("source/pia-overview-4.3.20.md")
	require.NoError(t, err)
	cat, err := NewCatalog()
	require.NoError(t, err)
	snapshots := cat.Versions()
	rows := regexp.MustCompile(`(?m)^\|\s*(\d+\.\d+\.\d+)\s*\|`).FindAllStringSubmatch(string(b), -1)
	require.NotEmpty(t, rows)
	seen := map[Version]bool{}
	for _, row := range rows {
		v := MustVersion(row[1])
		seen[v] = true
		if cat.Known(v) {
			continue
		}
		got, ok := HistoryVersion(v)
		require.True(t, ok, "history version %s has no snapshot and no mapping", v)
		var want Version
		for _, s := range snapshots {
			if !s.Less(v) {
				want = s
				break
			}
		}
		assert.Equal(t, want, got, "%s is served as the first snapshot holding its changes", v)
	}
	for _, v := range HistoryVersions() {
		assert.True(t, seen[v], "mapped version %s is not in the document history", v)
	}
}
