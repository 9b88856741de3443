package validate

import (
	"errors"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The PIA's own date layouts. Both are checked by hand rather than by a
// pattern or time.Parse: they run for every date of every request, and a
// hand check both costs nothing and says exactly what is wrong.
const (
	formatDate     = "pia-date"
	formatDateTime = "pia-datetime"
)

var (
	errDateLayout     = errors.New("want YYYY-MM-DD")
	errDateTimeLayout = errors.New("want YYYY-MM-DD HH:MM:SS")
	errNoSuchDay      = errors.New("no such day")
	errNoSuchTime     = errors.New("no such time of day")
)

// formats are registered with every compiler; format assertion is turned
// on, so a schema naming a format that is neither one of these nor one of
// JSON Schema's own fails New (see checkFormats).
var formats = []*jsonschema.Format{
	{Name: formatDate, Validate: validateDate},
	{Name: formatDateTime, Validate: validateDateTime},
}

// validateDate accepts YYYY-MM-DD naming a real day, and "" (policy
// empty-string-is-no-value). Values that are not strings are the type
// keyword's business.
func validateDate(v any) error {
	s, _ := v.(string)
	return dateText(s)
}

// dateText is validateDate on a string, which a caller holding one need
// not box in an interface.
func dateText(s string) error {
	if s == "" {
		return nil
	}
	if len(s) != 10 {
		return errDateLayout
	}
	return checkDate(s)
}

// validateDateTime accepts YYYY-MM-DD HH:MM:SS (policy datetime-format) and "".
func validateDateTime(v any) error {
	s, _ := v.(string)
	return dateTimeText(s)
}

// dateTimeText is validateDateTime on a string.
func dateTimeText(s string) error {
	if s == "" {
		return nil
	}
	if len(s) != 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return errDateTimeLayout
	}
	if err := checkDate(s[:10]); err != nil {
		if err == errDateLayout {
			return errDateTimeLayout
		}
		return err
	}
	h, ok1 := two(s[11:13])
	m, ok2 := two(s[14:16])
	sec, ok3 := two(s[17:19])
	if !ok1 || !ok2 || !ok3 {
		return errDateTimeLayout
	}
	if h > 23 || m > 59 || sec > 59 {
		return errNoSuchTime
	}
	return nil
}

// checkDate checks a 10-byte YYYY-MM-DD.
func checkDate(s string) error {
	if s[4] != '-' || s[7] != '-' {
		return errDateLayout
	}
	y1, ok1 := two(s[0:2])
	y2, ok2 := two(s[2:4])
	mo, ok3 := two(s[5:7])
	d, ok4 := two(s[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return errDateLayout
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y1*100+y2, mo) {
		return errNoSuchDay
	}
	return nil
}

func two(s string) (int, bool) {
	a, b := s[0]-'0', s[1]-'0'
	if a > 9 || b > 9 {
		return 0, false
	}
	return int(a)*10 + int(b), true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
