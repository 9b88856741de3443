package importer

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Field is one entry of a method's flattened field list: a dotted path into
// the JSON body, parents before their children.
type Field struct {
	Path        string `json:"path"`
	Optional    bool   `json:"optional"`
	Raw         string `json:"raw"`
	Type        string `json:"type"`
	Items       string `json:"items,omitempty"`
	MaxLength   *int   `json:"max_length,omitempty"`
	MaxDigits   *int   `json:"max_digits,omitempty"`
	Decimals    *int   `json:"decimals,omitempty"`
	Format      string `json:"format,omitempty"`
	Lampiran    []int  `json:"lampiran,omitempty"`
	Description string `json:"description,omitempty"`
	// RequireAny, on an object, demands at least one of several sets of
	// members: a deviation for requests the documentation shows in
	// alternative forms (inqueryNIB by nib or by npwp).
	RequireAny [][]string `json:"require_any,omitempty"`
}

// Method is one apidoc block of endpoint.js.
type Method struct {
	Method      string
	HTTP        string
	Path        string
	Description string
	Headers     []string
	Request     []Field
	Success     []Field
	Errors      map[string][]Field
}

// Spec is every method one version of endpoint.js documents.
type Spec struct {
	Version string
	Methods []Method
}

// Method returns the method of that name, or nil.
func (s *Spec) Method(name string) *Method {
	for i := range s.Methods {
		if s.Methods[i].Method == name {
			return &s.Methods[i]
		}
	}
	return nil
}

var (
	apiLine   = regexp.MustCompile(`^@api\s+\{(\w+)\}\s+(\S+)`)
	fieldLine = regexp.MustCompile(`^@api(?i:body|param|success|error)\s+(?:\((\w+)\)\s+)?\{((?:[^{}]|\{[^{}]*\})*)\}+\s+(\[[^\]]*\]|\S+)\s*(.*)$`)
	spaces    = regexp.MustCompile(`[\s\p{Z}]+`)
	tagName   = regexp.MustCompile(`^@(api\w*)`)
	rawType   = regexp.MustCompile(`^(?i)(string|number|date|object|boolean|json|text)(\[\])?(?:(\d*)\((\d*)(?:\.(\d+))?\))?(?:\{\d+\})?$`)
	lampRe    = regexp.MustCompile(`Lampiran\s*(\d+)`)
	dateRe    = regexp.MustCompile(`(?i:format date)|YYYY-MM-DD`)
	hourRe    = regexp.MustCompile(`HH`)
)

// ParseEndpoints reads the apidoc blocks of src/endpoint.js.
func ParseEndpoints(version, src string) (*Spec, error) {
	s := &Spec{Version: version}
	var cur *Method
	var tag string
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "/**"):
			s.Methods = append(s.Methods, Method{Errors: map[string][]Field{}})
			cur = &s.Methods[len(s.Methods)-1]
			tag = ""
			continue
		case strings.HasPrefix(line, "*/"):
			cur = nil
			continue
		case cur == nil:
			continue
		}
		line = strings.TrimSpace(spaces.ReplaceAllString(strings.TrimPrefix(line, "*"), " "))
		if m := tagName.FindStringSubmatch(line); m != nil {
			tag = strings.ToLower(m[1])
		} else {
			if tag == "apidescription" && line != "" {
				cur.Description += " " + line
			}
			continue
		}
		rest := strings.TrimSpace(line[len(tag)+1:])
		switch tag {
		case "api":
			m := apiLine.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("endpoint.js:%d: unreadable @api line", n)
			}
			cur.HTTP = strings.ToUpper(m[1])
			cur.Path = m[2]
			if cur.Method == "" {
				cur.Method = strings.SplitN(strings.TrimPrefix(m[2], "/"), "/", 2)[0]
			}
		case "apiname":
			cur.Method = rest
		case "apidescription":
			cur.Description = rest
		case "apiheader":
			if f := strings.Fields(rest); len(f) >= 2 {
				cur.Headers = append(cur.Headers, f[1])
			}
		case "apibody", "apiparam", "apisuccess", "apierror":
			m := fieldLine.FindStringSubmatch(line)
			if m == nil {
				continue // "@apiError (400) 400 Data Parameter Salah.": a status, no field
			}
			f, err := parseField(m[2], m[3], m[4])
			if err != nil {
				return nil, fmt.Errorf("endpoint.js:%d: %v", n, err)
			}
			switch tag {
			case "apibody", "apiparam":
				cur.Request = append(cur.Request, f)
			case "apisuccess":
				cur.Success = append(cur.Success, f)
			default:
				cur.Errors[m[1]] = append(cur.Errors[m[1]], f)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := s.Methods[:0]
	for _, m := range s.Methods {
		if m.Method == "" {
			continue // a comment block that documents no method
		}
		m.Description = strings.TrimSpace(m.Description)
		out = append(out, m)
	}
	s.Methods = out
	if len(s.Methods) == 0 {
		return nil, fmt.Errorf("endpoint.js: no @api block")
	}
	return s, nil
}

