package validate

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The rules a FieldError names. They are JSON Schema's keywords, except
// digits and decimals, which say what the PIA's number(N.D) means rather
// than how the schema encodes it (exclusiveMaximum 10^N, multipleOf 10^-D).
const (
	RuleRequired   = "required"
	RuleType       = "type"
	RuleMaxLength  = "maxLength"
	RuleFormat     = "format"
	RuleEnum       = "enum"
	RuleDigits     = "digits"
	RuleDecimals   = "decimals"
	RuleAdditional = "additionalProperties"
	// RuleRange is a number of absurd magnitude (1e999999) met by a schema
	// that compares numbers arithmetically.
	RuleRange = "range"
)

// translator turns the library's error tree into flat FieldErrors with
// messages that speak of the PIA's fields, not of schema keywords.
type translator struct {
	root *node
	// doc is the payload: the library's errors carry the type of a wrong
	// value but not the value, which the message quotes.
	doc any
}

func (t translator) translate(e *jsonschema.ValidationError, out []pia.FieldError) []pia.FieldError {
	switch e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			out = t.translate(c, out)
		}
		return out
	}
	start := len(out)
	out = t.leaf(e, out)
	if secret(e.InstanceLocation) {
		for i := start; i < len(out); i++ {
			out[i].Got = ""
		}
	}
	return out
}

// leaf translates one violation of the library's tree.
func (t translator) leaf(e *jsonschema.ValidationError, out []pia.FieldError) []pia.FieldError {
	ptr := pointer(e.InstanceLocation)
	info, item := t.root.at(e.InstanceLocation)
	if item {
		// The violation is about an array member as a whole; the array's
		// facts (type array) would mislead.
		info = nil
	}
	hide := secret(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			out = append(out, pia.FieldError{Field: ptr + jsonbody.Pointer(name), Rule: RuleRequired, Msg: pia.MsgRequired})
		}
		return out
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			out = append(out, pia.FieldError{Field: ptr + jsonbody.Pointer(name), Rule: RuleAdditional, Msg: pia.MsgUnknownField})
		}
		return out
	case *kind.Type:
		want := expectedType(info, k.Want)
		return append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: want, Got: k.Got,
			Msg: pia.MsgType, Args: []any{typeName(want), describe(t.valueAt(e.InstanceLocation), hide)},
		})
	case *kind.MaxLength:
		if isNumber(info) && k.Want == 0 {
			// The string a number field takes is "" only (policy
			// empty-string-is-no-value): any other string is a wrong type.
			s, _ := t.valueAt(e.InstanceLocation).(string)
			return append(out, numberExpected(hide, ptr, info, s))
		}
		return append(out, pia.FieldError{Field: ptr, Rule: RuleMaxLength, Expected: strconv.Itoa(k.Want), Got: strconv.Itoa(k.Got),
			Msg: pia.MsgMaxLength, Args: []any{k.Want, k.Got}})
	case *kind.Format:
		switch f := k.Err.(type) {
		case *numberFault:
			return append(out, numberFaults(hide, ptr, f, t.valueAt(e.InstanceLocation))...)
		case *enumFault:
			if s, ok := f.got.(string); ok && isNumber(info) && s != "" {
				return append(out, numberExpected(hide, ptr, info, s))
			}
			return append(out, enumError(hide, ptr, info, f.got, f.want))
		}
		return append(out, formatError(hide, ptr, k))
	case *kind.Enum:
		if s, ok := k.Got.(string); ok && isNumber(info) && s != "" {
			return append(out, numberExpected(hide, ptr, info, s))
		}
		return append(out, enumError(hide, ptr, info, k.Got, k.Want))
	case *kind.ExclusiveMaximum:
		// The library's own verdict on a node no check took over (a
		// hand-written one with a format of its own, say): checked nodes
		// report numberFault, with the limits their check was built with.
		if n, ok := powerOfTen(k.Want); ok && n >= 0 {
			return append(out, digitsError(ptr, n, k.Got))
		}
	case *kind.ExclusiveMinimum:
		if n, ok := powerOfTen(new(big.Rat).Neg(k.Want)); ok && n >= 0 {
			return append(out, digitsError(ptr, n, k.Got))
		}
	case *kind.MultipleOf:
		if n, ok := powerOfTen(k.Want); ok && n <= 0 {
			got := decimalsOf(k.Got)
			return append(out, pia.FieldError{Field: ptr, Rule: RuleDecimals, Expected: strconv.Itoa(-n), Got: strconv.Itoa(got),
				Msg: pia.MsgDecimals, Args: []any{-n, got}})
		}
	case *kind.AnyOf:
		if alts, ok := requiredAlternatives(e); ok {
			return append(out, pia.FieldError{Field: ptr, Rule: RuleRequired, Expected: strings.Join(alts, " | "),
				Msg: pia.MsgRequireAny, Args: []any{strings.Join(alts, ", ")}})
		}
	case *kind.MinLength:
		return append(out, pia.FieldError{Field: ptr, Rule: "minLength", Expected: strconv.Itoa(k.Want), Got: strconv.Itoa(k.Got),
			Msg: pia.MsgMinLength, Args: []any{k.Want, k.Got}})
	case *kind.Pattern:
		if info != nil && info.DigitString {
			// policy codes-as-digit-strings: the string form of a code is
			// its digits.
			return append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: "number|digits", Got: clip(k.Got),
				Msg: pia.MsgType, Args: []any{typeName("number|digits"), describe(k.Got, hide)}})
		}
		return append(out, pia.FieldError{Field: ptr, Rule: "pattern", Expected: k.Want, Got: clip(k.Got),
			Msg: pia.MsgPattern, Args: []any{k.Want, describe(k.Got, hide)}})
	case *kind.Const:
		want := pia.Display(k.Want)
		if hide {
			want = "***"
		}
		return append(out, pia.FieldError{Field: ptr, Rule: "const", Expected: want, Got: pia.Display(k.Got),
			Msg: pia.MsgConst, Args: []any{want, describe(k.Got, hide)}})
	}
	return append(out, genericError(ptr, e))
}

