package transform

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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

// covered reports whether a rule or a note of step file f accounts for a
// difference at field of method's kind: a rule or note naming the field or
// one of its ancestors (a subtree added or removed as a whole). An empty
// field asks for a note about the whole method.
func covered(f *File, method string, k pia.Kind, field string) bool {
	under := func(p string) bool { return p != "" && (field == p || strings.HasPrefix(field, p+".")) }
	if field != "" {
		for _, r := range f.Rules {
			if r.Method != method || r.Kind != k {
				continue
			}
			to := r.To
			if r.Op == "rename" {
				to = r.Path[:strings.LastIndexByte(r.Path, '.')+1] + r.To
			}
			// A restructured scalar's array is what the rule creates.
			arr := ""
			if r.Op == "restructure" {
				arr = to[:strings.LastIndexByte(to, '.')]
			}
			if under(r.Path) || under(to) || field == arr {
				return true
			}
		}
	}
	for _, n := range f.Notes {
		if n.Method == method && (n.Kind == "" || n.Kind == k) && (n.Path == "" || under(n.Path)) {
			return true
		}
	}
	return false
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

// The diffs/ files cover requests only; this compares the schemas
// themselves (requests and responses, after deviations.json) between
// consecutive versions: every field added or removed, and every change of
// type, mandatory-ness, length or code list, is covered by a rule or a
// note.
func TestEverySchemaDifferenceIsCoveredByARuleOrANote(t *testing.T) {
	cat, _ := builtin(t)
	files := builtinFiles(t)
	for _, st := range steps(cat) {
		f, ok := files[st[0].String()+"-"+st[1].String()]
		require.True(t, ok, "a step file for %s-%s", st[0], st[1])
		for _, k := range []pia.Kind{pia.Request, pia.Response} {
			methods := map[string]bool{}
			for _, s := range cat.All() {
				if s.Kind == k && (s.Version == st[0] || s.Version == st[1]) {
					methods[s.Method] = true
				}
			}
			for m := range methods {
				a, okA := cat.Own(st[0], m, k)
				b, okB := cat.Own(st[1], m, k)
				if !okA || !okB {
					assert.True(t, covered(f, m, k, ""), "%s-%s: %s is in only one of the versions: it needs a note", st[0], st[1], m)
					continue
				}
				for _, d := range fieldDifferences(a.Fields, b.Fields) {
					assert.True(t, covered(f, m, k, d.field), "%s-%s %s %s: %s %s needs a rule or a note", st[0], st[1], m, k, d.field, d.what)
				}
			}
		}
	}
}

type difference struct{ field, what string }

func fieldDifferences(a, b pia.Fields) []difference {
	var out []difference
	for p, fa := range a {
		fb, ok := b[p]
		switch {
		case !ok:
			out = append(out, difference{p, "removed"})
		case fa.Type != fb.Type:
			out = append(out, difference{p, "type " + string(fa.Type) + " -> " + string(fb.Type)})
		case fa.Required != fb.Required:
			out = append(out, difference{p, "mandatory " + strconv.FormatBool(fa.Required) + " -> " + strconv.FormatBool(fb.Required)})
		case fa.MaxLength != fb.MaxLength:
			out = append(out, difference{p, "max length " + strconv.Itoa(fa.MaxLength) + " -> " + strconv.Itoa(fb.MaxLength)})
		case fa.Digits != fb.Digits || fa.Decimals != fb.Decimals:
			out = append(out, difference{p, "digits"})
		case fa.Format != fb.Format:
			out = append(out, difference{p, "format " + fa.Format + " -> " + fb.Format})
		case !reflect.DeepEqual(fa.Enum, fb.Enum):
			out = append(out, difference{p, "code list"})
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, difference{p, "added"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
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
	overview, err := os.ReadFile(filepath.Join(piatest.Dir(), "source", "pia-overview-4.3.20.md"))
	require.NoError(t, err)
	row := regexp.MustCompile(`(?m)^\|\s*(\d+\.\d+\.\d+)\s*\|[^|]*\|[^|]*\|(.*)\|\s*$`)
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