func parseField(raw, name, desc string) (Field, error) {
	f := Field{Raw: raw, Description: strings.TrimSpace(desc)}
	if strings.HasPrefix(name, "[") {
		f.Optional = true
		name = strings.Trim(name, "[]")
		if i := strings.IndexByte(name, '='); i >= 0 {
			name = name[:i]
		}
	}
	f.Path = strings.TrimSpace(name)
	m := rawType.FindStringSubmatch(strings.TrimSpace(raw))
	if m == nil {
		return f, fmt.Errorf("%s: unknown type %q", f.Path, raw)
	}
	base := strings.ToLower(m[1])
	size := m[4]
	if size == "" {
		size = m[3] // string100(): the size before the parentheses
	}
	num := func(s string) *int {
		if s == "" {
			return nil
		}
		v, _ := strconv.Atoi(s)
		return &v
	}
	switch {
	case m[2] != "":
		f.Type, f.Items = "array", base
	case base == "number" || (base == "string" && m[5] != ""):
		f.Type = base
		f.MaxDigits = num(size)
		f.Decimals = num(m[5])
	default:
		f.Type = base
		if base == "string" || base == "date" {
			f.MaxLength = num(size)
		}
	}
	if dateRe.MatchString(f.Description) {
		f.Format = "date"
		if hourRe.MatchString(f.Description) {
			f.Format = "datetime"
		}
	}
	for _, l := range lampRe.FindAllStringSubmatch(f.Description, -1) {
		n, _ := strconv.Atoi(l[1])
		f.Lampiran = append(f.Lampiran, n)
	}
	return f, nil
}

// Lampiran is one code table of src/footer.md.
type Lampiran struct {
	Number int        `json:"lampiran"`
	Title  string     `json:"title"`
	Rows   [][]string `json:"rows"`
}

var lampiranHeading = regexp.MustCompile(`Lampiran\s+(\d+)\s*-\s*([^<]*)`)

// ParseLampiran reads the code tables of src/footer.md. A table the
// documentation answers elsewhere (getDataReferensi) has no rows.
func ParseLampiran(src string) ([]Lampiran, error) {
	var out []Lampiran
	var cur *Lampiran
	var header string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			cur = nil
			if m := lampiranHeading.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				out = append(out, Lampiran{Number: n, Title: strings.TrimSpace(m[2])})
				cur = &out[len(out)-1]
				header = ""
			}
			continue
		}
		if cur == nil || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case strings.Trim(cells[0], "-: ") == "":
			continue // the separator row
		case header == "":
			header = cells[0]
			continue
		case cells[0] == header:
			continue // a header repeated inside the table (Lampiran 2)
		}
		cur.Rows = append(cur.Rows, cells)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("footer.md: no Lampiran table")
	}
	return out, nil
}

// OverviewRow is one line of header.md's method table.
type OverviewRow struct {
	Name, Side, Description string
}

var overviewRe = regexp.MustCompile(`^\|\s*\d+\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*Server \((OSS|K/L/D|K/L)\)`)

// ParseOverview reads the method table of src/header.md.
func ParseOverview(src string) ([]OverviewRow, error) {
	var rows []OverviewRow
	for _, line := range strings.Split(src, "\n") {
		m := overviewRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		side := "oss"
		if m[3] != "OSS" {
			side = "kld"
		}
		rows = append(rows, OverviewRow{Name: m[2], Side: side, Description: m[1]})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("header.md: no method table found")
	}
	return rows, nil
}
