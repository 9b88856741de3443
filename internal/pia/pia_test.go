package pia

// Fixtures: the schemas and envelopes written out in this file are built by
// hand, each the smallest that shows its test's behaviour.

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionParseAndOrder(t *testing.T) {
	v, err := ParseVersion("v4.3.20")
	require.NoError(t, err)
	assert.Equal(t, "4.3.20", v.String())
	assert.True(t, MustVersion("4.3.9").Less(MustVersion("4.3.12")), "versions compare numerically, not as text")
	assert.Zero(t, MustVersion("4.3.12").Compare(MustVersion("4.3.12")))
	for _, bad := range []string{"", "4.3", "4.3.x", "4.3.-1", "1.2.3.4"} {
		_, err := ParseVersion(bad)
		assert.Error(t, err, bad)
	}
}

func TestMethodTableFromThePIAData(t *testing.T) {
	tab := NewTable()
	tests := []struct {
		name     string
		side     Side
		verb     string
		root     string
		envelope EnvelopeShape
		ossToken bool
	}{
		{"receiveLicense", SideOSS, "POST", "IZINFINAL", DefaultEnvelope("receiveLicense"), false},
		{"receiveNIB", SideKLD, "POST", "dataNIB", DefaultEnvelope("receiveNIB"), true},
		{"receiveFileDS", SideKLD, "POST", "receiveFileDS", DefaultEnvelope("receiveFileDS"), true},
		{"checkLicenseStatus", SideOSS, "POST", "CHECKLICENSESTATUS", DefaultEnvelope("checkLicenseStatus"), false},
		{"inqueryCertificate", SideOSS, "GET", "", EnvelopeShape{"responInqueryCertificate", "kode", "keterangan"}, false},
		{"inqueryLicense", SideOSS, "POST", "INQUERYLICENSE", EnvelopeShape{"dataLicense", "code", "message"}, false},
		{"inqueryProyek", SideOSS, "POST", "", EnvelopeShape{"", "kode_status", "keterangan"}, false},
		{"sendSecurityKey", SideOSS, "POST", "securityKey", DefaultEnvelope("sendSecurityKey"), false},
		{"checkKomitmen", SideKLD, "POST", "", DefaultEnvelope("checkKomitmen"), false},
	}
	for _, tt := range tests {
		m, ok := tab.Lookup(tt.name)
		require.True(t, ok, tt.name)
		assert.Equal(t, tt.side, m.Side, tt.name)
		assert.Equal(t, tt.verb, m.HTTPMethod, tt.name)
		assert.Equal(t, tt.root, m.RequestRoot, tt.name)
		assert.Equal(t, tt.envelope, m.Envelope, tt.name)
		assert.Equal(t, tt.ossToken, m.OSSToken, tt.name)
	}
	m, _ := tab.Lookup("inqueryCertificate")
	assert.Equal(t, "id_permohonan_izin", m.PathParam)

	for _, name := range []string{"checkNIBError", "checkNIBUpdate", "rekonNIB"} {
		m, ok := tab.Lookup(name)
		require.True(t, ok, "withdrawn method %s is still known", name)
		assert.Equal(t, MustVersion("4.3.16"), m.WithdrawnIn, name)
		assert.True(t, m.WithdrawnAt(MustVersion("4.3.20")))
		assert.False(t, m.WithdrawnAt(MustVersion("4.3.12")))
	}
	alias, ok := tab.Lookup("checkLisenseStatus")
	require.True(t, ok, "the overview's spelling is an alias")
	assert.Equal(t, "checkLicenseStatus", alias.Name)
	_, ok = tab.Lookup("receiveLicenseSta tus")
	assert.False(t, ok)
}

func TestTableRejectsShadowingAndBadNames(t *testing.T) {
	tab := NewTable()
	assert.Error(t, tab.Add(Method{Name: "receiveLicense", Side: SideOSS}))
	assert.Error(t, tab.Add(Method{Name: "a/b", Side: SideOSS}))
	assert.Error(t, tab.Add(Method{Name: "x", Side: 0}))
	require.NoError(t, tab.Add(Method{Name: "receiveIzinDaerah", Side: SideKLD}))
	m, ok := tab.Lookup("receiveIzinDaerah")
	require.True(t, ok)
	assert.Equal(t, "POST", m.HTTPMethod)
	assert.Equal(t, DefaultEnvelope("receiveIzinDaerah"), m.Envelope)
	assert.Error(t, tab.AddAlias("foo", "nope"))
}

