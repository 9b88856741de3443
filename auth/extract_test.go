package auth

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExtractFindsTheFirstHeaderCarryingAKey(t *testing.T) {
	tests := []struct {
		name       string
		h          http.Header
		names      []string
		wantToken  string
		wantHeader string
	}{
		{"user_key comes first in the default order",
			http.Header{"User_key": {"a"}, "Oss-Api-Key": {"b"}, "Authorization": {"Bearer c"}}, DefaultHeaders, "a", "user_key"},
		{"OSS-API-KEY when user_key is absent",
			http.Header{"Oss-Api-Key": {"b"}, "Authorization": {"Bearer c"}}, DefaultHeaders, "b", "OSS-API-KEY"},
		{"Bearer when the others are absent", http.Header{"Authorization": {"Bearer c"}}, DefaultHeaders, "c", "Authorization"},
		{"Basic is not a security key", http.Header{"Authorization": {"Basic Yzpk"}}, DefaultHeaders, "", ""},
		{"a scheme that merely starts with Bearer is not Bearer", http.Header{"Authorization": {"Bearerx c"}}, DefaultHeaders, "", ""},
		{"a blank user_key falls through to the next header",
			http.Header{"User_key": {" "}, "Authorization": {"BEARER c"}}, DefaultHeaders, "c", "Authorization"},
		{"the first non-empty of repeated values", http.Header{"User_key": {"", "a", "z"}}, DefaultHeaders, "a", "user_key"},
		{"a configured order wins", http.Header{"User_key": {"a"}, "X-Key": {"x"}}, []string{"X-Key", "user_key"}, "x", "X-Key"},
		{"a header not configured is ignored", http.Header{"User_key": {"a"}}, []string{"Authorization"}, "", ""},
		{"nothing at all", http.Header{}, DefaultHeaders, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, header, ok := Extract(tt.h, tt.names)
			assert.Equal(t, tt.wantToken != "", ok)
			assert.Equal(t, tt.wantToken, tok)
			assert.Equal(t, tt.wantHeader, header)
		})
	}
}

func TestStripRemovesTheKeyButNotOtherCredentials(t *testing.T) {
	h := http.Header{
		"User_key":      {"k"},
		"oss-api-key":   {"k"},
		"Authorization": {"Basic dXNlcjpwYXNz", "Bearer k"},
		"Content-Type":  {"application/json"},
	}
	Strip(h, DefaultHeaders)
	assert.Equal(t, http.Header{
		"Authorization": {"Basic dXNlcjpwYXNz"},
		"Content-Type":  {"application/json"},
	}, h)

	h = http.Header{"Authorization": {"bearer k"}}
	Strip(h, DefaultHeaders)
	assert.Empty(t, h, "a Bearer-only Authorization goes entirely")
}
