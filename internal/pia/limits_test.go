package pia

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
)

// A field's Digits and Decimals come from the NumberAnnotation when the
// schema has one, else from the standard keywords (schemas built by hand).
func TestFieldLimitsComeFromTheAnnotationElseTheKeywords(t *testing.T) {
	tests := []struct {
		name, schema     string
		digits, decimals int
	}{
		{"annotation alone", `{"type": "number", "x-pia-number": {"digits": 5, "decimals": 1}}`, 5, 1},
		{"annotation without decimals", `{"type": "number", "x-pia-number": {"digits": 11}}`, 11, -1},
		{"annotation over keywords", `{"type": "number", "exclusiveMaximum": 1000, "x-pia-number": {"digits": 7}}`, 7, -1},
		{"keywords alone", `{"type": "number", "exclusiveMaximum": 100000, "exclusiveMinimum": -100000, "multipleOf": 0.1}`, 5, 1},
		{"type integer alone", `{"type": "integer"}`, 0, 0},
		{"no limits", `{"type": "number"}`, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := jsonbody.Decode([]byte(`{"type": "object", "properties": {"n": ` + tt.schema + `}}`))
			require.NoError(t, err)
			info := IndexFields(doc)["n"]
			require.NotNil(t, info)
			assert.Equal(t, []int{tt.digits, tt.decimals}, []int{info.Digits, info.Decimals})
		})
	}
}
