package transform

import (
	"fmt"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// msg names a sentence of a conversion error. Sentences do not name the
// field: the envelope puts the dotted field before each.
type msg int

const (
	msgNewRequired msg = iota // version that made it mandatory, sender's version
	msgOldRequired            // receiver's version, sender's version
	msgNotNumber              // version where it is a number, what was sent
	msgNotSummable            // scalar it sums into, its version, what was sent
	msgNoTarget               // target path, its version
)

var sentences = map[msg][2]string{
	msgNewRequired: {
		"field baru wajib di PIA %s yang tidak ada di PIA %s pengirim; tidak ada nilai bawaan yang aman, pengirim harus mengisinya",
		"new mandatory field in PIA %s that the sender's PIA %s does not have; there is no safe default, the sender must supply it",
	},
	msgOldRequired: {
		"wajib di PIA %s penerima, tetapi tidak ada di payload PIA %s pengirim dan tidak ada nilai bawaan yang aman",
		"mandatory in the receiver's PIA %s but missing from this PIA %s payload, and there is no safe default",
	},
	msgNotNumber: {
		"harus berupa angka di PIA %s; %q tidak dapat diubah menjadi angka",
		"must be a number in PIA %s; %q cannot be converted to a number",
	},
	msgNotSummable: {
		"harus berupa angka agar dapat dijumlahkan menjadi %s di PIA %s; diterima %s",
		"must be a number to be summed into %s of PIA %s; got %s",
	},
	msgNoTarget: {
		"tidak dapat dipindahkan ke %s di PIA %s karena tujuannya tidak ada di payload",
		"cannot be moved to %s of PIA %s: the payload has no place for it",
	},
}

// lang is pia.Lang with the sentences of this package.
type lang pia.Lang

func (l lang) say(m msg, args ...any) string {
	pair := sentences[m]
	f := pair[0]
	if pia.Lang(l) == pia.English {
		f = pair[1]
	}
	return fmt.Sprintf(f, args...)
}