func TestEnvelopeShapes(t *testing.T) {
	rec := httptest.NewRecorder()
	require.NoError(t, Envelope{Shape: DefaultEnvelope("receiveLicense"), Kode: 400, Keterangan: "Data parameter salah",
		Errors: []FieldError{{Field: "/IZINFINAL/nib", Rule: "maxLength", Expected: "13", Got: "15"}}}.Write(rec))
	assert.Equal(t, 400, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"responreceiveLicense":{"kode":400,"keterangan":"Data parameter salah",
		"errors":[{"field":"/IZINFINAL/nib","rule":"maxLength","expected":"13","got":"15"}]}}`, rec.Body.String())

	b, err := json.Marshal(Envelope{Shape: EnvelopeShape{"", "kode_status", "keterangan"}, Kode: 404, Keterangan: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"kode_status":404,"keterangan":"x"}`, string(b), "inqueryProyek answers at the top level")

	b, err = json.Marshal(Envelope{Shape: DefaultEnvelope("sendSecurityKey"), Kode: 200, Keterangan: "Sukses",
		Members: []Member{{"key", "abc"}, {"masa_berlaku", "2026-01-01 00:00:00"}}})
	require.NoError(t, err)
	assert.Equal(t, `{"responsendSecurityKey":{"kode":200,"keterangan":"Sukses","key":"abc","masa_berlaku":"2026-01-01 00:00:00"}}`, string(b))
}

func TestPointerToDotted(t *testing.T) {
	assert.Equal(t, "dataNIB.data_proyek[0].kbli", PointerToDotted("/dataNIB/data_proyek/0/kbli"))
	assert.Equal(t, "a/b", PointerToDotted(jsonbody.Pointer("a/b")))
	assert.Equal(t, "(body)", PointerToDotted(""))
}

func TestCatalogHasEveryDocumentedMethodAndVersion(t *testing.T) {
	c, err := NewCatalog()
	require.NoError(t, err)
	assert.Equal(t, Versions(), c.Versions())
	tab := NewTable()
	for _, m := range tab.Methods() {
		for _, v := range m.Versions {
			if m.HTTPMethod == "GET" {
				continue // inqueryCertificate has no request body
			}
			s, ok := c.Own(v, m.Name, Request)
			require.True(t, ok, "%s %s request schema", m.Name, v)
			assert.Equal(t, v, s.Version)
		}
	}
	s, ok := c.Lookup(MustVersion("4.3.20"), "receiveLicense", Request)
	require.True(t, ok)
	nib := s.Fields["IZINFINAL.nib"]
	require.NotNil(t, nib)
	assert.Equal(t, TypeString, nib.Type)
	assert.Equal(t, 13, nib.MaxLength)
	assert.True(t, nib.Required)
	bln := s.Fields["IZINFINAL.bln_berlaku_izin"]
	require.NotNil(t, bln)
	assert.Equal(t, TypeNumber, bln.Type)
	assert.Equal(t, 5, bln.Digits)
	assert.False(t, bln.Required)

	s, _ = c.Lookup(MustVersion("4.3.20"), "receiveNIB", Request)
	tkdn := s.Fields["dataNIB.data_proyek.data_proyek_produk.tkdn"]
	require.NotNil(t, tkdn, "fields inside arrays are indexed through the array")
	assert.Equal(t, 3, tkdn.Digits)
	assert.Equal(t, 2, tkdn.Decimals)

	s, _ = c.Lookup(MustVersion("4.3.12"), "checkLicenseStatus", Request)
	assert.True(t, s.Fields.Has("IZINSTATUS.id_izin"), "4.3.12 still wraps checkLicenseStatus in IZINSTATUS")
}

func TestCatalogInheritsAndOverrides(t *testing.T) {
	c, err := NewCatalog()
	require.NoError(t, err)
	v21 := MustVersion("4.3.23")
	require.NoError(t, c.Add(v21, "receiveLicense", Request, []byte(`{"type":"object","properties":{"IZINFINAL":{"type":"object"}}}`), "test"))
	s, ok := c.Lookup(v21, "receiveLicense", Request)
	require.True(t, ok)
	assert.Equal(t, "test", s.Source, "a new version's own document wins")
	s, ok = c.Lookup(v21, "receiveNIB", Request)
	require.True(t, ok)
	assert.Equal(t, MustVersion("4.3.22"), s.Version, "a method the new version does not carry is inherited from the newest older version")

	c.Withdraw("receiveNIB", v21)
	_, ok = c.Lookup(v21, "receiveNIB", Request)
	assert.False(t, ok, "a method withdrawn in the new version is not inherited")
	_, ok = c.Lookup(MustVersion("4.3.22"), "receiveNIB", Request)
	assert.True(t, ok, "older versions keep it")
	assert.Error(t, c.Add(v21, "x", Request, []byte(`[1]`), "test"))
	assert.Error(t, c.Add(v21, "x", Request, []byte(`{`), "test"))
}

// A compacted catalog answers every lookup a running gateway makes, the
// field facts included, without the documents it was compiled from.
func TestCompactedCatalogStillAnswersLookups(t *testing.T) {
	c, err := NewCatalog()
	require.NoError(t, err)
	v, err := ParseVersion("4.3.20")
	require.NoError(t, err)
	before, ok := c.Lookup(v, "receiveLicense", Request)
	require.True(t, ok)
	field, ok := before.Fields["IZINFINAL.nib"]
	require.True(t, ok)
	c.Compact()
	after, ok := c.Lookup(v, "receiveLicense", Request)
	require.True(t, ok)
	assert.Same(t, before, after)
	assert.Nil(t, after.Raw)
	assert.Nil(t, after.Doc)
	assert.Equal(t, field, after.Fields["IZINFINAL.nib"], "the field facts stay")
	assert.Equal(t, "builtin", after.Source)
}
