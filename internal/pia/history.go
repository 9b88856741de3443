package pia

import (
	_ "embed"
	"encoding/json"
	"sort"
)

// historyVersionsJSON maps the document history's versions without a
// specification snapshot to the snapshot holding their changes (policy
// history-versions).
//
//go:embed history_versions.json
var historyVersionsJSON []byte

var historyVersions = func() map[Version]Version {
	var doc struct {
		Versions map[string]string `json:"versions"`
	}
	if err := json.Unmarshal(historyVersionsJSON, &doc); err != nil {
		panic("internal/pia/history_versions.json: " + err.Error())
	}
	out := make(map[Version]Version, len(doc.Versions))
	for from, to := range doc.Versions {
		out[MustVersion(from)] = MustVersion(to)
	}
	return out
}()

// HistoryVersion returns the snapshot a document-history version without
// one of its own is served as: 4.3.14 is 4.3.16, whose snapshot first holds
// its changes.
func HistoryVersion(v Version) (Version, bool) {
	s, ok := historyVersions[v]
	return s, ok
}

// HistoryVersions lists the mapped document-history versions, oldest first.
func HistoryVersions() []Version {
	out := make([]Version, 0, len(historyVersions))
	for v := range historyVersions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}
