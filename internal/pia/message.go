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

// Msg names a sentence the gateway answers with.
type Msg int

// The sentences. Their arguments are documented beside each.
const (
	MsgUnknownMethod        Msg = iota // method
	MsgWithdrawn                       // method, version
	MsgWrongVerb                       // method, verb
	MsgBodyTooLarge                    // limit in bytes
	MsgUnsupportedMediaType            // content type
	MsgBadJSON                         // parser error
	MsgEmptyBody                       //
	MsgValidation                      // list of violations
	MsgWrongRoot                       // roots sent, method, root expected
	MsgNoSuchPath                      // path
	MsgNoRoot                          // method, root expected
	MsgHistoryVersions                 // oldest, newest mapped version
	MsgUpstreamUnreachable             // side
	MsgUpstreamTimeout                 // side
	MsgInternal                        //
	MsgNoUpstream                      // method, side
	MsgKeyMissing                      // header names
	MsgKeyInvalid                      // reason
	MsgKeyExpired                      //
	MsgKeyRevoked                      //
	MsgMethodForbidden                 // client, method
	MsgInstansiForbidden               // kd_instansi sent, client's kd_instansi
	MsgBadCredentials                  //
	MsgBadKeyRequest                   // what is wrong
	MsgLockedOut                       // seconds
	MsgKeyIssued                       //
	MsgTokenMismatch                   //
	MsgTokenMissing                    //
	MsgTransform                       // list of problems
	MsgVersion                         // header value
	MsgNotJSONBody                     //
	MsgUnreadableBody                  //
	MsgPathParam                       // parameter name
	MsgDuplicateMember                 // field path
	MsgTooManyElements                 // limit
)

var messages = map[Msg][2]string{
	MsgUnknownMethod:        {"Method %s tidak dikenal; method milik instansi sendiri dideklarasikan di konfigurasi: method %s { side oss|kld; schema <file> }", "Unknown method %s; declare an agency's own method in the configuration: method %s { side oss|kld; schema <file> }"},
	MsgWithdrawn:            {"Method %s sudah ditarik sejak PIA %s dan tidak dapat dipanggil lagi", "Method %s was withdrawn in PIA %s and can no longer be called"},
	MsgWrongVerb:            {"Method %s harus dipanggil dengan HTTP %s", "Method %s must be called with HTTP %s"},
	MsgBodyTooLarge:         {"Ukuran body melebihi batas %d byte", "Request body exceeds the limit of %d bytes"},
	MsgUnsupportedMediaType: {"Content-Type %q tidak didukung, gunakan application/json", "Content-Type %q is not supported, use application/json"},
	MsgBadJSON:              {"Body bukan JSON yang valid: %s", "Body is not valid JSON: %s"},
	MsgEmptyBody:            {"Body tidak boleh kosong", "Request body must not be empty"},
	MsgValidation:           {"Data parameter salah: %s", "Invalid parameters: %s"},
	MsgWrongRoot:            {"root %s dikirim; %s mengharapkan %s", "root %s sent; %s expects %s"},
	MsgNoSuchPath:           {"Path %s tidak dikenal", "Unknown path %s"},
	MsgHistoryVersions:      {"juga versi riwayat dokumen %s s.d. %s tanpa snapshot, yang dilayani sebagai snapshot yang memuat perubahannya", "also the document-history versions %s to %s without a snapshot, served as the snapshot holding their changes"},
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
	MsgNotJSONBody:          {"Body bukan JSON yang valid", "Body is not valid JSON"},
	MsgUnreadableBody:       {"Body tidak dapat dibaca", "Body could not be read"},
	MsgPathParam:            {"Parameter path {%s} harus satu segmen: tanpa /, \\, . atau .., dan tanpa karakter kontrol", "Path parameter {%s} must be one segment: no /, \\, . or .., and no control characters"},
	MsgTooManyElements:      {"Body memuat lebih dari %d nilai JSON", "Request body holds more than %d JSON values"},
	MsgDuplicateMember:      {"Body bukan JSON yang valid: anggota %s muncul lebih dari sekali", "Body is not valid JSON: member %s appears more than once"},
}

// Text renders message m in language l.
func (l Lang) Text(m Msg, args ...any) string {
	pair, ok := messages[m]
	if !ok {
		return fmt.Sprint(args...)
	}
	format := pair[0]
	if l == English {
		format = pair[1]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
