package pia

import (
	"fmt"
	"strings"
)

// Lang is the language of the gateway's own messages.
type Lang uint8

const (
	// Indonesian is the default: the PIA and its integrators speak it.
	Indonesian Lang = iota
	// English is chosen by configuration.
	English
)

// ParseLang reads "id" or "en".
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(s) {
	case "", "id", "indonesian", "indonesia":
		return Indonesian, nil
	case "en", "english":
		return English, nil
	}
	return 0, fmt.Errorf("language %q: want id or en", s)
}

func (l Lang) String() string {
	if l == English {
		return "en"
	}
	return "id"
}

// Msg is the id of a message in the catalogue: a sentence or a word the
// gateway answers with, in Indonesian and English. Every bilingual text of
// the gateway comes from the catalogue (Lang.Text).
type Msg int

// The messages. Their arguments are documented beside each; an argument
// that is itself a Msg is rendered in the same language (a type's name, a
// reason). The sentences of a violation (FieldError) do not name the field,
// which Summary puts before each, and hold no semicolon, which separates
// violations there.
const (
	// MsgNone is the zero Msg: no sentence (an empty text).
	MsgNone Msg = iota
	// MsgVerbatim is a text that has no translation (its one argument).
	MsgVerbatim

	// The gateway's answers (keterangan).
	MsgUnknownMethod        // method
	MsgUnknownMethodCase    // method, the name in its case
	MsgWithdrawn            // method, version
	MsgWrongVerb            // method, verb
	MsgBodyTooLarge         // limit in bytes
	MsgUnsupportedMediaType // content type
	MsgBadJSON              // parser error
	MsgBadJSONIn            // field, bytes read, parser error
	MsgBadJSONAt            // bytes read, parser error
	MsgEmptyBody            //
	MsgValidation           // list of violations
	MsgWrongRoot            // roots sent, method, root expected
	MsgNoSuchPath           // path
	MsgNoRoot               // method, root expected
	MsgEncodedTwice         // method, root expected
	MsgHistoryVersions      // oldest, newest mapped version
	MsgUpstreamUnreachable  // side
	MsgUpstreamTimeout      // side
	MsgInternal             //
	MsgNoUpstream           // method, side
	MsgKeyMissing           // header names
	MsgKeyInvalid           // reason (a MsgWhy…)
	MsgKeyExpired           //
	MsgKeyRevoked           //
	MsgMethodForbidden      // client, method
	MsgInstansiForbidden    // kd_instansi sent, client's kd_instansi
	MsgBadCredentials       //
	MsgBadKeyRequest        // what is wrong (a MsgWhy…)
	MsgLockedOut            // seconds
	MsgKeyIssued            //
	MsgTokenMismatch        //
	MsgTokenMissing         //
	MsgTransform            // list of problems
	MsgVersion              // header value
	MsgUnreadableBody       //
	MsgUndecodableBody      // the decoder's error
	MsgUnsupportedEncoding  // content encoding
	MsgPathParam            // parameter name
	MsgDuplicateMember      // field path
	MsgTooManyElements      // limit
	MsgNotUTF8              // the byte, its offset
	MsgNotUTF16             // offset
	MsgUnsupportedCharset   // charset

	// Why a security key or a sendSecurityKey body is refused.
	MsgWhyUnexpectedBody //
	MsgWhyNotJSON        //
	MsgWhyNotObject      //
	MsgWhyNoSecurityKey  //
	MsgWhyUserAkses      //
	MsgWhyPwdAkses       //
	MsgWhyMalformed      //
	MsgWhyAlgorithm      //
	MsgWhyUnknownKID     //
	MsgWhySignature      //
	MsgWhyIssuer         //
	MsgWhyAudience       //
	MsgWhyNotYetValid    //

	// The violations validate finds.
	MsgRequired     //
	MsgRequireAny   // the alternatives
	MsgUnknownField //
	MsgType         // expected type (a MsgType…), what was sent
	MsgMaxLength    // limit, length sent
	MsgMinLength    // limit, length sent
	MsgLayout       // layout, what was sent
	MsgNoSuchDay    // what was sent
	MsgNoSuchTime   // what was sent
	MsgFormat       // format name, what was sent
	MsgEnumTable    // what was sent, Lampiran numbers, codes
	MsgEnum         // what was sent, codes
	MsgEnumHidden   // what was sent (hidden)
	MsgDigits       // limit, digits sent
	MsgDecimals     // limit, decimals sent
	MsgPattern      // pattern, what was sent
	MsgConst        // the one value, what was sent
	MsgRule         // keyword, the library's detail
	MsgOutOfRange   // what was sent

	// The names of JSON types in the violations.
	MsgTypeString  //
	MsgTypeNumber  //
	MsgTypeInteger //
	MsgTypeBoolean //
	MsgTypeObject  //
	MsgTypeArray   //
	MsgTypeNull    //
	MsgTypeDigits  // a number or a string of digits (policy codes-as-digit-strings)

	// What a version conversion cannot do (transform).
	MsgNewRequired // version that made it mandatory, sender's version
	MsgOldRequired // receiver's version, sender's version
	MsgNotNumber   // version where it is a number, what was sent
	MsgNotSummable // scalar it sums into, its version, what was sent
	MsgNoTarget    // target path, its version

	msgCount // the number of messages; not a message
)