// requiredAlternatives reads an anyOf whose every branch failed only for
// missing members (inqueryNIB's nib or npwp) as the sets of members one of
// which must be present.
func requiredAlternatives(e *jsonschema.ValidationError) ([]string, bool) {
	var alts []string
	for _, c := range e.Causes {
		for c != nil && len(c.Causes) == 1 {
			if _, ok := c.ErrorKind.(*kind.Required); ok {
				break
			}
			c = c.Causes[0] // a $ref or a one-member group around the branch
		}
		if c == nil {
			return nil, false
		}
		r, ok := c.ErrorKind.(*kind.Required)
		if !ok || len(c.Causes) > 0 {
			return nil, false
		}
		alts = append(alts, strings.Join(r.Missing, " + "))
	}
	return alts, len(alts) > 0
}

// genericError covers keywords the generated schemas do not use but an
// override schema may: the rule is the keyword, the detail the library's
// own (English) sentence.
func genericError(ptr string, e *jsonschema.ValidationError) pia.FieldError {
	rule := "schema"
	if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
		rule = kp[0]
	}
	leaf := &jsonschema.ValidationError{ErrorKind: e.ErrorKind}
	detail := ""
	if out := leaf.BasicOutput(); out.Error != nil {
		detail = out.Error.String()
	}
	return pia.FieldError{Field: ptr, Rule: rule, Msg: pia.MsgRule, Args: []any{rule, detail}}
}

func numberExpected(hide bool, ptr string, info *pia.FieldInfo, got string) pia.FieldError {
	want := string(info.Type)
	return pia.FieldError{Field: ptr, Rule: RuleType, Expected: want, Got: "string",
		Msg: pia.MsgType, Args: []any{typeName(want), describe(got, hide)}}
}

func formatError(hide bool, ptr string, k *kind.Format) pia.FieldError {
	s, _ := k.Got.(string)
	fe := pia.FieldError{Field: ptr, Rule: RuleFormat, Expected: k.Want, Got: clip(s)}
	switch k.Want {
	case formatDate, formatDateTime:
		layout := "YYYY-MM-DD"
		if k.Want == formatDateTime {
			layout = "YYYY-MM-DD HH:MM:SS"
		}
		fe.Expected = layout
		switch k.Err {
		case errNoSuchDay:
			fe.Msg, fe.Args = pia.MsgNoSuchDay, []any{describe(s, hide)}
		case errNoSuchTime:
			fe.Msg, fe.Args = pia.MsgNoSuchTime, []any{describe(s, hide)}
		default:
			fe.Msg, fe.Args = pia.MsgLayout, []any{layout, describe(s, hide)}
		}
	default:
		fe.Msg, fe.Args = pia.MsgFormat, []any{k.Want, describe(k.Got, hide)}
	}
	return fe
}

var lampiranRe = regexp.MustCompile(`Lampiran\s*(\d+)`)

// maxListed bounds the codes a message lists; the errors array has them all.
const maxListed = 12

