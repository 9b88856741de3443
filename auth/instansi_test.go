package auth

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// docExample is the 4.3.20 documentation's request example of a method,
// decoded as the request path decodes it.
func docExample(t *testing.T, method string) map[string]any {
	t.Helper()
	exs, err := piatest.Examples(pia.MustVersion("4.3.20"), "request")
	require.NoError(t, err)
	for _, e := range exs {
		if e.Method == method {
			doc, err := jsonbody.Decode(e.JSON)
			require.NoError(t, err)
			return doc.(map[string]any)
		}
	}
	t.Fatalf("no 4.3.20 request example for %s", method)
	return nil
}

func TestCheckInstansi(t *testing.T) {
	own := &Claims{Client: "dinas", KdInstansi: "1234"}
	status := func(kd any) any {
		doc := docExample(t, "receiveLicenseStatus")
		doc["IZINSTATUS"].(map[string]any)["kd_instansi"] = kd
		return doc
	}
	license := func(kd any) any {
		doc := docExample(t, "receiveLicense")
		if kd != nil {
			doc["IZINFINAL"].(map[string]any)["kd_instansi"] = kd
		}
		return doc
	}
	noKd := func() any {
		doc := docExample(t, "receiveLicenseStatus")
		delete(doc["IZINSTATUS"].(map[string]any), "kd_instansi")
		return doc
	}
	tests := []struct {
		name   string
		claims *Claims
		method string
		doc    any
		wantOK bool
	}{
		{"the documented receiveLicenseStatus example (kd_instansi \"\")", own, "receiveLicenseStatus", docExample(t, "receiveLicenseStatus"), true},
		{"the client's own kd_instansi", own, "receiveLicenseStatus", status("1234"), true},
		{"another agency's kd_instansi", own, "receiveLicenseStatus", status("5678"), false},
		{"a number equal to the client's own", own, "receiveLicenseStatus", status(json.Number("1234")), true},
		{"a number of another agency", own, "receiveLicenseStatus", status(json.Number("5678")), false},
		{"null is no value", own, "receiveLicenseStatus", status(nil), true},
		{"kd_instansi absent", own, "receiveLicenseStatus", noKd(), true},
		{"an object cannot be compared and is refused", own, "receiveLicenseStatus", status(map[string]any{"x": "1234"}), false},
		{"the 4.3.20 receiveLicense example has no kd_instansi", own, "receiveLicense", license(nil), true},
		{"a receiveLicense carrying another agency's kd_instansi", own, "receiveLicense", license("5678"), false},
		{"a client without kd_instansi may send any", &Claims{Client: "badan"}, "receiveLicenseStatus", status("5678"), true},
		{"methods without an agency field are not checked", own, "checkLicenseStatus", status("5678"), true},
		{"no body", own, "receiveLicenseStatus", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckInstansi(tt.claims, methodOf(tt.method), tt.doc)
			// The same verdict from the bytes, as the gateway reads a
			// body it forwards without decoding.
			body, jerr := json.Marshal(tt.doc)
			require.NoError(t, jerr)
			decided, berr := CheckInstansiJSON(tt.claims, methodOf(tt.method), body)
			assert.True(t, decided)
			assert.Equal(t, err, berr)
			if tt.wantOK {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrForbiddenInstansi)
			assert.Equal(t, 403, Status(err))
		})
	}
}

// instansiBodies are written by hand: the agency code in other cases,
// twice, in arrays and escapes, for CheckInstansiJSON against the tree.
var instansiBodies = []string{
	`{"IZINSTATUS":{"kd_instansi":"1234"}}`,
	`{"IZINSTATUS":{"KD_INSTANSI":"5678"}}`,
	`{"izinstatus":{"kd_instansi":"1234","Kd_Instansi":"5678"}}`,
	`{"IZINSTATUS":{"kd_instansi":"1234"},"izinStatus":{"kd_instansi":"5678"}}`,
	`{"IZINSTATUS":[{"kd_instansi":"5678"}]}`,
	`{"IZINSTATUS":{"kd_instansi":["5678"]}}`,
	`{"IZINSTATUS":{"kd_instansi":1234.0}}`,
	`{"IZINSTATUS":{"kd_instansi":"12\u0034"}}`,
	`{"IZINSTATUS":{"kd_instansi":true}}`,
	`{"IZINSTATUS":{"x":{"kd_instansi":"5678"},"kd_instansi":""}}`,
	` { "IZINSTATUS" : { "kd_instansi" : null } } `,
	`[{"IZINSTATUS":{"kd_instansi":"5678"}}]`,
}

func TestCheckInstansiJSONGivesTheTreesVerdict(t *testing.T) {
	own := &Claims{Client: "dinas", KdInstansi: "1234"}
	m := methodOf("receiveLicenseStatus")
	for _, body := range instansiBodies {
		doc, err := jsonbody.Decode([]byte(body))
		require.NoError(t, err)
		want := CheckInstansi(own, m, doc)
		decided, got := CheckInstansiJSON(own, m, []byte(body))
		require.True(t, decided, body)
		assert.Equal(t, want == nil, got == nil, body)
	}
	// An escaped member name is left to the tree.
	decided, _ := CheckInstansiJSON(own, m, []byte(`{"IZINSTATUS":{"kd_\u0069nstansi":"5678"}}`))
	assert.False(t, decided)
}

func FuzzCheckInstansiJSON(f *testing.F) {
	for _, b := range instansiBodies {
		f.Add([]byte(b))
	}
	own := &Claims{Client: "dinas", KdInstansi: "1234"}
	m := methodOf("receiveLicenseStatus")
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := jsonbody.DecodeWith(b, jsonbody.Options{Strict: true})
		if err != nil {
			return // the gateway asks only of bodies Clean passed
		}
		decided, got := CheckInstansiJSON(own, m, b)
		if decided {
			assert.Equal(t, CheckInstansi(own, m, doc) == nil, got == nil, "%q", b)
		}
	})
}

func TestInstansiNeedsPayloadSaysWhenTheBodyMatters(t *testing.T) {
	own := &Claims{KdInstansi: "1234"}
	assert.True(t, InstansiNeedsPayload(own, methodOf("receiveLicenseStatus")))
	assert.True(t, InstansiNeedsPayload(own, methodOf("receiveLicense")))
	assert.False(t, InstansiNeedsPayload(own, methodOf("checkNIB")))
	assert.False(t, InstansiNeedsPayload(&Claims{}, methodOf("receiveLicenseStatus")), "a client without kd_instansi is not checked")
}
