// Package pia holds the protocol of the PIA, Indonesia's OSS RBA
// integration API, as data and the rules that read it: its versions
// (Version, the document history, the caller-version rule), its methods
// (the method table generated from source/ and deviations.json), the
// response envelope, the bilingual message catalogue and FieldError, and
// the catalog of JSON Schemas per version, method and side. Every package
// of the gateway imports it; it imports none of them.
//
// JSON itself, the strict decoder, the validity check, the scanners, the
// one number grammar and the tree and pointer helpers, lives in
// internal/jsonbody: those know nothing of the PIA, and this package uses
// them as every other does.
package pia
