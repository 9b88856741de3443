package validate

import (
	"encoding/json"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

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
	sp   speaker
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
	l := t.sp
	if secret(e.InstanceLocation) {
		l.hide = true
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			out = append(out, pia.FieldError{Field: ptr + pia.Pointer(name), Rule: RuleRequired, Message: l.say(msgRequired)})
		}
		return out
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			out = append(out, pia.FieldError{Field: ptr + pia.Pointer(name), Rule: RuleAdditional, Message: l.say(msgUnknownField)})
		}
		return out
	case *kind.Type:
		want := expectedType(info, k.Want)
		return append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: want, Got: k.Got,
			Message: l.say(msgType, l.typeName(want), l.describe(t.valueAt(e.InstanceLocation))),
		})
	case *kind.MaxLength:
		if isNumber(info) && k.Want == 0 {
			// The string a number field takes is "" only (policy
			// empty-string-is-no-value): any other string is a wrong type.
			s, _ := t.valueAt(e.InstanceLocation).(string)
			return append(out, numberExpected(l, ptr, info, s))
		}
		return append(out, pia.FieldError{Field: ptr, Rule: RuleMaxLength, Expected: strconv.Itoa(k.Want), Got: strconv.Itoa(k.Got),
			Message: l.say(msgMaxLength, k.Want, k.Got)})
	case *kind.Format:
		switch f := k.Err.(type) {
		case *numberFault:
			return append(out, numberFaults(l, ptr, f, t.valueAt(e.InstanceLocation))...)
		case *enumFault:
			if s, ok := f.got.(string); ok && isNumber(info) && s != "" {
				return append(out, numberExpected(l, ptr, info, s))
			}
			return append(out, enumError(l, ptr, info, f.got, f.want))
		}
		return append(out, formatError(l, ptr, k))
	case *kind.Enum:
		if s, ok := k.Got.(string); ok && isNumber(info) && s != "" {
			return append(out, numberExpected(l, ptr, info, s))
		}
		return append(out, enumError(l, ptr, info, k.Got, k.Want))
	case *kind.ExclusiveMaximum:
		if n, ok := powerOfTen(k.Want); ok && n >= 0 {
			return append(out, digitsError(l, ptr, n, k.Got))
		}
	case *kind.ExclusiveMinimum:
		if n, ok := powerOfTen(new(big.Rat).Neg(k.Want)); ok && n >= 0 {
			return append(out, digitsError(l, ptr, n, k.Got))
		}
	case *kind.MultipleOf:
		if n, ok := powerOfTen(k.Want); ok && n <= 0 {
			got := decimalsOf(k.Got)
			return append(out, pia.FieldError{Field: ptr, Rule: RuleDecimals, Expected: strconv.Itoa(-n), Got: strconv.Itoa(got),
				Message: l.say(msgDecimals, -n, got)})
		}
	case *kind.AnyOf:
		if alts, ok := requiredAlternatives(e); ok {
			return append(out, pia.FieldError{Field: ptr, Rule: RuleRequired, Expected: strings.Join(alts, " | "),
				Message: l.say(msgRequireAny, strings.Join(alts, ", "))})
		}
	case *kind.MinLength:
		return append(out, pia.FieldError{Field: ptr, Rule: "minLength", Expected: strconv.Itoa(k.Want), Got: strconv.Itoa(k.Got),
			Message: l.say(msgMinLength, k.Want, k.Got)})
	case *kind.Pattern:
		if info != nil && info.DigitString {
			// policy codes-as-digit-strings: the string form of a code is
			// its digits.
			return append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: "number|digits", Got: clip(k.Got),
				Message: l.say(msgType, l.typeName("number|digits"), l.describe(k.Got))})
		}
		return append(out, pia.FieldError{Field: ptr, Rule: "pattern", Expected: k.Want, Got: clip(k.Got),
			Message: l.say(msgPattern, k.Want, l.describe(k.Got))})
	case *kind.Const:
		want := display(k.Want)
		if l.hide {
			want = "***"
		}
		return append(out, pia.FieldError{Field: ptr, Rule: "const", Expected: want, Got: display(k.Got),
			Message: l.say(msgConst, want, l.describe(k.Got))})
	}
	return append(out, genericError(l, ptr, e))
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
func genericError(l speaker, ptr string, e *jsonschema.ValidationError) pia.FieldError {
	rule := "schema"
	if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
		rule = kp[0]
	}
	leaf := &jsonschema.ValidationError{ErrorKind: e.ErrorKind}
	detail := ""
	if out := leaf.BasicOutput(); out.Error != nil {
		detail = out.Error.String()
	}
	return pia.FieldError{Field: ptr, Rule: rule, Message: l.say(msgRule, rule, detail)}
}

