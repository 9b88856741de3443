package transform

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

func covered(f *File, method string, k pia.Kind, field string) bool {
	return f.covers(method, k, field)
}

// Every line of every diffs/ file (the request-field differences between
// consecutive snapshots) is covered by a rule or by a note with a reason.
func TestEveryDiffLineIsCoveredByARuleOrANote(t *testing.T) {
	files := builtinFiles(t)
	diffs, err := filepath.Glob(filepath.Join(piatest.Dir(), "source", "diffs", "diff-*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, diffs)
	heading := regexp.MustCompile(`^(\w+):$`)
	methodLine := regexp.MustCompile(`^[-+] method (\w+)$`)
	fieldLine := regexp.MustCompile(`^\s+[-+~] ([\w.]+)`)
	lines := 0
	for _, d := range diffs {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(d), "diff-"), ".txt")
		f, ok := files[name]
		require.True(t, ok, "a step file rules/%s.json for %s", name, d)
		fh, err := os.Open(d)
		require.NoError(t, err)
		method := ""
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
			case heading.MatchString(line):
				method = heading.FindStringSubmatch(line)[1]
			case methodLine.MatchString(line):
				m := methodLine.FindStringSubmatch(line)[1]
				lines++
				assert.True(t, covered(f, m, pia.Request, ""), "%s: %q needs a note on method %s", d, line, m)
			case fieldLine.MatchString(line):
				field := fieldLine.FindStringSubmatch(line)[1]
				lines++
				assert.True(t, covered(f, method, pia.Request, field), "%s: %s %q needs a rule or a note", d, method, strings.TrimSpace(line))
			default:
				t.Errorf("%s: unreadable line %q", d, line)
			}
		}
		require.NoError(t, sc.Err())
		fh.Close()
	}
	assert.Greater(t, lines, 100, "the diffs were read")
}

// The diffs/ files cover requests only; the load itself compares the
// schemas (requests and responses, after deviations.json) of consecutive
// versions, and the builtin ones load.
func TestEverySchemaDifferenceIsCoveredByARuleOrANote(t *testing.T) {
	cat, _ := builtin(t)
	var files []*File
	vs := cat.Versions()
	for i := 0; i+1 < len(vs); i++ {
		raw, err := builtinRules.ReadFile("rules/" + vs[i].String() + "-" + vs[i+1].String() + ".json")
		require.NoError(t, err, "a step file for %s-%s", vs[i], vs[i+1])
		f, err := decodeFile(raw)
		require.NoError(t, err)
		files = append(files, f)
	}
	assert.Empty(t, Coverage(cat, files, vs))
}

// history.json accounts for every numbered item of the document history
// after the oldest snapshot: with rules that exist, or with a reason why
// none is needed.
func TestHistoryItemsAreAccountedFor(t *testing.T) {
	cat, e := builtin(t)
	raw, err := os.ReadFile(filepath.Join("rules", "history.json"))
	require.NoError(t, err)
	var h struct {
		About string `json:"about"`
		Items []struct {
			Version string   `json:"version"`
			Item    int      `json:"item"`
			Text    string   `json:"text"`
			Rules   []string `json:"rules"`
			None    string   `json:"none"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(raw, &h))

	ids := map[string]bool{}
	for _, st := range e.steps {
		for _, rs := range st.rules {
			for _, r := range rs {
				ids[r.ids[up]] = true
			}
		}
	}
	listed := map[string]bool{}
	for _, it := range h.Items {
		key := it.Version + " #" + strconv.Itoa(it.Item)
		assert.False(t, listed[key], "%s is listed once", key)
		listed[key] = true
		assert.NotEmpty(t, it.Text, key)
		assert.True(t, (len(it.Rules) > 0) != (strings.TrimSpace(it.None) != ""), "%s has rules or a reason for none, not both", key)
		for _, id := range it.Rules {
			assert.True(t, ids[id], "%s: rule %s exists", key, id)
		}
	}

	oldest := cat.Versions()[0]
	vs := cat.Versions()
	overview, err := os.ReadFile(filepath.Join(piatest.Dir(), "source", "published", vs[len(vs)-1].String(), "src", "header.md"))
	require.NoError(t, err)
	// The newest rows lack the closing bar.
	row := regexp.MustCompile(`(?m)^\|\s*(\d+\.\d+\.\d+)\s*\|[^|]*\|[^|]*\|([^|\n]*)\|?\s*$`)
	numbered := regexp.MustCompile(`(?:^|<br>)\s*(\d+)\.\s`)
	want := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(overview), -1) {
		v, err := pia.ParseVersion(m[1])
		require.NoError(t, err)
		if !oldest.Less(v) {
			continue
		}
		items := numbered.FindAllStringSubmatch(m[2], -1)
		if len(items) == 0 {
			want[v.String()+" #1"] = true
		}
		for _, it := range items {
			want[v.String()+" #"+it[1]] = true
		}
	}
	require.NotEmpty(t, want)
	assert.Equal(t, sortedKeys(want), sortedKeys(listed), "history.json lists exactly the history's items after %s", oldest)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
