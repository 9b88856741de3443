package validate

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPIADateAndDateTime(t *testing.T) {
	tests := []struct {
		name     string
		validate func(any) error
		value    any
		want     error
	}{
		{"a date", validateDate, "2024-01-31", nil},
		{"29 February of a leap year", validateDate, "2024-02-29", nil},
		{"29 February of a century leap year", validateDate, "2000-02-29", nil},
		{"empty is no value", validateDate, "", nil},
		{"not a string is the type's business", validateDate, json.Number("20240131"), nil},
		{"29 February of a common year", validateDate, "2023-02-29", errNoSuchDay},
		{"29 February of a common century", validateDate, "1900-02-29", errNoSuchDay},
		{"31 April", validateDate, "2024-04-31", errNoSuchDay},
		{"month 13", validateDate, "2024-13-01", errNoSuchDay},
		{"day 0", validateDate, "2024-01-00", errNoSuchDay},
		{"day first", validateDate, "31-01-2024", errDateLayout},
		{"slashes", validateDate, "2024/01/31", errDateLayout},
		{"no zero padding", validateDate, "2024-1-31", errDateLayout},
		{"a datetime where a date is documented", validateDate, "2024-01-31 10:00:00", errDateLayout},
		{"the layout itself", validateDate, "YYYY-MM-DD", errDateLayout},
		{"a datetime", validateDateTime, "2024-01-31 23:59:59", nil},
		{"midnight", validateDateTime, "2024-01-31 00:00:00", nil},
		{"empty datetime is no value", validateDateTime, "", nil},
		{"RFC 3339 is not the PIA's layout", validateDateTime, "2024-01-31T10:00:00", errDateTimeLayout},
		{"a zone is not the PIA's layout", validateDateTime, "2024-01-31 10:00:00+07:00", errDateTimeLayout},
		{"a date where a datetime is documented", validateDateTime, "2024-01-31", errDateTimeLayout},
		{"hour 24", validateDateTime, "2024-01-31 24:00:00", errNoSuchTime},
		{"second 60", validateDateTime, "2024-01-31 10:00:60", errNoSuchTime},
		{"no such day in a datetime", validateDateTime, "2024-02-30 10:00:00", errNoSuchDay},
		{"letters in a datetime", validateDateTime, "2024-01-31 1a:00:00", errDateTimeLayout},
		{"letters in a datetime's date", validateDateTime, "2024-0x-31 10:00:00", errDateTimeLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.validate(tt.value))
		})
	}
}

func TestMeasureDigitsAndDecimals(t *testing.T) {
	tests := []struct {
		lit          string
		digits, decs int
	}{
		{"0", 0, 0}, {"-0", 0, 0}, {"0.000", 0, 0}, {"7", 1, 0}, {"100", 3, 0}, {"-100", 3, 0},
		{"12.50", 2, 1}, {"0.05", 0, 2}, {"1e3", 4, 0}, {"1.5e1", 2, 0}, {"1.25e1", 2, 1},
		{"15e-3", 0, 3}, {"100e-2", 1, 0}, {"1E+2", 3, 0}, {"0e999999999999999999999", 0, 0},
	}
	for _, tt := range tests {
		d, dec, ok := measure(tt.lit)
		require.True(t, ok, tt.lit)
		assert.Equal(t, tt.digits, d, "digits of %s", tt.lit)
		assert.Equal(t, tt.decs, dec, "decimals of %s", tt.lit)
	}
	d, _, _ := measure("1e99999999999999999999")
	assert.Greater(t, d, 1000, "an exponent beyond int64 saturates")
}

// FuzzMeasure checks the digit count against the arithmetic the standard
// keywords mean: |x| < 10^N and x multipleOf 10^-D, in big.Rat.
func FuzzMeasure(f *testing.F) {
	for _, s := range []string{"0", "12.50", "1e3", "-0.001", "15e-3", "123456789012345678901234.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		if !isJSONNumber(lit) || len(lit) > 60 {
			return
		}
		if i := strings.IndexAny(lit, "eE"); i >= 0 {
			if e, err := strconv.Atoi(lit[i+1:]); err != nil || e > 10000 || e < -10000 {
				return // big.Rat takes long on huge exponents, then gives up; measure saturates them
			}
		}
		r, ok := new(big.Rat).SetString(lit)
		require.True(t, ok)
		digits, decs, ok := measure(lit)
		require.True(t, ok)
		abs := new(big.Rat).Abs(r)
		for n := 0; n < 30; n++ {
			limit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
			assert.Equal(t, abs.Cmp(limit) < 0, digits <= n, "%s < 10^%d", lit, n)
			step := new(big.Rat).Inv(limit)
			assert.Equal(t, new(big.Rat).Quo(r, step).IsInt(), decs <= n, "%s multipleOf 10^-%d", lit, n)
		}
	})
}