func numberExpected(l speaker, ptr string, info *pia.FieldInfo, got string) pia.FieldError {
	want := string(info.Type)
	return pia.FieldError{Field: ptr, Rule: RuleType, Expected: want, Got: "string",
		Message: l.say(msgType, l.typeName(want), l.describe(got))}
}

func formatError(l speaker, ptr string, k *kind.Format) pia.FieldError {
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
			fe.Message = l.say(msgNoSuchDay, l.describe(s))
		case errNoSuchTime:
			fe.Message = l.say(msgNoSuchTime, l.describe(s))
		default:
			fe.Message = l.say(msgLayout, layout, l.describe(s))
		}
	default:
		fe.Message = l.say(msgFormat, k.Want, l.describe(k.Got))
	}
	return fe
}

var lampiranRe = regexp.MustCompile(`Lampiran\s*(\d+)`)

// maxListed bounds the codes a message lists; the errors array has them all.
const maxListed = 12

func enumError(l speaker, ptr string, info *pia.FieldInfo, got any, want []any) pia.FieldError {
	var codes []string
	for _, w := range want {
		if w == nil || w == "" {
			continue // accepted as 'no value', not a code to offer
		}
		codes = append(codes, display(w))
	}
	listed := codes
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], "…")
	}
	fe := pia.FieldError{Field: ptr, Rule: RuleEnum, Expected: strings.Join(codes, ", "), Got: clip(display(got))}
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
	if l.hide {
		// The codes of a secret field may be secrets themselves.
		fe.Expected = ""
		fe.Message = l.say(msgEnumHidden, l.describe(got))
	} else if table != "" {
		fe.Message = l.say(msgEnumTable, l.describe(got), table, strings.Join(listed, ", "))
	} else {
		fe.Message = l.say(msgEnum, l.describe(got), strings.Join(listed, ", "))
	}
	return fe
}

// numberFaults reports a number(N.D) the value does not fit: number(N.0)
// means a whole number, which reads better as a type.
func numberFaults(l speaker, ptr string, f *numberFault, got any) []pia.FieldError {
	var out []pia.FieldError
	if f.bigDigits {
		out = append(out, pia.FieldError{Field: ptr, Rule: RuleDigits, Expected: strconv.Itoa(f.limits.Digits), Got: strconv.Itoa(f.digits),
			Message: l.say(msgDigits, f.limits.Digits, f.digits)})
	}
	if f.bigDecimals {
		if f.limits.Decimals == 0 {
			out = append(out, pia.FieldError{Field: ptr, Rule: RuleType, Expected: "integer", Got: "number",
				Message: l.say(msgType, l.typeName("integer"), l.describe(got))})
		} else {
			out = append(out, pia.FieldError{Field: ptr, Rule: RuleDecimals, Expected: strconv.Itoa(f.limits.Decimals), Got: strconv.Itoa(f.decs),
				Message: l.say(msgDecimals, f.limits.Decimals, f.decs)})
		}
	}
	return out
}

func digitsError(l speaker, ptr string, n int, got *big.Rat) pia.FieldError {
	d := intDigits(got)
	return pia.FieldError{Field: ptr, Rule: RuleDigits, Expected: strconv.Itoa(n), Got: strconv.Itoa(d),
		Message: l.say(msgDigits, n, d)}
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
	return info != nil && (info.Type == pia.TypeNumber || info.Type == pia.TypeInteger)
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
	v, _ := pia.Lookup(t.doc, loc)
	return v
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	return pia.Pointer(loc...)
}

// clip keeps a sent value short enough to quote back.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// display writes a JSON scalar as JSON would.
func display(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any:
		return "{…}"
	case []any:
		return "[…]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// sortErrors orders violations by field, array indices numerically, so
// the answer is the same for the same payload (the library walks maps in
// random order).
func sortErrors(errs []pia.FieldError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if c := comparePointers(errs[i].Field, errs[j].Field); c != 0 {
			return c < 0
		}
		return errs[i].Rule < errs[j].Rule
	})
}

func comparePointers(a, b string) int {
	for a != "" && b != "" {
		var sa, sb string
		sa, a = nextSeg(a)
		sb, b = nextSeg(b)
		if sa == sb {
			continue
		}
		na, ea := strconv.Atoi(sa)
		nb, eb := strconv.Atoi(sb)
		if ea == nil && eb == nil {
			if na < nb {
				return -1
			}
			return 1
		}
		if sa < sb {
			return -1
		}
		return 1
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func nextSeg(p string) (seg, rest string) {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}
