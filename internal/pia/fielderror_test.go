package pia

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSortFieldErrorsOrdersArrayIndicesNumerically(t *testing.T) {
	want := []FieldError{
		{Field: "", Rule: "type"},
		{Field: "/a", Rule: "required"},
		{Field: "/a/2/b", Rule: "maxLength"},
		{Field: "/a/2/b", Rule: "pattern"},
		{Field: "/a/9", Rule: "type"},
		{Field: "/a/10", Rule: "type"},
		{Field: "/a/10/b", Rule: "type"},
		{Field: "/a/11", Rule: "type"},
		{Field: "/a/100", Rule: "type"},
		{Field: "/a/b", Rule: "type"},
		{Field: "/a01", Rule: "type"},
		{Field: "/b/1", Rule: "type"},
		{Field: "/b/10", Rule: "type"},
		{Field: "/b/01", Rule: "type"}, // a member named 01, not an index: after the indices
		{Field: "/b/1C", Rule: "type"},
		{Field: "/b/2C", Rule: "type"},
	}
	r := rand.New(rand.NewSource(1))
	for range 20 {
		got := append([]FieldError(nil), want...)
		r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		SortFieldErrors(got)
		assert.Equal(t, want, got)
	}
	for _, a := range want {
		for _, b := range want {
			assert.Equal(t, -ComparePointers(b.Field, a.Field), ComparePointers(a.Field, b.Field), "%q %q: antisymmetric", a.Field, b.Field)
		}
	}
	// Transitive, on the member names FuzzValidate found a circle in.
	names := []string{"", "0", "0008B", "01", "02", "021171010", "1C", "2", "8", "90", "11281", "A1A1", "CY1"}
	for _, a := range names {
		for _, b := range names {
			for _, c := range names {
				if ComparePointers("/x/"+a, "/x/"+b) < 0 && ComparePointers("/x/"+b, "/x/"+c) < 0 {
					assert.Negative(t, ComparePointers("/x/"+a, "/x/"+c), "%q < %q < %q", a, b, c)
				}
			}
		}
	}
}

func TestClipCountsCharactersAndNeverSplitsOne(t *testing.T) {
	assert.Equal(t, "abc", Clip("abc", 3))
	assert.Equal(t, "ab…", Clip("abc", 2))
	assert.Equal(t, "éé…", Clip("ééé", 2), "a character of two bytes is one")
	assert.Equal(t, "aééé", Clip("aééé", 4))
	assert.Equal(t, "", Clip("", 0))
}

func TestSummaryNamesEachFieldBeforeItsSentenceInTheLanguage(t *testing.T) {
	errs := []FieldError{
		{Field: "/IZINFINAL/nib", Rule: "maxLength", Msg: MsgMaxLength, Args: []any{13, 15}},
		{Field: "/IZINFINAL/data/0/kd", Rule: "type", Msg: MsgType, Args: []any{MsgTypeString, "1"}},
	}
	assert.Equal(t, "IZINFINAL.nib: panjang maksimal 13 karakter, diterima 15; IZINFINAL.data[0].kd: harus berupa teks, diterima 1",
		Summary(errs, Indonesian))
	assert.Equal(t, "IZINFINAL.nib: at most 13 characters, got 15; IZINFINAL.data[0].kd: must be a string, got 1",
		Summary(errs, English))
	assert.Equal(t, "", Summary(nil, English))
}

func TestDisplayWritesScalarsAsJSONAndStructuresByShape(t *testing.T) {
	assert.Equal(t, "null", Display(nil))
	assert.Equal(t, "abc", Display("abc"))
	assert.Equal(t, "true", Display(true))
	assert.Equal(t, "1.5", Display(1.5))
	assert.Equal(t, "{…}", Display(map[string]any{"pwd_akses": "rahasia"}), "a structure never quotes its members")
	assert.Equal(t, "[…]", Display([]any{1}))
}
