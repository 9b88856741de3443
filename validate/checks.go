package validate

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The schemas state codes and number sizes with standard keywords: enum for
// a Lampiran table, and for the PIA's number(N.D) (policy number-digits)
// exclusiveMaximum 10^N, exclusiveMinimum -10^N, multipleOf 10^-D, and type
// integer for number(N.0). The library checks numbers against those with
// big.Rat arithmetic on a formatted copy of the value, and compares a
// number to every code of its table the same way. That was a third of the
// validation time of a receiveNIB, and it lets a request spend the
// gateway's CPU: a code sent as 1e999999 costs the library about 0.1 s per
// code compared, and an exponent past a million panics it.
//
// The compiled copy of a schema therefore states the same rules as one
// format per schema node, checked on the digits of the literal and by map
// lookup: same verdicts (TestChecksAgreeWithTheLibrary), no arithmetic.
// The files keep the standard keywords, which any JSON Schema tool reads.
//
// A generated schema also states a number's size as the two numbers it is,
// in the pia.NumberAnnotation keyword ({"digits": 20, "decimals": 2}): the
// check takes its limits from there, and the violation message from the
// check, so the limits are read once, at compile time. Only a schema
// written without the annotation has them worked out of the keywords
// (keywordLimits); one that has both must say the same in both.

// check is the rules of one schema node that a format takes over.
type check struct {
	// codes holds the canonical form of every enum value; nil when the
	// node has no enum.
	codes map[string]bool
	enum  []any
	// limits are the number's size; Digits or Decimals -1 is no limit.
	limits    numberLimits
	hasLimits bool
}

// numberLimits is what one number(N.D) allows; -1 is no limit.
type numberLimits = pia.NumberLimits

// enumFault says a value is not one of its node's codes.
type enumFault struct {
	got  any
	want []any
}

func (f *enumFault) Error() string {
	return fmt.Sprintf("%v is not one of %d codes", f.got, len(f.want))
}

// numberFault says which limits a number breaks and by how much.
type numberFault struct {
	limits       numberLimits
	digits, decs int
	bigDigits    bool
	bigDecimals  bool
}

func (f *numberFault) Error() string {
	return fmt.Sprintf("%d digits and %d decimals, want at most %d and %d", f.digits, f.decs, f.limits.Digits, f.limits.Decimals)
}

func (c *check) format(name string) *jsonschema.Format {
	return &jsonschema.Format{Name: name, Validate: c.validate}
}

func (c *check) validate(v any) error {
	if c.codes != nil {
		key, ok := canonical(v)
		if !ok || !c.codes[key] {
			return &enumFault{got: v, want: c.enum}
		}
	}
	if !c.hasLimits {
		return nil
	}
	lit, ok := numberLiteral(v)
	if !ok {
		return nil // not a number: the type keyword's business
	}
	digits, decs, ok := measure(lit)
	if !ok {
		return nil
	}
	bigDigits := c.limits.Digits >= 0 && digits > c.limits.Digits
	bigDecimals := c.limits.Decimals >= 0 && decs > c.limits.Decimals
	if bigDigits || bigDecimals {
		return &numberFault{limits: c.limits, digits: digits, decs: decs, bigDigits: bigDigits, bigDecimals: bigDecimals}
	}
	return nil
}

// canonical is a key equal for two scalars exactly when JSON Schema calls
// them equal: numbers by value (1, 1.0 and 1e0 alike), everything else by
// type and content.
func canonical(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "null", true
	case bool:
		return "b:" + strconv.FormatBool(x), true
	case string:
		return "s:" + x, true
	}
	lit, ok := numberLiteral(v)
	if !ok {
		return "", false
	}
	neg := strings.HasPrefix(lit, "-")
	all, point, ok := decimal(lit)
	if !ok {
		return "", false
	}
	if all == "" {
		return "n:0", true
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return "n:" + sign + all + "e" + strconv.FormatInt(point, 10), true
}

// numberLiteral writes a number as the library would before parsing it.
func numberLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true
	}
	return "", false
}

// decimal reads a number literal (JSON's grammar, jsonbody.ParseNumber,
// with leading zeros, which the library also reads) as its significant
// digits (no leading or trailing zeros; "" for zero) and the position of
// the decimal point after the first of them.
func decimal(lit string) (all string, point int64, ok bool) {
	n, ok := jsonbody.ParseNumber(jsonbody.TrimLeadingZeros(lit))
	if !ok {
		return "", 0, false
	}
	// Beyond int64 the exponent saturates: such a number breaks any limit
	// in one direction or is zero.
	e, _ := n.Exponent()
	exp := max(min(e, 1<<40), -1<<40)
	all = n.Int + n.Frac
	point = int64(len(n.Int)) + exp
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	all = strings.TrimRight(all[lead:], "0")
	return all, point - int64(lead), true
}

// measure counts the digits a number has before its decimal point and the
// decimals it needs, from its literal. Leading and trailing zeros do not
// count (0012.500 has 2 digits and 1 decimal), which is what |x| < 10^N and
// x multipleOf 10^-D mean.
func measure(lit string) (digits, decs int, ok bool) {
	all, point, ok := decimal(lit)
	if !ok {
		return 0, 0, false
	}
	if all == "" {
		return 0, 0, true // zero
	}
	const huge = 1 << 30
	d := max(point, 0)
	dec := max(int64(len(all))-point, 0)
	return int(min(d, huge)), int(min(dec, huge)), true
}

