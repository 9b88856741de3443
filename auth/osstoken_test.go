package auth

import (
	"crypto/sha1" //nolint:gosec // the PIA's token
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

const (
	ossUser = "kld-dinas"
	ossPass = "p4ss-from-oss"
	nib     = "9120001234567"
)

// sha1Hex is the PIA's formula written out independently of the code under
// test: SHA1(USERNAME+PASSWORD+NIB+DATE(Ymd)).
func sha1Hex(user, pass, nib, ymd string) string {
	sum := sha1.Sum([]byte(user + pass + nib + ymd)) //nolint:gosec // the PIA's token
	return hex.EncodeToString(sum[:])
}

func TestOSSTokenVerify(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, Jakarta)
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		name   string
		now    time.Time
		token  string
		nib    string
		wantOK bool
	}{
		{"today's token", at("2025-03-14 10:00:00"), sha1Hex(ossUser, ossPass, nib, "20250314"), nib, true},
		{"hex in upper case", at("2025-03-14 10:00:00"), strings.ToUpper(sha1Hex(ossUser, ossPass, nib, "20250314")), nib, true},
		{"surrounding spaces", at("2025-03-14 10:00:00"), " " + sha1Hex(ossUser, ossPass, nib, "20250314") + " ", nib, true},
		{"another NIB's token", at("2025-03-14 10:00:00"), sha1Hex(ossUser, ossPass, "9120009999999", "20250314"), nib, false},
		{"a wrong password", at("2025-03-14 10:00:00"), sha1Hex(ossUser, "other", nib, "20250314"), nib, false},
		{"yesterday's token at noon", at("2025-03-14 12:00:00"), sha1Hex(ossUser, ossPass, nib, "20250313"), nib, false},
		{"yesterday's token two minutes after midnight", at("2025-03-14 00:02:00"), sha1Hex(ossUser, ossPass, nib, "20250313"), nib, true},
		{"yesterday's token six minutes after midnight", at("2025-03-14 00:06:00"), sha1Hex(ossUser, ossPass, nib, "20250313"), nib, false},
		{"tomorrow's token two minutes before midnight", at("2025-03-14 23:58:00"), sha1Hex(ossUser, ossPass, nib, "20250315"), nib, true},
		{"tomorrow's token at noon", at("2025-03-14 12:00:00"), sha1Hex(ossUser, ossPass, nib, "20250315"), nib, false},
		{"the date is Jakarta's, not UTC's", time.Date(2025, 3, 14, 20, 0, 0, 0, time.UTC), sha1Hex(ossUser, ossPass, nib, "20250315"), nib, true},
		{"the UTC date at 03:00 WIB is refused", time.Date(2025, 3, 14, 20, 0, 0, 0, time.UTC), sha1Hex(ossUser, ossPass, nib, "20250314"), nib, false},
		{"a token cut short", at("2025-03-14 10:00:00"), sha1Hex(ossUser, ossPass, nib, "20250314")[:39], nib, false},
		{"a token with a byte too many", at("2025-03-14 10:00:00"), sha1Hex(ossUser, ossPass, nib, "20250314") + "0", nib, false},
		{"not hex", at("2025-03-14 10:00:00"), strings.Repeat("zz", 20), nib, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &OSSToken{Username: ossUser, Password: ossPass, Now: func() time.Time { return tt.now }}
			err := o.Verify(tt.token, tt.nib)
			if tt.wantOK {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrTokenMismatch)
			assert.Equal(t, http.StatusUnauthorized, Status(err))
			_, text := Describe(err, pia.English)
			assert.Equal(t, "Invalid Token", text)
			assertNoSecret(t, err.Error(), ossPass)
		})
	}
}

func TestOSSTokenSkewIsConfigurable(t *testing.T) {
	justAfter := time.Date(2025, 3, 14, 0, 8, 0, 0, Jakarta)
	yesterday := sha1Hex(ossUser, ossPass, nib, "20250313")
	wide := &OSSToken{Username: ossUser, Password: ossPass, Skew: 10 * time.Minute, Now: func() time.Time { return justAfter }}
	assert.NoError(t, wide.Verify(yesterday, nib))
	none := &OSSToken{Username: ossUser, Password: ossPass, Skew: -1, Now: func() time.Time { return justAfter.Add(-8*time.Minute + time.Second) }}
	assert.ErrorIs(t, none.Verify(yesterday, nib), ErrTokenMismatch, "a negative skew accepts today's date only")
}

