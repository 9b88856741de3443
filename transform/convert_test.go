package transform

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

var (
	v4312 = pia.MustVersion("4.3.12")
	v4316 = pia.MustVersion("4.3.16")
	v4317 = pia.MustVersion("4.3.17")
	v4318 = pia.MustVersion("4.3.18")
	v4319 = pia.MustVersion("4.3.19")
	v4320 = pia.MustVersion("4.3.20")
)

// errorAt is an expected error: its pointer and rule.
type errorAt struct{ Field, Rule string }

func errorsOf(rep Report) []errorAt {
	var out []errorAt
	for _, e := range rep.Errors {
		out = append(out, errorAt{e.Field, e.Rule})
	}
	return out
}

// Payloads in this file are built by hand, each the smallest that shows
// one behaviour; expectations are written out in full.
func TestConvert(t *testing.T) {
	_, e := builtin(t)
	tests := []struct {
		name     string
		method   string
		kind     pia.Kind
		from, to pia.Version
		in       string
		want     string
		errors   []errorAt
	}{
		{
			name: "legacy IZINSTATUS root is renamed to CHECKLICENSESTATUS", method: "checkLicenseStatus", kind: pia.Request, from: v4312, to: v4320,
			in: `{"IZINSTATUS":{"id_izin":"I-202112171709158243106"}}`, want: `{"CHECKLICENSESTATUS":{"id_izin":"I-202112171709158243106"}}`,
		},
		{
			name: "CHECKLICENSESTATUS root goes back to IZINSTATUS for a 4.3.12 receiver", method: "checkLicenseStatus", kind: pia.Request, from: v4320, to: v4312,
			in: `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`, want: `{"IZINSTATUS":{"id_izin":"I-1"}}`,
		},
		{
			name: "a sender writing both roots keeps the target version's", method: "checkLicenseStatus", kind: pia.Request, from: v4312, to: v4316,
			in: `{"IZINSTATUS":{"id_izin":"old"},"CHECKLICENSESTATUS":{"id_izin":"new"}}`, want: `{"CHECKLICENSESTATUS":{"id_izin":"new"}}`,
		},
		{
			name: "fields are renamed inside every element of an array", method: "receiveLegal", kind: pia.Request, from: v4312, to: v4316,
			in:   `{"AKTA":{"kbli5":"01111","tahun_kbli":"2020","penanggung_jwb":[{"jenis_identitas_penanggung_jwb":"01","no_identitas_penanggung_jwb":"3171"},{"jenis_identitas_penanggung_jwb":"02","no_identitas_penanggung_jwb":null}]}}`,
			want: `{"AKTA":{"kbli5":"01111","tahun_kbli":"2020","penanggung_jwb":[{"jenis_nik_penanggung_jwb":"01","nik_penanggung_jwb":"3171"},{"jenis_nik_penanggung_jwb":"02","nik_penanggung_jwb":null}]}}`,
		},
		{
			name: "a single object where an array is documented is renamed as it is", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in:   `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","penanggung_jwb":{"jenis_nik_penanggung_jwb":"01","nik_penanggung_jwb":"3171"},"total_modal_dasar":1,"total_modal_ditempatkan":1}}`,
			want: `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","penanggung_jwb":{"jenis_identitas_penanggung_jwb":"01","no_identitas_penanggung_jwb":"3171"},"total_modal_dasar":1,"total_modal_ditempatkan":1}}`,
		},
		{
			name: "data_checklist jenis becomes jenis_izin in every checklist", method: "receiveNIBKKPR", kind: pia.Request, from: v4316, to: v4317,
			in: `{"dataNIB":{"skala_usaha":"01","data_checklist":[{"jenis":"01"},{"jenis":"02"}]}}`, want: `{"dataNIB":{"skala_usaha":"01","data_checklist":[{"jenis_izin":"01"},{"jenis_izin":"02"}]}}`,
		},
		{
			name: "kbli5 moves into every data_kbli row", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4317,
			in:   `{"AKTA":{"kbli5":"01111","data_kbli":[{"kbli":"a"},{"kbli":"b","kbli5":"46100"}]}}`,
			want: `{"AKTA":{"data_kbli":[{"kbli":"a","kbli5":"01111"},{"kbli":"b","kbli5":"46100"}]}}`,
		},
		{
			name: "kbli5 moves into a single data_kbli object", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4317,
			in: `{"AKTA":{"kbli5":"01111","data_kbli":{"kbli":"a"}}}`, want: `{"AKTA":{"data_kbli":{"kbli":"a","kbli5":"01111"}}}`,
		},
		{
			name: "kbli5 with no data_kbli row to go to is an error", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4317,
			in: `{"AKTA":{"kbli5":"01111","data_kbli":[]}}`, want: `{"AKTA":{"data_kbli":[]}}`,
			errors: []errorAt{{"/AKTA/kbli5", "transform"}},
		},
		{
			name: "an empty kbli5 with nowhere to go is dropped quietly", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4317,
			in: `{"AKTA":{"kbli5":"","data_kbli":[]}}`, want: `{"AKTA":{"data_kbli":[]}}`,
		},
		{
			name: "downgrading takes the first data_kbli row's kbli5", method: "receiveLegal", kind: pia.Request, from: v4317, to: v4316,
			in:   `{"AKTA":{"data_kbli":[{"kbli":"a","kbli5":""},{"kbli":"b","kbli5":"46100"},{"kbli":"c","kbli5":"01111"}]}}`,
			want: `{"AKTA":{"kbli5":"46100","data_kbli":[{"kbli":"a"},{"kbli":"b"},{"kbli":"c"}]}}`,
		},
		{
			name: "a missing kbli5 is reported where 4.3.20 wants it, in every data_kbli row", method: "receiveLegal", kind: pia.Request, from: v4312, to: v4320,
			in:     `{"AKTA":{"tahun_kbli":"2020","data_kbli":[{"kbli":"a"},{"kbli":"b"}]}}`,
			want:   `{"AKTA":{"tahun_kbli":"2020","data_kbli":[{"kbli":"a"},{"kbli":"b"}]}}`,
			errors: []errorAt{{"/AKTA/data_kbli/0/kbli5", "required"}, {"/AKTA/data_kbli/1/kbli5", "required"}},
		},
		{
			name: "total_modal_dasar becomes one modal_dasar row whose other members are reported", method: "receiveLegal", kind: pia.Request, from: v4312, to: v4316,
			in:   `{"AKTA":{"kbli5":"01111","tahun_kbli":"2020","total_modal_dasar":1000000000}}`,
			want: `{"AKTA":{"kbli5":"01111","tahun_kbli":"2020","modal_dasar":[{"total_modal_dasar":1000000000}]}}`,
			errors: []errorAt{
				{"/AKTA/modal_dasar/0/jum_lbr_saham_modal_dasar", "required"},
				{"/AKTA/modal_dasar/0/klasifikasi_saham_modal_dasar", "required"},
				{"/AKTA/modal_dasar/0/nominal_per_lbr_modal_dasar", "required"},
			},
		},
		{
			name: "modal rows fold back into their exact sum, beyond 64 bits and with decimals", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in:   `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":99999999999999999999},{"total_modal_dasar":"0.25"},{"total_modal_dasar":null},{"total_modal_dasar":""}],"modal_ditempatkan":{"total_modal_ditempatkan":5}}}`,
			want: `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","total_modal_dasar":100000000000000000000.25,"total_modal_ditempatkan":5}}`,
		},
		{
			name: "modal rows in exponent form sum exactly", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in:   `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1.5e-3},{"total_modal_dasar":"2E+3"}],"modal_ditempatkan":[{"total_modal_ditempatkan":1.50},{"total_modal_ditempatkan":2}]}}`,
			want: `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","total_modal_dasar":2000.0015,"total_modal_ditempatkan":3.50}}`,
		},
		{
			name: "a huge exponent is not computed but reported", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in:     `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1e999999999}],"modal_ditempatkan":[{"total_modal_ditempatkan":1}]}}`,
			want:   `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","total_modal_ditempatkan":1}}`,
			errors: []errorAt{{"/AKTA/modal_dasar/0/total_modal_dasar", "type"}, {"/AKTA/total_modal_dasar", "required"}},
		},
		{
			name: "a modal row total that is not a number is reported at that row", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in:     `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1},{"total_modal_dasar":"1.000.000"}],"modal_ditempatkan":[{"total_modal_ditempatkan":2}]}}`,
			want:   `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","total_modal_dasar":1,"total_modal_ditempatkan":2}}`,
			errors: []errorAt{{"/AKTA/modal_dasar/1/total_modal_dasar", "type"}},
		},
		{
			name: "a 4.3.12 receiver's mandatory total is reported when the newer payload has no rows", method: "receiveLegal", kind: pia.Request, from: v4316, to: v4312,
			in: `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_ditempatkan":[]}}`, want: `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","jangka_waktu":"","nama_singkatan":""}}`,
			errors: []errorAt{{"/AKTA/total_modal_dasar", "required"}, {"/AKTA/total_modal_ditempatkan", "required"}},
		},
		{
			name: "removed receiveLicense fields are dropped upward", method: "receiveLicense", kind: pia.Request, from: v4312, to: v4320,
			in:   `{"IZINFINAL":{"nib":"1","id_produk":"P-1","kewenangan":"01","data_pnbp":[{"kd_akun":"1","kd_penerimaan":"2","nominal":3}]}}`,
			want: `{"IZINFINAL":{"nib":"1"}}`,
		},
		{
			name: "removed and relaxed receiveLicense fields get their no-value for a 4.3.12 receiver", method: "receiveLicense", kind: pia.Request, from: v4320, to: v4312,
			in:   `{"IZINFINAL":{"nib":"1","jenis_perizinan":"01","data_teknis":{"id_komitmen":"K"},"file_izin":"https://x/izin.pdf"}}`,
			want: `{"IZINFINAL":{"nib":"1","file_izin":"https://x/izin.pdf","data_pnbp":[],"id_produk":"","kewenangan":"","bln_berlaku_izin":"","file_lampiran":"","keterangan":"","nomenklatur_nomor_izin":"","thn_berlaku_izin":""}}`,
		},
		{
			name: "data_pnbp of a status gets every member for a 4.3.12 receiver", method: "receiveLicenseStatus", kind: pia.Request, from: v4316, to: v4312,
			in:   `{"IZINSTATUS":{"id_izin":"I-1","data_pnbp":{"nominal":5000},"persetujuan_form":true}}`,
			want: `{"IZINSTATUS":{"id_izin":"I-1","data_pnbp":{"nominal":5000,"kd_akun":"","kd_penerimaan":"","kd_billing":"","tgl_billing":"","tgl_expire":"","url_dokumen":""}}}`,
		},
		{
			name: "a status without data_pnbp gets an empty one for a 4.3.12 receiver", method: "receiveLicenseStatus", kind: pia.Request, from: v4320, to: v4312,
			in:   `{"IZINSTATUS":{"id_izin":"I-1"}}`,
			want: `{"IZINSTATUS":{"id_izin":"I-1","data_pnbp":{"kd_akun":"","kd_penerimaan":"","kd_billing":"","tgl_billing":"","tgl_expire":"","nominal":"","url_dokumen":""}}}`,
		},
		{
			name: "flag_perubahan_data_teknis defaults to N, the documented meaning of its absence", method: "receiveNIB", kind: pia.Request, from: v4312, to: v4316,
			in:   `{"dataNIB":{"nib":"1","jenis_perubahan_terakhir":"01","skala_usaha":"01"}}`,
			want: `{"dataNIB":{"nib":"1","jenis_perubahan_terakhir":"01","skala_usaha":"01","flag_perubahan_data_teknis":"N"}}`,
		},
		{
			name: "new mandatory fields without a safe default are reported, per array element", method: "receiveNIB", kind: pia.Request, from: v4312, to: v4316,
			in:   `{"dataNIB":{"flag_perubahan_data_teknis":"Y","data_proyek":[{"data_proyek_produk":[{"kbli":"1","flag_memiliki_halal":"Y","flag_memiliki_sni":"N","flag_self_declare":"N","masa_berlaku_sertifikat_halal":"","masa_berlaku_sertifikat_sni":"","nomor_sertifikat_halal":"H","nomor_sertifikat_sni":""}]}]}}`,
			want: `{"dataNIB":{"flag_perubahan_data_teknis":"Y","data_proyek":[{"data_proyek_produk":[{"kbli":"1","flag_memiliki_halal":"Y","flag_memiliki_sni":"N","flag_self_declare":"N","masa_berlaku_sertifikat_halal":"","masa_berlaku_sertifikat_sni":"","nomor_sertifikat_halal":"H","nomor_sertifikat_sni":""}]}]}}`,
			errors: []errorAt{
				{"/dataNIB/data_proyek/0/data_proyek_produk/0/tipe_cakupan", "required"},
				{"/dataNIB/jenis_perubahan_terakhir", "required"},
				{"/dataNIB/skala_usaha", "required"},
			},
		},
		{
			name: "a null where an object is documented is left alone", method: "receiveNIB", kind: pia.Request, from: v4318, to: v4319,
			in: `{"dataNIB":{"data_proyek":null,"data_rptka":{"jangka_waktu_permohonan_rptka":null,"rptka_jabatan":null}}}`, want: `{"dataNIB":{"data_proyek":null,"data_rptka":{"jangka_waktu_permohonan_rptka":null,"rptka_jabatan":null}}}`,
		},
		{
			name: "numbers sent as strings become numbers where the newer version retyped them, a KBLI code with a leading zero stays its digits", method: "receiveNIB", kind: pia.Request, from: v4318, to: v4319,
			in:   `{"dataNIB":{"data_proyek":[{"kbli":"01111","luas_tanah":"1500.50","data_proyek_produk":[{"kbli":"46100","id_bidang_usaha":""}]},{"kbli":46100}]}}`,
			want: `{"dataNIB":{"data_proyek":[{"kbli":"01111","luas_tanah":1500.50,"data_proyek_produk":[{"kbli":46100,"id_bidang_usaha":""}]},{"kbli":46100}]}}`,
		},
		{
			name: "a leading-zero string where a non-code number is retyped is reported, never stripped", method: "receiveNIB", kind: pia.Request, from: v4318, to: v4319,
			in:     `{"dataNIB":{"data_proyek":[{"luas_tanah":"007","data_proyek_produk":[{"id_bidang_usaha":"01"}]}]}}`,
			want:   `{"dataNIB":{"data_proyek":[{"luas_tanah":"007","data_proyek_produk":[{"id_bidang_usaha":"01"}]}]}}`,
			errors: []errorAt{{"/dataNIB/data_proyek/0/data_proyek_produk/0/id_bidang_usaha", "type"}, {"/dataNIB/data_proyek/0/luas_tanah", "type"}},
		},
		{
			name: "a KBLI code with a leading zero goes down unchanged", method: "receiveNIB", kind: pia.Request, from: v4320, to: v4318,
			in:   `{"dataNIB":{"data_proyek":[{"kbli":"01111","data_proyek_produk":[{"kbli":"01111"}]}]}}`,
			want: `{"dataNIB":{"data_proyek":[{"kbli":"01111","data_proyek_produk":[{"kbli":"01111"}]}]}}`,
		},
		{
			name: "12a cannot become a number and is reported at the field the sender wrote", method: "receiveNIB", kind: pia.Request, from: v4318, to: v4319,
			in:     `{"dataNIB":{"data_proyek":[{"kbli":"46100"},{"kbli":"12a"},{"kbli":" 12"}]}}`,
			want:   `{"dataNIB":{"data_proyek":[{"kbli":46100},{"kbli":"12a"},{"kbli":" 12"}]}}`,
			errors: []errorAt{{"/dataNIB/data_proyek/1/kbli", "type"}, {"/dataNIB/data_proyek/2/kbli", "type"}},
		},
		{
			name: "numbers become their exact text for a receiver that wants strings", method: "receiveNIB", kind: pia.Request, from: v4320, to: v4318,
			in:   `{"dataNIB":{"data_proyek":[{"kbli":1111,"luas_tanah":1500.50},{"kbli":"46100","luas_tanah":null}]}}`,
			want: `{"dataNIB":{"data_proyek":[{"kbli":"1111","luas_tanah":"1500.50"},{"kbli":"46100","luas_tanah":null}]}}`,
		},
		{
			name: "an old client's response loses the file_lampiran it does not know", method: "checkLicenseStatus", kind: pia.Response, from: v4320, to: v4319,
			in:   `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"1","id_izin":"I-1","kd_status":"50","uraian_status":"Izin terbit","file_lampiran":"https://oss/x.pdf"}}}`,
			want: `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"1","id_izin":"I-1","kd_status":"50","uraian_status":"Izin terbit"}}}`,
		},
		{
			name: "an older server's response gets an empty file_lampiran for a 4.3.20 reader", method: "checkLicenseStatus", kind: pia.Response, from: v4319, to: v4320,
			in:   `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"1"}}}`,
			want: `{"responcheckLicenseStatus":{"kode":200,"keterangan":"Sukses","dataIZIN":{"nib":"1","file_lampiran":""}}}`,
		},
		{
			name: "an error answer has no dataIZIN to fill", method: "checkLicenseStatus", kind: pia.Response, from: v4319, to: v4320,
			in: `{"responcheckLicenseStatus":{"kode":400,"keterangan":"Data parameter salah"}}`, want: `{"responcheckLicenseStatus":{"kode":400,"keterangan":"Data parameter salah"}}`,
		},
		{
			name: "a 4.3.20 inqueryNIB answer is taken back to what a 4.3.12 client knows", method: "inqueryNIB", kind: pia.Response, from: v4320, to: v4312,
			in:   `{"responinqueryNIB":{"kode":200,"dataNIB":{"nib":"1","skala_usaha":"01","jenis_perubahan_terakhir":"02","data_dni":[{"kd_dni":7}],"pemegang_saham":[{"total_modal_pemegang":1000}],"data_proyek":[{"kbli":1111,"data_proyek_produk":[{"kbli":46100}]}],"data_checklist":[{"data_teknis":{"id_komitmen":"K"},"nm_dokumen":"AMDAL"}]}}}`,
			want: `{"responinqueryNIB":{"kode":200,"dataNIB":{"nib":"1","data_dni":[{"kd_dni":"7"}],"pemegang_saham":[{"total_modal_pemegang":"1000"}],"data_proyek":[{"kbli":"1111","data_proyek_produk":[{"kbli":"46100"}]}],"data_checklist":[{"nm_dokumen":"AMDAL"}]}}}`,
		},
		{
			name: "the response envelope's kode is never retyped", method: "receiveLicense", kind: pia.Response, from: v4320, to: v4312,
			in: `{"responreceiveLicense":{"kode":200,"keterangan":"Sukses","nomor_izin":"1","jenis_perizinan":"01"}}`, want: `{"responreceiveLicense":{"kode":200,"keterangan":"Sukses","nomor_izin":"1"}}`,
		},
		{
			name: "a removed response field a 4.3.12 reader requires comes back empty", method: "checkNIB", kind: pia.Response, from: v4320, to: v4312,
			in: `{"responcheckNIB":{"kode":200,"dataNIB":{"nib":"1","nama_perusahaan":"PT A","status":"aktif"}}}`, want: `{"responcheckNIB":{"kode":200,"dataNIB":{"nib":"1","nama_perusahaan":"PT A","status":"aktif","npwp_perusahaan":""}}}`,
		},
		{
			name: "a method without rules is untouched", method: "receiveFileDS", kind: pia.Request, from: v4312, to: v4320,
			in: `{"receiveFileDS":{"nib":"1"}}`, want: `{"receiveFileDS":{"nib":"1"}}`,
		},
		{
			name: "a version between snapshots converts like the snapshot before it", method: "checkLicenseStatus", kind: pia.Request, from: pia.MustVersion("4.3.14"), to: pia.MustVersion("4.3.25"),
			in: `{"IZINSTATUS":{"id_izin":"I-1"}}`, want: `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`,
		},
		{
			name: "an unset version converts nothing", method: "checkLicenseStatus", kind: pia.Request, from: pia.Version{}, to: v4320,
			in: `{"IZINSTATUS":{"id_izin":"I-1"}}`, want: `{"IZINSTATUS":{"id_izin":"I-1"}}`,
		},
		{
			name: "a body that is not an object is left alone", method: "receiveLicense", kind: pia.Request, from: v4320, to: v4312,
			in: `"IZINFINAL"`, want: `"IZINFINAL"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep := e.Convert(tt.method, tt.kind, tt.from, tt.to, decode(t, tt.in))
			assert.JSONEq(t, tt.want, encode(t, out))
			assert.Equal(t, tt.errors, errorsOf(rep))
			for _, fe := range rep.Errors {
				assert.NotEmpty(t, fe.Text(pia.Indonesian), "%s has a message", fe.Field)
			}
		})
	}
}

func TestAppliedNamesTheRulesThatActedInTheirDirection(t *testing.T) {
	_, e := builtin(t)
	_, rep := e.Convert("checkLicenseStatus", pia.Request, v4312, v4320, decode(t, `{"IZINSTATUS":{"id_izin":"I-1"}}`))
	assert.Equal(t, []string{"4.3.12>4.3.16:checkLicenseStatus:request:rename:IZINSTATUS"}, rep.Applied)
	assert.Empty(t, rep.Errors)

	_, rep = e.Convert("checkLicenseStatus", pia.Request, v4320, v4312, decode(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`))
	assert.Equal(t, []string{"4.3.16>4.3.12:checkLicenseStatus:request:rename:IZINSTATUS"}, rep.Applied)

	_, rep = e.Convert("checkLicenseStatus", pia.Request, v4312, v4320, decode(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`))
	assert.Empty(t, rep.Applied, "a payload already in the newer shape triggers no rule")
}

func TestMessagesNameTheVersionsInEitherLanguage(t *testing.T) {
	cat, _ := builtin(t)
	e, err := Load(cat)
	require.NoError(t, err)
	tests := []struct {
		name           string
		method         string
		from, to       pia.Version
		in             string
		wantID, wantEN string
	}{
		{
			name: "a new mandatory field", method: "receiveNIBKKPR", from: v4312, to: v4320,
			in:     `{"dataNIB":{"flag_perubahan_data_teknis":"N","jenis_perubahan_terakhir":"01","skala_usaha":"01"}}`,
			wantID: "field baru wajib di PIA 4.3.16 yang tidak ada di PIA 4.3.12 pengirim; tidak ada nilai bawaan yang aman, pengirim harus mengisinya",
			wantEN: "new mandatory field in PIA 4.3.16 that the sender's PIA 4.3.12 does not have; there is no safe default, the sender must supply it",
		},
		{
			name: "a field an older receiver requires", method: "receiveLegal", from: v4320, to: v4312,
			in:     `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1}]}}`,
			wantID: "wajib di PIA 4.3.12 penerima, tetapi tidak ada di payload PIA 4.3.20 pengirim dan tidak ada nilai bawaan yang aman",
			wantEN: "mandatory in the receiver's PIA 4.3.12 but missing from this PIA 4.3.20 payload, and there is no safe default",
		},
		{
			name: "a value with nowhere to go", method: "receiveLegal", from: v4316, to: v4317,
			in:     `{"AKTA":{"kbli5":"01111"}}`,
			wantID: "tidak dapat dipindahkan ke AKTA.data_kbli.kbli5 di PIA 4.3.17 karena tujuannya tidak ada di payload",
			wantEN: "cannot be moved to AKTA.data_kbli.kbli5 of PIA 4.3.17: the payload has no place for it",
		},
		{
			name: "a row total that cannot be summed", method: "receiveLegal", from: v4316, to: v4312,
			in:     `{"AKTA":{"jangka_waktu":"","nama_singkatan":"","modal_dasar":[{"total_modal_dasar":1},{"total_modal_dasar":"satu juta"}],"modal_ditempatkan":[{"total_modal_ditempatkan":1}]}}`,
			wantID: `harus berupa angka agar dapat dijumlahkan menjadi AKTA.total_modal_dasar di PIA 4.3.12; diterima "satu juta"`,
			wantEN: `must be a number to be summed into AKTA.total_modal_dasar of PIA 4.3.12; got "satu juta"`,
		},
		{
			name: "a string that cannot become a number", method: "receiveNIBKKPR", from: v4316, to: v4317,
			in:     `{"dataNIB":{"skala_usaha":"01","data_dni":[{"kd_dni":"12a"}]}}`,
			wantID: `harus berupa angka di PIA 4.3.17; "12a" tidak dapat diubah menjadi angka`,
			wantEN: `must be a number in PIA 4.3.17; "12a" cannot be converted to a number`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rep := e.Convert(tt.method, pia.Request, tt.from, tt.to, decode(t, tt.in))
			require.Len(t, rep.Errors, 1)
			assert.Equal(t, tt.wantID, rep.Errors[0].Text(pia.Indonesian))
			assert.Equal(t, tt.wantEN, rep.Errors[0].Text(pia.English))
		})
	}
}

func TestRetypeErrorTellsExpectedAndGot(t *testing.T) {
	_, e := builtin(t)
	_, rep := e.Convert("receiveNIB", pia.Request, v4317, v4318, decode(t, `{"dataNIB":{"data_rptka":{"jumlah_tka_rptka":"1,5"}}}`))
	require.Len(t, rep.Errors, 1)
	fe := rep.Errors[0]
	assert.Equal(t, pia.FieldError{Field: "/dataNIB/data_rptka/jumlah_tka_rptka", Rule: "type", Expected: "number", Got: "1,5"},
		pia.FieldError{Field: fe.Field, Rule: fe.Rule, Expected: fe.Expected, Got: fe.Got})
	assert.Equal(t, `harus berupa angka di PIA 4.3.18; "1,5" tidak dapat diubah menjadi angka`, fe.Text(pia.Indonesian))
}

func TestNeeded(t *testing.T) {
	_, e := builtin(t)
	tests := []struct {
		name     string
		method   string
		kind     pia.Kind
		from, to pia.Version
		want     bool
	}{
		{"receiveLegal from 4.3.12 has rules", "receiveLegal", pia.Request, v4312, v4320, true},
		{"receiveLegal back to 4.3.12 has rules", "receiveLegal", pia.Request, v4320, v4312, true},
		{"receiveLicense changed nothing after 4.3.16", "receiveLicense", pia.Request, v4316, v4320, false},
		{"an optional field added changes nothing on the way up", "inqueryNIB", pia.Request, v4312, v4316, false},
		{"but is dropped on the way down", "inqueryNIB", pia.Request, v4316, v4312, true},
		{"a field made optional changes nothing on the way up", "receiveLicenseStatus", pia.Request, v4312, v4316, false},
		{"but is filled on the way down", "receiveLicenseStatus", pia.Request, v4316, v4312, true},
		{"checkLicenseStatus responses changed in 4.3.20", "checkLicenseStatus", pia.Response, v4320, v4319, true},
		{"but its requests did not after 4.3.16", "checkLicenseStatus", pia.Request, v4319, v4320, false},
		{"same version", "receiveLegal", pia.Request, v4320, v4320, false},
		{"versions between the same snapshots", "receiveLegal", pia.Request, v4312, pia.MustVersion("4.3.15"), false},
		{"a method without rules", "receiveFileDS", pia.Request, v4312, v4320, false},
		{"an unset version", "receiveLegal", pia.Request, pia.Version{}, v4320, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, e.Needed(tt.method, tt.kind, tt.from, tt.to))
		})
	}
}

// Needed says false exactly when Convert would change nothing: checked on
// filled payloads of every method and direction.
func TestNeededAgreesWithConvert(t *testing.T) {
	cat, e := builtin(t)
	vs := cat.Versions()
	for _, s := range cat.All() {
		for _, to := range vs {
			if s.Version == to || s.Version.IsZero() {
				continue
			}
			if _, ok := cat.Own(to, s.Method, s.Kind); !ok {
				continue
			}
			if e.Needed(s.Method, s.Kind, s.Version, to) {
				continue
			}
			doc := fullSample(t, cat, s.Version, s.Method, s.Kind, 2)
			before := encode(t, doc)
			out, rep := e.Convert(s.Method, s.Kind, s.Version, to, doc)
			assert.Equal(t, before, encode(t, out), "%s %s %s to %s: not needed, and nothing changed", s.Method, s.Kind, s.Version, to)
			assert.Empty(t, rep.Applied)
		}
	}
}

func TestConvertIsSafeForConcurrentUse(t *testing.T) {
	cat, e := builtin(t)
	// The schema is looked up here: a worker goroutine must not require.
	s, ok := cat.Lookup(v4312, "receiveLegal", pia.Request)
	require.True(t, ok, "%s %s %s", v4312, "receiveLegal", pia.Request)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				doc := sampler(2).Build(s.Doc.(map[string]any))
				_, rep := e.Convert("receiveLegal", pia.Request, v4312, v4320, doc)
				assert.NotEmpty(t, rep.Errors)
			}
		}()
	}
	wg.Wait()
}

func TestNumberText(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"12", "12", true},
		{"-12.50", "-12.50", true},
		{"01111", "1111", true},
		{"-007.5", "-7.5", true},
		{"000", "0", true},
		{"1e3", "1e3", true},
		{"0.5", "0.5", true},
		{"12a", "", false},
		{" 12", "", false},
		{"12 ", "", false},
		{"+12", "", false},
		{"1,5", "", false},
		{"1.000.000", "", false},
		{".5", "", false},
		{"5.", "", false},
		{"-", "", false},
		{"", "", false},
		{"1e", "", false},
	}
	for _, tt := range tests {
		got, ok := numberText(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		if ok {
			assert.True(t, json.Valid([]byte(got)), "%q gives valid JSON", tt.in)
		}
	}
}

func TestErrorsPointAtTheSendersNamesAfterARename(t *testing.T) {
	s := state{renames: []appliedRename{
		{parent: nil, from: "IZINSTATUS", to: "CHECKLICENSESTATUS"},
		{parent: []string{"CHECKLICENSESTATUS", "rows"}, from: "old", to: "new"},
	}}
	assert.Equal(t, []string{"IZINSTATUS", "rows", "3", "old", "x"}, s.inputNames([]string{"CHECKLICENSESTATUS", "rows", "3", "new", "x"}))
	assert.Equal(t, []string{"IZINSTATUS", "other", "new"}, s.inputNames([]string{"CHECKLICENSESTATUS", "other", "new"}))
}

// A response carried to another version keeps the fields its reader's
// version does not know (policy transform-response-keeps-fields): JSON
// clients ignore extra fields, and real ones read them. Renames, moves
// and retypes still apply.
func TestResponsesKeepUnknownFieldsByDefault(t *testing.T) {
	cat, _ := builtin(t)
	e, err := Load(cat)
	require.NoError(t, err)
	assert.False(t, e.Needed("checkLicenseStatus", pia.Response, v4320, v4319), "adding file_lampiran needs nothing on the way down")

	out, rep := e.Convert("checkLicenseStatus", pia.Response, v4320, v4319,
		decode(t, `{"responcheckLicenseStatus":{"kode":200,"dataIZIN":{"nib":"1","file_lampiran":"https://oss/x.pdf"}}}`))
	assert.JSONEq(t, `{"responcheckLicenseStatus":{"kode":200,"dataIZIN":{"nib":"1","file_lampiran":"https://oss/x.pdf"}}}`, encode(t, out))
	assert.Empty(t, rep.Errors)

	out, _ = e.Convert("inqueryNIB", pia.Response, v4320, v4312,
		decode(t, `{"responinqueryNIB":{"kode":200,"dataNIB":{"nib":"1","data_checklist":[{"id_izin":"I-1","data_teknis":{"luas":"10"}}]}}}`))
	got := encode(t, out)
	assert.Contains(t, got, `"data_teknis":{"luas":"10"}`, "inqueryNIB data_checklist[].data_teknis reaches a 4.3.12 client")

	out, _ = e.Convert("checkLicenseStatus", pia.Request, v4320, v4312, decode(t, `{"CHECKLICENSESTATUS":{"id_izin":"I-1"}}`))
	assert.JSONEq(t, `{"IZINSTATUS":{"id_izin":"I-1"}}`, encode(t, out), "requests are unaffected: the rename applies")
}

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