// takeOver moves the enum and number(N.D) keywords of a schema node, in a
// compile copy, into a check. It leaves the node alone (false) when the
// node says something a check does not express exactly: a format of its
// own, an enum holding objects or arrays, bounds that are not ±10^N. It
// fails on a pia.NumberAnnotation that is malformed, that the keywords
// beside it contradict, or that it cannot take over: the gateway would
// otherwise enforce something else than the schema says.
func takeOver(s map[string]any) (*check, bool, error) {
	annotated, hasAnnotation, err := pia.AnnotatedLimits(s)
	if err != nil {
		return nil, false, err
	}
	decline := func(why string) (*check, bool, error) {
		if hasAnnotation {
			return nil, false, fmt.Errorf("%s cannot be checked on a node with %s", pia.NumberAnnotation, why)
		}
		return nil, false, nil
	}
	if _, ok := s["format"]; ok {
		return decline("a format of its own")
	}
	c := &check{}
	enum, hasEnum := s["enum"].([]any)
	if hasEnum {
		c.codes = make(map[string]bool, len(enum))
		for _, e := range enum {
			key, ok := canonical(e)
			if !ok {
				return decline("an enum holding objects or arrays")
			}
			c.codes[key] = true
		}
		c.enum = enum
	}
	integer := integerType(s)
	var l numberLimits
	var hasLimits bool
	if hasAnnotation {
		if err := agrees(s, annotated); err != nil {
			return nil, false, err
		}
		l, hasLimits = annotated, annotated.Digits >= 0 || annotated.Decimals >= 0
	} else {
		l, hasLimits = keywordLimits(s)
	}
	if hasLimits {
		c.limits, c.hasLimits = l, true
	}
	if !hasEnum && !hasLimits {
		return nil, false, nil
	}
	delete(s, "enum")
	if hasLimits {
		delete(s, "exclusiveMaximum")
		delete(s, "exclusiveMinimum")
		delete(s, "multipleOf")
		if integer {
			// decimals 0 admits 1.0 and 1e2 as type integer does.
			s["type"] = replaceType(s["type"], "integer", "number")
		}
	}
	return c, true, nil
}

// agrees fails when a node's standard number keywords, if it has any, say
// something else than its annotation.
func agrees(s map[string]any, annotated numberLimits) error {
	_, hasMax := s["exclusiveMaximum"]
	_, hasMin := s["exclusiveMinimum"]
	_, hasStep := s["multipleOf"]
	if !hasMax && !hasMin && !hasStep && !integerType(s) {
		return nil // the annotation alone: the gateway's rule only
	}
	l, ok := keywordLimits(s)
	if !ok || l != annotated {
		return fmt.Errorf("%s says %s, the node's exclusiveMaximum, exclusiveMinimum, multipleOf and type say otherwise; state the number's size once, or the same in both",
			pia.NumberAnnotation, describeLimits(annotated))
	}
	return nil
}

func describeLimits(l numberLimits) string {
	say := func(n int) string {
		if n < 0 {
			return "any"
		}
		return strconv.Itoa(n)
	}
	return say(l.Digits) + " digits and " + say(l.Decimals) + " decimals"
}

// keywordLimits works number(N.D) out of the standard keywords of a node
// without the annotation (a hand-written schema): ok is false when the
// node has no such limits or other ones.
func keywordLimits(s map[string]any) (l numberLimits, ok bool) {
	l = numberLimits{Digits: -1, Decimals: -1}
	maxN, hasMax := s["exclusiveMaximum"]
	minN, hasMin := s["exclusiveMinimum"]
	if hasMax || hasMin {
		n, ok1 := tenPower(maxN)
		m, ok2 := tenPower(negate(minN))
		if !ok1 || !ok2 || n != m || n < 0 {
			return l, false
		}
		l.Digits = n
	}
	if mo, ok := s["multipleOf"]; ok {
		n, ok := tenPower(mo)
		if !ok || n > 0 {
			return l, false
		}
		l.Decimals = -n
	}
	if integerType(s) {
		l.Decimals = 0
	}
	return l, l.Digits >= 0 || l.Decimals >= 0
}

// integerType reports whether a node's type admits integers but no other
// numbers.
func integerType(s map[string]any) bool {
	switch t := s["type"].(type) {
	case string:
		return t == "integer"
	case []any:
		integer, number := false, false
		for _, x := range t {
			integer = integer || x == "integer"
			number = number || x == "number"
		}
		return integer && !number
	}
	return false
}

func replaceType(t any, from, to string) any {
	switch x := t.(type) {
	case string:
		if x == from {
			return to
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if e == from {
				e = to
			}
			out[i] = e
		}
		return out
	}
	return t
}

func negate(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	if s, found := strings.CutPrefix(string(n), "-"); found {
		return json.Number(s)
	}
	return json.Number("-" + string(n))
}

// tenPower returns n when v is the number 10^n, however written.
func tenPower(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok || len(n) > 400 {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return 0, false
	}
	return powerOfTen(r)
}