func TestOSSTokenComparesEveryCandidateInConstantTime(t *testing.T) {
	var calls [][2]int
	orig := constantTimeCompare
	t.Cleanup(func() { constantTimeCompare = orig })
	constantTimeCompare = func(x, y []byte) int {
		calls = append(calls, [2]int{len(x), len(y)})
		return orig(x, y)
	}
	o := &OSSToken{Username: ossUser, Password: ossPass,
		Now: func() time.Time { return time.Date(2025, 3, 14, 0, 1, 0, 0, Jakarta) }} // today and yesterday are candidates

	for name, tok := range map[string]string{
		"today's (the first candidate) matching": sha1Hex(ossUser, ossPass, nib, "20250314"),
		"a guess wrong in its first byte":        "00" + sha1Hex(ossUser, ossPass, nib, "20250314")[2:],
		"a token of the wrong length":            "abc",
	} {
		calls = nil
		_ = o.Verify(tok, nib)
		assert.Equal(t, [][2]int{{20, 20}, {20, 20}}, calls, "%s: every candidate compared in full through crypto/subtle", name)
	}
}

func TestOSSTokenVerifyRequestReadsTheNIBOfEachMethodsPayload(t *testing.T) {
	now := time.Date(2025, 3, 14, 10, 0, 0, 0, Jakarta)
	o := &OSSToken{Username: ossUser, Password: ossPass, Now: func() time.Time { return now }}
	roots := map[string]string{
		"receiveNIB": "dataNIB", "receiveNIBKKPR": "dataNIB", "receiveNIBSTPW": "dataNIBSTPW",
		"receiveNIBPSE": "dataNIBPSE", "receiveFileDS": "receiveFileDS",
	}
	table := pia.NewTable()
	for _, m := range table.Methods() {
		if m.OSSToken {
			_, ok := roots[m.Name]
			assert.True(t, ok, "method %s carries an OSS Token but has no test", m.Name)
		}
	}
	for method, root := range roots {
		t.Run(method, func(t *testing.T) {
			doc := docExample(t, method) // the 4.3.20 example, with the NIB filled in
			doc[root].(map[string]any)["nib"] = nib
			good := http.Header{}
			good.Set("Token", ComputeOSSToken(ossUser, ossPass, nib, now))
			assert.NoError(t, o.VerifyRequest(good, methodOf(method), doc))

			other := http.Header{"token": {sha1Hex(ossUser, ossPass, "9120009999999", "20250314")}}
			assert.ErrorIs(t, o.VerifyRequest(other, methodOf(method), doc), ErrTokenMismatch)

			err := o.VerifyRequest(http.Header{}, methodOf(method), doc)
			assert.ErrorIs(t, err, ErrTokenMissing)
			_, text := Describe(err, pia.Indonesian)
			assert.Equal(t, "Token tidak ditemukan (header Token, Authorization: Bearer, atau parameter token)", text)
		})
	}
}

func TestNIBOf(t *testing.T) {
	tests := []struct {
		name, method string
		doc          any
		want         string
	}{
		{"the table's path", "receiveNIB", map[string]any{"dataNIB": map[string]any{"nib": nib}}, nib},
		{"a NIB sent as a number keeps its digits", "receiveNIB", map[string]any{"dataNIB": map[string]any{"nib": json.Number(nib)}}, nib},
		{"no NIB is the empty NIB", "receiveNIB", map[string]any{"dataNIB": map[string]any{}}, ""},
		{"a custom method's single root", "receiveCustom", map[string]any{"dataX": map[string]any{"nib": nib}}, nib},
		{"a custom method with several roots has none", "receiveCustom", map[string]any{"a": map[string]any{"nib": nib}, "b": 1}, ""},
		{"no body", "receiveNIB", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NIBOf(methodOf(tt.method), tt.doc))
		})
	}
}

func TestOSSTokenWithoutCredentialsAcceptsNothing(t *testing.T) {
	o := &OSSToken{}
	assert.Error(t, o.Validate())
	assert.ErrorIs(t, o.Verify(sha1Hex("", "", nib, time.Now().In(Jakarta).Format("20060102")), nib), ErrTokenMismatch)
}