func enumError(hide bool, ptr string, info *pia.FieldInfo, got any, want []any) pia.FieldError {
	var codes []string
	for _, w := range want {
		if w == nil || w == "" {
			continue // accepted as 'no value', not a code to offer
		}
		codes = append(codes, pia.Display(w))
	}
	listed := codes
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], "…")
	}
	fe := pia.FieldError{Field: ptr, Rule: RuleEnum, Expected: strings.Join(codes, ", "), Got: clip(pia.Display(got))}
	table := ""
	if info != nil {
		if m := lampiranRe.FindAllStringSubmatch(info.Description, -1); m != nil {
			var nums []string
			for _, x := range m {
				nums = append(nums, x[1])
			}
			table = strings.Join(nums, ", ")
		}
	}
	if hide {
		// The codes of a secret field may be secrets themselves.
		fe.Expected = ""
		fe.Msg, fe.Args = pia.MsgEnumHidden, []any{describe(got, hide)}
	} else if table != "" {
		fe.Msg, fe.Args = pia.MsgEnumTable, []any{describe(got, hide), table, strings.Join(listed, ", ")}
	} else {
		fe.Msg, fe.Args = pia.MsgEnum, []any{describe(got, hide), strings.Join(listed, ", ")}
	}
	return fe
}

// numberFaults reports a number(N.D) the value does not fit: number(N.0)
// means a whole number, which reads better as a type.
func numberFaults(hide bool, ptr string, f *numberFault, got any) []pia.FieldError {
	var out []pia.FieldError
	if f.bigDigits {
		out = append(out, pia.FieldError{Field: ptr, Rule: RuleDigits, Expected: strconv.Itoa(f.limits.Digits), Got: strconv.Itoa(f.digits),
			Msg: pia.MsgDigits, Args: []any{f.limits.Digits, f.digits}})
	}
	if f.bigDecimals {
		if f.limits.Decimals == 0 {
			out = append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: "integer", Got: "number",
				Msg: pia.MsgType, Args: []any{typeName("integer"), describe(got, hide)}})
		} else {
			out = append(out, pia.FieldError{Field: ptr, Rule: RuleDecimals, Expected: strconv.Itoa(f.limits.Decimals), Got: strconv.Itoa(f.decs),
				Msg: pia.MsgDecimals, Args: []any{f.limits.Decimals, f.decs}})
		}
	}
	return out
}

func digitsError(ptr string, n int, got *big.Rat) pia.FieldError {
	d := intDigits(got)
	return pia.FieldError{Field: ptr, Rule: RuleDigits, Expected: strconv.Itoa(n), Got: strconv.Itoa(d),
		Msg: pia.MsgDigits, Args: []any{n, d}}
}

// powerOfTen returns n when r is 10^n (n may be negative).
func powerOfTen(r *big.Rat) (int, bool) {
	if r == nil || r.Sign() <= 0 {
		return 0, false
	}
	num, den := r.Num().String(), r.Denom().String()
	switch {
	case den == "1" && isOneZeros(num):
		return len(num) - 1, true
	case num == "1" && isOneZeros(den):
		return -(len(den) - 1), true
	}
	return 0, false
}

func isOneZeros(s string) bool {
	return len(s) > 0 && s[0] == '1' && strings.Trim(s[1:], "0") == ""
}

// intDigits counts the digits before the decimal point of |r|.
func intDigits(r *big.Rat) int {
	if r == nil {
		return 0
	}
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return len(q.Abs(q).String())
}

// decimalsOf counts the decimals r needs.
func decimalsOf(r *big.Rat) int {
	if r == nil {
		return 0
	}
	x := new(big.Rat).Set(r)
	ten := big.NewRat(10, 1)
	d := 0
	for !x.IsInt() && d < 400 {
		x.Mul(x, ten)
		d++
	}
	return d
}

func isNumber(info *pia.FieldInfo) bool {
	return info != nil && info.Type.IsNumber()
}

// expectedType is the type the field's documentation gives, which the
// schema may widen (a number field also takes "" and null).
func expectedType(info *pia.FieldInfo, want []string) string {
	if info != nil && info.Type != pia.TypeAny {
		return string(info.Type)
	}
	var ts []string
	for _, w := range want {
		if w != "null" {
			ts = append(ts, w)
		}
	}
	if len(ts) == 0 {
		return strings.Join(want, "|")
	}
	return strings.Join(ts, "|")
}

// valueAt finds the value at an instance location of the payload (nil
// where there is none).
func (t translator) valueAt(loc []string) any {
	v, _ := jsonbody.Lookup(t.doc, loc)
	return v
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	return jsonbody.Pointer(loc...)
}
