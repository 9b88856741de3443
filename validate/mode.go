package validate

import (
	"fmt"
	"strings"
)

// Mode says what happens to a payload that breaks its schema.
type Mode uint8

// Validation modes.
const (
	ModeEnforce Mode = iota // answer 400
	ModeReport              // forward, but log, count and name the violations in a header
	ModeOff                 // do not validate
)

// ParseMode reads enforce, report or off ("" is enforce).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "", "enforce":
		return ModeEnforce, nil
	case "report":
		return ModeReport, nil
	case "off":
		return ModeOff, nil
	}
	return 0, fmt.Errorf("validation mode %q: want enforce, report or off", s)
}

func (m Mode) String() string {
	return [...]string{"enforce", "report", "off"}[m]
}
