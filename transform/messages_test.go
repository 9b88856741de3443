package transform

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Conversion errors come in validate's order: array indices numerically
// (policy one-violation-order). Payload built by hand on receiveNIBKKPR.
func TestConversionErrorsAreOrderedByIndexNumerically(t *testing.T) {
	_, e := builtin(t)
	rows := make([]string, 12)
	for i := range rows {
		rows[i] = `{"kd_dni":"1` + strconv.Itoa(i) + `a"}`
	}
	_, rep := e.Convert("receiveNIBKKPR", pia.Request, v4316, v4317,
		decode(t, `{"dataNIB":{"skala_usaha":"01","data_dni":[`+strings.Join(rows, ",")+`]}}`))
	require.Len(t, rep.Errors, len(rows))
	for i, fe := range rep.Errors {
		assert.Equal(t, "/dataNIB/data_dni/"+strconv.Itoa(i)+"/kd_dni", fe.Field)
	}
}

// A structure where a number is summed is named by its shape, as validate
// names it, never written out (policy one-violation-display). Payload built
// by hand on receiveLegal.
func TestConversionErrorNamesAStructureByItsShape(t *testing.T) {
	_, e := builtin(t)
	_, rep := e.Convert("receiveLegal", pia.Request, v4316, v4312, decode(t,
		`{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1},{"total_modal_dasar":{"pwd_akses":"rahasia"}}],"modal_ditempatkan":[{"total_modal_ditempatkan":1}]}}`))
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "{…}", rep.Errors[0].Got)
	assert.Equal(t, "harus berupa angka agar dapat dijumlahkan menjadi AKTA.total_modal_dasar di PIA 4.3.12; diterima {…}",
		rep.Errors[0].Text(pia.Indonesian))
}
