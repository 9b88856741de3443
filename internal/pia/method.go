package pia

import (
	"fmt"
	"sort"
	"strings"
)

// Side says who serves a method: OSS, or the K/L/D (ministry, agency or
// region) system that OSS calls.
type Side uint8

const (
	// SideOSS methods are served by OSS and called by K/L/D systems.
	SideOSS Side = iota + 1
	// SideKLD methods are served by K/L/D systems and called by OSS.
	SideKLD
)

func (s Side) String() string {
	switch s {
	case SideOSS:
		return "oss"
	case SideKLD:
		return "kld"
	}
	return ""
}

// ParseSide reads "oss" or "kld" (any case).
func ParseSide(s string) (Side, error) {
	switch strings.ToLower(s) {
	case "oss":
		return SideOSS, nil
	case "kld":
		return SideKLD, nil
	}
	return 0, fmt.Errorf("side %q: want oss or kld", s)
}

// Method is one PIA method as the gateway knows it.
type Method struct {
	// Name is the canonical spelling, as the method specifications write it.
	Name string
	// Side serves the method.
	Side Side
	// HTTPMethod is POST for every method but inqueryCertificate (GET).
	HTTPMethod string
	// PathParam names the path parameter after the method name
	// (inqueryCertificate/{id_permohonan_izin}); empty for most methods.
	PathParam string
	// RequestRoot is the key that wraps the request body in the newest
	// version documenting the method (IZINFINAL, dataNIB, ...). Empty for a
	// method without a body or whose body is not wrapped.
	RequestRoot string
	// Envelope is the shape of the method's answers: respon<method> with
	// kode and keterangan unless the documentation says otherwise.
	Envelope EnvelopeShape
	// OSSToken is set for the methods OSS calls with
	// Token: SHA1(USERNAME+PASSWORD+NIB+DATE(Ymd)) instead of a security key.
	OSSToken bool
	// Versions lists the PIA versions whose specification documents the
	// method, oldest first. Empty for methods known only from the overview.
	Versions []Version
	// WithdrawnIn is the first version that no longer has the method; zero
	// while the method is current.
	WithdrawnIn Version
	// Custom marks a method declared in configuration rather than by the PIA.
	Custom bool
	// Description is the overview's one-line account of the method.
	Description string
}

// WithdrawnAt reports whether the method no longer exists in version v.
func (m *Method) WithdrawnAt(v Version) bool {
	return !m.WithdrawnIn.IsZero() && !v.Less(m.WithdrawnIn)
}

// EnvelopeShape names the members of a method's answer envelope. An empty
// Root puts kode and keterangan at the top level (inqueryProyek).
type EnvelopeShape struct {
	Root, Kode, Keterangan string
}

// DefaultEnvelope is respon<method> with kode and keterangan.
func DefaultEnvelope(method string) EnvelopeShape {
	return EnvelopeShape{Root: "respon" + method, Kode: "kode", Keterangan: "keterangan"}
}

// Versions lists the PIA versions whose specifications are built in, oldest
// first.
func Versions() []Version { return append([]Version(nil), builtinVersions...) }

// Table resolves method names, aliases included. The builtin table comes
// from the PIA data; configuration adds custom methods and aliases.
type Table struct {
	methods map[string]*Method
	aliases map[string]string
}

// NewTable returns a table holding the PIA's own methods and aliases.
func NewTable() *Table {
	t := &Table{methods: make(map[string]*Method, len(builtinMethods)), aliases: make(map[string]string, len(builtinAliases))}
	for i := range builtinMethods {
		m := builtinMethods[i]
		t.methods[m.Name] = &m
	}
	for a, c := range builtinAliases {
		t.aliases[a] = c
	}
	return t
}

// Add declares a method. A custom method may not shadow a PIA method.
func (t *Table) Add(m Method) error {
	if m.Name == "" || strings.ContainsAny(m.Name, "/ ") {
		return fmt.Errorf("method name %q: want a single path segment", m.Name)
	}
	if _, ok := t.methods[m.Name]; ok {
		return fmt.Errorf("method %s is already defined", m.Name)
	}
	if _, ok := t.aliases[m.Name]; ok {
		return fmt.Errorf("method %s is already an alias of %s", m.Name, t.aliases[m.Name])
	}
	if m.Side != SideOSS && m.Side != SideKLD {
		return fmt.Errorf("method %s: side must be oss or kld", m.Name)
	}
	if m.HTTPMethod == "" {
		m.HTTPMethod = "POST"
	}
	if m.Envelope == (EnvelopeShape{}) {
		m.Envelope = DefaultEnvelope(m.Name)
	}
	t.methods[m.Name] = &m
	return nil
}

// AddAlias lets alias stand for the canonical method name.
func (t *Table) AddAlias(alias, canonical string) error {
	if _, ok := t.methods[canonical]; !ok {
		return fmt.Errorf("alias %s: unknown method %s", alias, canonical)
	}
	if _, ok := t.methods[alias]; ok {
		return fmt.Errorf("alias %s: a method of that name exists", alias)
	}
	t.aliases[alias] = canonical
	return nil
}

// Withdraw records that a method no longer exists from version v on (a
// version step's withdraw), unless it was withdrawn earlier already.
func (t *Table) Withdraw(name string, v Version) error {
	m, ok := t.methods[name]
	if !ok {
		return fmt.Errorf("withdraw %s: unknown method", name)
	}
	if m.WithdrawnIn.IsZero() || v.Less(m.WithdrawnIn) {
		m.WithdrawnIn = v
	}
	return nil
}

// Lookup finds a method by its canonical name or an alias.
func (t *Table) Lookup(name string) (*Method, bool) {
	if m, ok := t.methods[name]; ok {
		return m, true
	}
	if c, ok := t.aliases[name]; ok {
		return t.methods[c], true
	}
	return nil, false
}

// Suggest is the one method or alias whose name is name in another case,
// for an answer to name it; "" when none is, or several are.
func (t *Table) Suggest(name string) string {
	var found []string
	for n := range t.methods {
		if n != name && strings.EqualFold(n, name) {
			found = append(found, n)
		}
	}
	for n := range t.aliases {
		if n != name && strings.EqualFold(n, name) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// Methods lists every method, sorted by name.
func (t *Table) Methods() []*Method {
	out := make([]*Method, 0, len(t.methods))
	for _, m := range t.methods {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
