package jsonbody

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tree is built by hand: a data_proyek array of objects under an
// object, the shape transform copies defaults into.
func TestCloneTreeSharesNoMapOrArray(t *testing.T) {
	orig := map[string]any{
		"dataNIB": map[string]any{
			"data_proyek": []any{
				map[string]any{"kbli": "01111", "jumlah_investasi": json.Number("100")},
			},
			"flag": true,
			"none": nil,
		},
	}
	c, ok := CloneTree(orig).(map[string]any)
	require.True(t, ok)
	assert.Equal(t, orig, c, "the copy holds the same values")

	nib := c["dataNIB"].(map[string]any)
	proyek := nib["data_proyek"].([]any)
	proyek[0].(map[string]any)["kbli"] = "changed"
	proyek = append(proyek, "more")
	nib["data_proyek"] = proyek
	nib["added"] = 1

	o := orig["dataNIB"].(map[string]any)
	assert.Equal(t, "01111", o["data_proyek"].([]any)[0].(map[string]any)["kbli"], "a member's map is not shared")
	assert.Len(t, o["data_proyek"], 1, "the array is not shared")
	assert.NotContains(t, o, "added", "the object is not shared")
}

func TestCloneTreeReturnsScalarsAsTheyAre(t *testing.T) {
	for _, v := range []any{nil, "x", json.Number("1.50"), 1.5, false} {
		assert.Equal(t, v, CloneTree(v))
	}
}
