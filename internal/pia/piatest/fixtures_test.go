package piatest

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryTestdataFileIsListedInItsREADME keeps the rule "a fixture says
// where it comes from" true for files that cannot carry a comment: every
// testdata directory of the module has a README.md, and every file below
// it is named, in backquotes, in the nearest README.md above it (by its
// path from there, or by a directory of that path written with a trailing
// slash).
func TestEveryTestdataFileIsListedInItsREADME(t *testing.T) {
	root := filepath.Join(Dir(), "..", "..")
	var dirs []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() && d.Name() == "testdata" {
			dirs = append(dirs, p)
			return filepath.SkipDir
		}
		return nil
	}))
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		require.NoError(t, err)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			require.FileExists(t, filepath.Join(dir, "README.md"), "a testdata directory says where its files come from")
			require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || p == filepath.Join(dir, "README.md") {
					return err
				}
				readme, name := listingOf(t, dir, p)
				text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(readme)))
				require.NoError(t, err)
				assert.True(t, listed(string(text), name), "%s is not listed in %s: say there what produced it", name, filepath.Join(dir, readme))
				return nil
			}))
		})
	}
}

// listingOf finds the README.md, relative to dir, that must list file,
// and file's path from that README's directory. A README lists the files
// beside and below it; a README itself is listed by the one above it.
func listingOf(t *testing.T, dir, file string) (readme, name string) {
	rel, err := filepath.Rel(dir, file)
	require.NoError(t, err)
	rel = filepath.ToSlash(rel)
	at := path.Dir(rel)
	if path.Base(rel) == "README.md" {
		at = path.Dir(at)
	}
	for ; ; at = path.Dir(at) {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(at), "README.md")); err == nil || at == "." {
			break
		}
	}
	name = rel
	if at != "." {
		name = strings.TrimPrefix(rel, at+"/")
	}
	return path.Join(at, "README.md"), name
}

// listed reports whether README text names a file, or a directory of its
// path with a trailing slash, in backquotes.
func listed(readme, name string) bool {
	for p := name; p != "."; p = path.Dir(p) {
		entry := "`" + p + "`"
		if p != name {
			entry = "`" + p + "/`"
		}
		if strings.Contains(readme, entry) {
			return true
		}
	}
	return false
}
