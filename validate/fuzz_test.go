package validate

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

var (
	fuzzOnce      sync.Once
	fuzzValidator *Validator
	fuzzErr       error
)

// fuzzMethods are validated on every input: the largest request, one with
// anyOf, one with booleans and dates, and one without a schema.
var fuzzMethods = []string{"receiveNIB", "receiveLicense", "inqueryNIB", "receiveLicenseStatus", "rekonAHUNIB"}

// FuzzValidate feeds any JSON to Normalize and Validate: they must not
// panic, and every violation must name a field and say something.
func FuzzValidate(f *testing.F) {
	examples, err := piatest.Examples(v4320, "request")
	require.NoError(f, err)
	for _, ex := range examples {
		f.Add(ex.JSON)
	}
	f.Add([]byte(`{"dataNIB":{"data_proyek":{"jumlah_investasi":"1e400","data_proyek_produk":[1,null,{}]}}}`))
	f.Add([]byte(`{"IZINFINAL":[{"nib":1e999}],"INQUERYNIB":{"nib":null},"IZINSTATUS":{"persetujuan_form":"true"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzOnce.Do(func() {
			cat, err := pia.NewCatalog()
			if err == nil {
				fuzzValidator, err = New(cat, Options{Strict: true})
			}
			fuzzErr = err
		})
		require.NoError(t, fuzzErr)
		for _, m := range fuzzMethods {
			doc, err := pia.DecodeJSON(b)
			if err != nil {
				return
			}
			doc, _ = fuzzValidator.Normalize(v4320, m, pia.Request, doc)
			if _, err := json.Marshal(doc); err != nil {
				t.Fatalf("%s: the normalised tree does not encode: %v", m, err)
			}
			r := fuzzValidator.Validate(v4320, m, pia.Request, doc)
			if r == nil {
				continue
			}
			require.NotEmpty(t, r.Errors)
			for _, e := range r.Errors {
				assert.True(t, e.Field == "" || strings.HasPrefix(e.Field, "/"), "%q is a JSON pointer", e.Field)
				assert.NotEmpty(t, e.Rule)
				assert.NotEmpty(t, e.Message)
			}
			assert.NotEmpty(t, r.Summary())
		}
	})
}
