package pia

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// NumberAnnotation is the keyword with which a generated schema states a
// number(N.D) (policy number-digits) as the two numbers it is:
// {"digits": N, "decimals": D}, either left out when the PIA sets no
// limit. JSON Schema tools ignore it and read the standard keywords the
// schema keeps beside it (exclusiveMaximum/exclusiveMinimum 10^N,
// multipleOf 10^-D, type integer); the gateway reads the annotation and
// works the limits out of those keywords only for a schema without it.
const NumberAnnotation = "x-pia-number"

// NumberLimits is what one number(N.D) allows: at most Digits digits
// before the decimal point and Decimals after it; -1 is no limit.
type NumberLimits struct {
	Digits, Decimals int
}

// AnnotatedLimits reads the NumberAnnotation of a schema node. ok is false
// when the node has none; err says what is wrong with one that is not two
// whole numbers under the names digits and decimals.
func AnnotatedLimits(s map[string]any) (l NumberLimits, ok bool, err error) {
	raw, ok := s[NumberAnnotation]
	if !ok {
		return NumberLimits{}, false, nil
	}
	l = NumberLimits{Digits: -1, Decimals: -1}
	m, isObject := raw.(map[string]any)
	if !isObject {
		return l, true, fmt.Errorf("%s must be an object such as {\"digits\": 20, \"decimals\": 2}", NumberAnnotation)
	}
	for k, v := range m {
		var dst *int
		switch k {
		case "digits":
			dst = &l.Digits
		case "decimals":
			dst = &l.Decimals
		default:
			return l, true, fmt.Errorf("%s: unknown member %q (digits, decimals)", NumberAnnotation, k)
		}
		n, isNumber := v.(json.Number)
		i, convErr := strconv.Atoi(string(n))
		if !isNumber || convErr != nil || i < 0 || i > 1000 {
			return l, true, fmt.Errorf("%s: %s must be a whole number from 0 to 1000, not %s", NumberAnnotation, k, Display(v))
		}
		*dst = i
	}
	return l, true, nil
}
