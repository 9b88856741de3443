package validate

// Fixtures: the fuzz seeds are the documentation's 4.3.20 request examples
// (piatest.Examples) and the extra seeds below, built by hand.

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
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

var fuzzExtraSeeds = [][]byte{
	[]byte(`{"dataNIB":{"data_proyek":{"jumlah_investasi":"1e400","data_proyek_produk":[1,null,{}]}}}`),
	[]byte(`{"IZINFINAL":[{"nib":1e999}],"INQUERYNIB":{"nib":null},"IZINSTATUS":{"persetujuan_form":"true"}}`),
	[]byte(`{"INQUERYNIB":{"oss_id":"x"},"IZINFINAL":{"nib":"12345678901234","tgl_terbit_izin":"2023-02-29","kd_izin":7}}`),
	// Member names that ordered the violations in a circle (ComparePointers).
	[]byte(`{"IZINSTATUS":{"90":"","8":"","":"","1C":"","2":"","CY1":"","0008B":"","A1A1":"","11281":"","0":"","01":"","02":false,"021171010":{"20070110009":"10020"}}}`),
}

// FuzzValidate feeds any JSON to Normalize and Validate: they must not
// panic, every violation must name a field and say something, and the
// validation plan must answer what the JSON Schema library answers. Clean
// must never pass what they would refuse or change, nor Mend what they
// would refuse or forward otherwise.
func FuzzValidate(f *testing.F) {
	examples, err := piatest.Examples(v4320, "request")
	require.NoError(f, err)
	for _, ex := range examples {
		f.Add(ex.JSON)
	}
	for _, seed := range fuzzExtraSeeds {
		f.Add(seed)
	}
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
			// Clean reads any bytes, and passes only what the full path
			// would forward untouched.
			if fuzzValidator.Clean(v4320, m, pia.Request, b, gatewayDecode) && !untouched(fuzzValidator, v4320, m, pia.Request, b, gatewayDecode) {
				t.Fatalf("%s: Clean passes a body the full path refuses or changes", m)
			}
			// Mend passes only what the full path forwards, as it does.
			if out, ok := fuzzValidator.Cleaner(v4320, m, pia.Request).Mend(b, gatewayDecode); ok && !mendedAs(fuzzValidator, v4320, m, pia.Request, b, out, gatewayDecode) {
				t.Fatalf("%s: Mend passes a body the full path refuses or forwards otherwise: %s", m, out)
			}
			doc, err := jsonbody.Decode(b)
			if err != nil {
				return
			}
			doc, _ = fuzzValidator.Normalize(v4320, m, pia.Request, doc)
			if _, err := json.Marshal(doc); err != nil {
				t.Fatalf("%s: the normalised tree does not encode: %v", m, err)
			}
			r := fuzzValidator.Validate(v4320, m, pia.Request, doc)
			ref := fuzzValidator.reference(v4320, m, pia.Request, doc)
			if r == nil || ref == nil {
				require.Equal(t, ref == nil, r == nil, "%s: valid by the library %v, by the plan %v", m, ref == nil, r == nil)
			} else {
				require.Equal(t, ref.Errors, r.Errors, "%s: the plan and the library", m)
			}
			if r == nil {
				continue
			}
			require.NotEmpty(t, r.Errors)
			for _, e := range r.Errors {
				assert.True(t, e.Field == "" || strings.HasPrefix(e.Field, "/"), "%q is a JSON pointer", e.Field)
				assert.NotEmpty(t, e.Rule)
				assert.NotEmpty(t, e.Text(pia.Indonesian))
			}
			assert.NotEmpty(t, r.Summary())
		}
	})
}
