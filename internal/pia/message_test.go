package pia

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

var placeholderRe = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// Every message id has its sentence in both languages, with the same
// placeholders in the same order, so that one set of arguments fits both.
func TestCatalogueHasEveryMessageInBothLanguagesWithTheSamePlaceholders(t *testing.T) {
	assert.Equal(t, bilingual{}, catalogue[MsgNone], "MsgNone says nothing")
	for m := MsgNone + 1; m < msgCount; m++ {
		e := catalogue[m]
		if !assert.NotEmpty(t, e.id, "message %d has no Indonesian text", m) ||
			!assert.NotEmpty(t, e.en, "message %d has no English text", m) {
			continue
		}
		assert.Equal(t, placeholderRe.FindAllString(e.id, -1), placeholderRe.FindAllString(e.en, -1),
			"message %d: %q and %q take different arguments", m, e.id, e.en)
	}
}

func TestTextRendersInTheLanguageWithMessageArgumentsInTheSameLanguage(t *testing.T) {
	assert.Equal(t, "Security key tidak valid: kid tidak dikenal", Indonesian.Text(MsgKeyInvalid, MsgWhyUnknownKID))
	assert.Equal(t, "Invalid security key: unknown kid", English.Text(MsgKeyInvalid, MsgWhyUnknownKID))
	args := []any{MsgTypeObject, `"x"`}
	assert.Equal(t, `harus berupa objek, diterima "x"`, Indonesian.Text(MsgType, args...))
	assert.Equal(t, `must be an object, got "x"`, English.Text(MsgType, args...))
	assert.Equal(t, MsgTypeObject, args[0], "the caller's arguments are left as they were")
	assert.Equal(t, "Body tidak boleh kosong", Indonesian.Text(MsgEmptyBody), "a sentence without arguments is its text")
	assert.Equal(t, "", English.Text(MsgNone))
	assert.Equal(t, "", English.Text(msgCount), "an id outside the catalogue says nothing")
}