// bilingual is one message in both languages.
type bilingual struct{ id, en string }

// catalogue holds every message by id; TestCatalogue checks that each has
// both languages with the same placeholders.
var catalogue = [msgCount]bilingual{
	MsgVerbatim: {"%s", "%s"},

	MsgUnknownMethod:        {"Method %s tidak dikenal; method milik instansi sendiri dideklarasikan di konfigurasi: method %s { side oss|kld; schema <file> }", "Unknown method %s; declare an agency's own method in the configuration: method %s { side oss|kld; schema <file> }"},
	MsgUnknownMethodCase:    {"Method %s tidak dikenal; maksudnya %s? (nama method membedakan huruf besar dan kecil)", "Unknown method %s; did you mean %s? (method names are case-sensitive)"},
	MsgWithdrawn:            {"Method %s sudah ditarik sejak PIA %s dan tidak dapat dipanggil lagi", "Method %s was withdrawn in PIA %s and can no longer be called"},
	MsgWrongVerb:            {"Method %s harus dipanggil dengan HTTP %s", "Method %s must be called with HTTP %s"},
	MsgBodyTooLarge:         {"Ukuran body melebihi batas %d byte", "Request body exceeds the limit of %d bytes"},
	MsgUnsupportedMediaType: {"Content-Type %q tidak didukung, gunakan application/json", "Content-Type %q is not supported, use application/json"},
	MsgBadJSON:              {"Body bukan JSON yang valid: %s", "Body is not valid JSON: %s"},
	MsgBadJSONIn:            {"Body bukan JSON yang valid di %s, setelah %d byte: %s", "Body is not valid JSON at %s, after %d bytes: %s"},
	MsgBadJSONAt:            {"Body bukan JSON yang valid setelah %d byte: %s", "Body is not valid JSON after %d bytes: %s"},
	MsgEmptyBody:            {"Body tidak boleh kosong", "Request body must not be empty"},
	MsgValidation:           {"Data parameter salah: %s", "Invalid parameters: %s"},
	MsgWrongRoot:            {"root %s dikirim; %s mengharapkan %s", "root %s sent; %s expects %s"},
	MsgNoSuchPath:           {"Path %s tidak dikenal", "Unknown path %s"},
	MsgHistoryVersions:      {"juga versi riwayat dokumen %s s.d. %s tanpa snapshot, yang dilayani sebagai snapshot yang memuat perubahannya", "also the document-history versions %s to %s without a snapshot, served as the snapshot holding their changes"},
	MsgEncodedTwice:         {"body adalah string JSON yang berisi JSON (dienkode dua kali); %s mengharapkan objeknya sendiri: {\"%s\": {...}}", "body is a JSON string holding JSON (encoded twice); %s expects the object itself: {\"%s\": {...}}"},
	MsgNoRoot:               {"body bukan objek; %s mengharapkan {\"%s\": {...}}", "body is not an object; %s expects {\"%s\": {...}}"},
	MsgUpstreamUnreachable:  {"Layanan tujuan (%s) tidak dapat dihubungi", "Upstream service (%s) is unreachable"},
	MsgUpstreamTimeout:      {"Layanan tujuan (%s) tidak menjawab tepat waktu", "Upstream service (%s) did not answer in time"},
	MsgInternal:             {"Terjadi kesalahan pada gateway", "Gateway internal error"},
	MsgNoUpstream:           {"Tidak ada layanan tujuan untuk method %s (sisi %s)", "No upstream is configured for method %s (side %s)"},
	MsgKeyMissing:           {"Security key tidak ditemukan (header %s)", "Security key missing (header %s)"},
	MsgKeyInvalid:           {"Security key tidak valid: %s", "Invalid security key: %s"},
	MsgKeyExpired:           {"Security key sudah kedaluwarsa", "Security key has expired"},
	MsgKeyRevoked:           {"Security key sudah dicabut", "Security key has been revoked"},
	MsgMethodForbidden:      {"Klien %s tidak berhak memanggil method %s", "Client %s may not call method %s"},
	MsgInstansiForbidden:    {"kd_instansi %s bukan milik klien ini (%s)", "kd_instansi %s does not belong to this client (%s)"},
	MsgBadCredentials:       {"User akses atau password tidak valid", "Invalid user_akses or pwd_akses"},
	MsgBadKeyRequest:        {"Permintaan security key salah: %s", "Malformed security key request: %s"},
	MsgLockedOut:            {"Terlalu banyak percobaan gagal, coba lagi dalam %d detik", "Too many failed attempts, retry in %d seconds"},
	MsgKeyIssued:            {"Sukses", "Success"},
	MsgTokenMismatch:        {"Token tidak valid", "Invalid Token"},
	MsgTokenMissing:         {"Token tidak ditemukan (header Token, Authorization: Bearer, atau parameter token)", "Token missing (Token header, Authorization: Bearer, or token parameter)"},
	MsgTransform:            {"Data tidak dapat disesuaikan ke PIA %s: %s", "Payload cannot be adapted to PIA %s: %s"},
	MsgVersion:              {"Versi PIA %q tidak dikenal (versi yang didukung: %s)", "Unknown PIA version %q (supported versions: %s)"},
	MsgUnreadableBody:       {"Body tidak dapat dibaca", "Body could not be read"},
	MsgUndecodableBody:      {"Body tidak sesuai Content-Encoding-nya: %s", "Body does not match its Content-Encoding: %s"},
	MsgUnsupportedEncoding:  {"Content-Encoding %q tidak didukung, gunakan gzip atau deflate, atau kirim tanpa Content-Encoding", "Content-Encoding %q is not supported; use gzip or deflate, or none"},
	MsgPathParam:            {"Parameter path {%s} harus satu segmen: tanpa /, \\, . atau .., dan tanpa karakter kontrol", "Path parameter {%s} must be one segment: no /, \\, . or .., and no control characters"},
	MsgTooManyElements:      {"Body memuat lebih dari %d nilai JSON", "Request body holds more than %d JSON values"},
	MsgNotUTF8:              {"Body bukan UTF-8 yang valid: byte 0x%02X pada posisi %d; kirim UTF-8, atau nyatakan pengkodean body di Content-Type (mis. application/json; charset=windows-1252)", "Body is not valid UTF-8: byte 0x%02X at offset %d; send UTF-8, or state the body's encoding in its Content-Type (e.g. application/json; charset=windows-1252)"},
	MsgNotUTF16:             {"Body bukan UTF-16 yang valid pada posisi %d", "Body is not valid UTF-16 at offset %d"},
	MsgUnsupportedCharset:   {"charset %q tidak didukung untuk body yang bukan UTF-8; kirim UTF-8 (atau windows-1252/ISO-8859-1)", "charset %q is not supported for a body that is not UTF-8; send UTF-8 (or windows-1252/ISO-8859-1)"},
	MsgDuplicateMember:      {"Body bukan JSON yang valid: anggota %s muncul lebih dari sekali", "Body is not valid JSON: member %s appears more than once"},

	MsgWhyUnexpectedBody: {"body tidak sesuai", "unexpected body"},
	MsgWhyNotJSON:        {"body bukan JSON yang valid", "body is not valid JSON"},
	MsgWhyNotObject:      {"body harus berupa objek JSON", "body must be a JSON object"},
	MsgWhyNoSecurityKey:  {"objek securityKey tidak ditemukan", "securityKey object missing"},
	MsgWhyUserAkses:      {"securityKey.user_akses harus berupa string yang tidak kosong", "securityKey.user_akses must be a non-empty string"},
	MsgWhyPwdAkses:       {"securityKey.pwd_akses harus berupa string yang tidak kosong", "securityKey.pwd_akses must be a non-empty string"},
	MsgWhyMalformed:      {"format tidak dikenali", "malformed"},
	MsgWhyAlgorithm:      {"algoritma tidak diizinkan", "algorithm not allowed"},
	MsgWhyUnknownKID:     {"kid tidak dikenal", "unknown kid"},
	MsgWhySignature:      {"tanda tangan tidak cocok", "bad signature"},
	MsgWhyIssuer:         {"penerbit salah", "wrong issuer"},
	MsgWhyAudience:       {"audience salah", "wrong audience"},
	MsgWhyNotYetValid:    {"belum berlaku", "not valid yet"},

	MsgRequired:     {"wajib ada", "is required"},
	MsgRequireAny:   {"wajib ada salah satu dari: %s", "one of these is required: %s"},
	MsgUnknownField: {"field tidak dikenal (mode strict)", "unknown field (strict mode)"},
	MsgType:         {"harus berupa %s, diterima %s", "must be %s, got %s"},
	MsgMaxLength:    {"panjang maksimal %d karakter, diterima %d", "at most %d characters, got %d"},
	MsgMinLength:    {"panjang minimal %d karakter, diterima %d", "at least %d characters, got %d"},
	MsgLayout:       {"harus berformat %s, diterima %s", "must be formatted %s, got %s"},
	MsgNoSuchDay:    {"tanggal %s tidak ada di kalender", "%s is not a calendar date"},
	MsgNoSuchTime:   {"jam %s tidak valid", "%s is not a valid time of day"},
	MsgFormat:       {"tidak sesuai format %s, diterima %s", "is not a valid %s, got %s"},
	MsgEnumTable:    {"kode %s tidak ada di Lampiran %s (gunakan salah satu dari: %s)", "code %s is not in Lampiran %s (use one of: %s)"},
	MsgEnum:         {"nilai %s tidak diizinkan (gunakan salah satu dari: %s)", "value %s is not allowed (use one of: %s)"},
	MsgEnumHidden:   {"nilai %s tidak diizinkan", "value %s is not allowed"},
	MsgDigits:       {"maksimal %d digit sebelum koma, diterima %d", "at most %d digits before the decimal point, got %d"},
	MsgDecimals:     {"maksimal %d angka di belakang koma, diterima %d", "at most %d decimal places, got %d"},
	MsgPattern:      {"tidak sesuai pola %s, diterima %s", "does not match %s, got %s"},
	MsgConst:        {"harus bernilai %s, diterima %s", "must be %s, got %s"},
	MsgRule:         {"melanggar aturan %s: %s", "violates %s: %s"},
	MsgOutOfRange:   {"angka %s di luar jangkauan", "number %s is out of range"},

	MsgTypeString:  {"teks", "a string"},
	MsgTypeNumber:  {"angka", "a number"},
	MsgTypeInteger: {"bilangan bulat", "a whole number"},
	MsgTypeBoolean: {"boolean (true/false)", "a boolean (true/false)"},
	MsgTypeObject:  {"objek", "an object"},
	MsgTypeArray:   {"array", "an array"},
	MsgTypeNull:    {"null", "null"},
	MsgTypeDigits:  {"angka atau teks berisi digit saja (mis. \"01111\")", "a number or a string of digits only (e.g. \"01111\")"},

	MsgNewRequired: {
		"field baru wajib di PIA %s yang tidak ada di PIA %s pengirim; tidak ada nilai bawaan yang aman, pengirim harus mengisinya",
		"new mandatory field in PIA %s that the sender's PIA %s does not have; there is no safe default, the sender must supply it",
	},
	MsgOldRequired: {
		"wajib di PIA %s penerima, tetapi tidak ada di payload PIA %s pengirim dan tidak ada nilai bawaan yang aman",
		"mandatory in the receiver's PIA %s but missing from this PIA %s payload, and there is no safe default",
	},
	MsgNotNumber: {
		"harus berupa angka di PIA %s; %q tidak dapat diubah menjadi angka",
		"must be a number in PIA %s; %q cannot be converted to a number",
	},
	MsgNotSummable: {
		"harus berupa angka agar dapat dijumlahkan menjadi %s di PIA %s; diterima %s",
		"must be a number to be summed into %s of PIA %s; got %s",
	},
	MsgNoTarget: {
		"tidak dapat dipindahkan ke %s di PIA %s karena tujuannya tidak ada di payload",
		"cannot be moved to %s of PIA %s: the payload has no place for it",
	},
}

// Text renders message m in language l. An argument that is a Msg is
// rendered in l first.
func (l Lang) Text(m Msg, args ...any) string {
	if m <= MsgNone || m >= msgCount {
		return ""
	}
	format := catalogue[m].id
	if l == English {
		format = catalogue[m].en
	}
	if len(args) == 0 {
		return format
	}
	copied := false
	for i, a := range args {
		if sub, ok := a.(Msg); ok {
			if !copied {
				args, copied = append([]any(nil), args...), true // the caller's slice stays as it was
			}
			args[i] = l.Text(sub)
		}
	}
	return fmt.Sprintf(format, args...)
}
