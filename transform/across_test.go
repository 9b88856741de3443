package transform

// Fixtures: bodies built by the shared sampler from every request schema
// (piatest.Sampler), their single-field mutations, and the load test's
// receiveNIB sample (internal/pia/testdata).

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
	"github.com/caddy-pia/caddy-pia/validate"
)

var gatewayDecode = jsonbody.Options{Strict: true, MaxElements: 250000}

// carriedAs is what CarryAcross promises when it passes a body: the full
// path for a client of version from whose upstream speaks to (strict
// decode, Normalize by from, Convert, Validate at to, the root check)
// accepts it and forwards what out holds, and the removals among the rules
// it applied are those named in applied. (The full path also names a
// retype that Normalize by from undid, which leaves the value as sent.)
func carriedAs(v *validate.Validator, e *Engine, method string, from, to pia.Version, body, out []byte, applied []string) bool {
	doc, err := jsonbody.DecodeWith(body, gatewayDecode)
	if err != nil {
		return false
	}
	sent, err := jsonbody.DecodeWith(out, gatewayDecode)
	if err != nil {
		return false
	}
	doc, _ = v.Normalize(from, method, pia.Request, doc)
	doc, rep := e.Convert(method, pia.Request, from, to, doc)
	if len(rep.Errors) > 0 || v.Validate(to, method, pia.Request, doc) != nil {
		return false
	}
	if root := v.Root(to, method, pia.Request); root != "" {
		if _, ok := doc.(map[string]any)[root]; !ok {
			return false
		}
	}
	removals := map[string]bool{}
	for _, w := range e.Watches(method, pia.Request, from, to) {
		if w.When == validate.WhenRemoved {
			removals[w.Rule] = true
		}
	}
	var removed []string
	for _, id := range rep.Applied {
		if removals[id] {
			removed = append(removed, id)
		}
	}
	return reflect.DeepEqual(doc, sent) && slices.Equal(removed, applied)
}

type across struct {
	v      *validate.Validator
	e      *Engine
	guards map[string]*validate.Guard
}

func (a *across) guard(method string, from, to pia.Version) *validate.Guard {
	k := method + " " + from.String() + ">" + to.String()
	g, ok := a.guards[k]
	if !ok {
		g = a.v.Guard(from, to, method, pia.Request, a.e.Watches(method, pia.Request, from, to))
		a.guards[k] = g
	}
	return g
}

// sound fails the test where CarryAcross passes a body the full path
// would refuse, or carry otherwise than CarryAcross does, and returns
// CarryAcross's verdict, whether it cut members, and whether it wrote
// values as the client's version normalises them.
func (a *across) sound(t *testing.T, method string, from, to pia.Version, body []byte, what string) (ok, cut, mended bool) {
	t.Helper()
	out, applied, ok := a.v.CarryAcross(a.guard(method, from, to), body, gatewayDecode)
	if ok && !carriedAs(a.v, a.e, method, from, to, body, out, applied) {
		t.Errorf("%s %s>%s %s: CarryAcross passes a body the full path refuses or carries otherwise: %.400s\ncarried: %.400s %v", method, from, to, what, body, out, applied)
	}
	if ok && applied != nil && bytes.Equal(out, body) {
		t.Errorf("%s %s>%s %s: CarryAcross names a rule without cutting: %v", method, from, to, what, applied)
	}
	return ok, applied != nil, ok && applied == nil && !bytes.Equal(out, body)
}

func newAcross(t *testing.T, strict bool) *across {
	cat, e := builtin(t)
	v, err := validate.New(cat, validate.Options{Strict: strict})
	require.NoError(t, err)
	return &across{v: v, e: e, guards: map[string]*validate.Guard{}}
}

// memberSites calls fn with every member of every object in doc (the first
// element of an array only), its object and its name.
func memberSites(doc any, fn func(obj map[string]any, name string)) {
	switch x := doc.(type) {
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fn(x, k)
			memberSites(x[k], fn)
		}
	case []any:
		if len(x) > 0 {
			memberSites(x[0], fn)
		}
	}
}

// acrossValues are the values put in every field: the types the rules and
// the normalisations between versions turn on.
var acrossValues = []any{
	nil, true, "", "12", "0123", "12a", json.Number("12"), json.Number("12.50"),
	"2024-02-29", "2024-02-29 10:00:00", map[string]any{}, []any{map[string]any{}},
}

func TestCarryAcrossNeverPassesWhatTheFullPathWouldNot(t *testing.T) {
	if testing.Short() {
		t.Skip("every mutation of every request schema, between every two versions")
	}
	cat, e := builtin(t)
	versions := e.Versions()
	// The codes the rules recode, by field name.
	codes := map[string][]any{}
	for _, s := range cat.All() {
		for _, from := range versions {
			for _, w := range e.Watches(s.Method, pia.Request, from, s.Version) {
				for c := range w.Codes {
					name := w.Path[len(w.Path)-1]
					codes[name] = append(codes[name], c)
					if _, ok := jsonbody.ParseNumber(c); ok {
						codes[name] = append(codes[name], json.Number(c))
					}
				}
			}
		}
	}
	for _, strict := range []bool{false, true} {
		a := newAcross(t, strict)
		total, passed, cut, mended := 0, 0, 0, 0
		try := func(method string, from, to pia.Version, body []byte, what string) {
			total++
			ok, c, m := a.sound(t, method, from, to, body, what)
			if ok {
				passed++
			}
			if c {
				cut++
			}
			if m {
				mended++
			}
		}
		seen, tried := map[string]bool{}, map[string]bool{}
		for _, s := range cat.All() {
			if s.Kind != pia.Request || seen[s.Method+string(s.Raw)] {
				continue
			}
			seen[s.Method+string(s.Raw)] = true
			to := s.Version
			sample := piatest.Sampler{Members: 2, MaxText: 12}.Build(s.Doc.(map[string]any))
			var bodies [][]byte
			var names []string
			add := func(what string) {
				b, err := json.Marshal(sample)
				require.NoError(t, err)
				bodies, names = append(bodies, b), append(names, what)
			}
			add("sample")
			if !strict {
				// Every field dropped and turned to the other scalar type;
				// the whole list of values once per field name.
				memberSites(sample, func(obj map[string]any, name string) {
					old := obj[name]
					values := []any{"12"}
					if _, ok := old.(string); ok {
						values = []any{json.Number("12")}
					}
					if !tried[name] {
						tried[name] = true
						values = append(append(values, acrossValues...), codes[name]...)
					}
					delete(obj, name)
					add(name + " dropped")
					for _, val := range values {
						obj[name] = val
						add(name + " mutated")
					}
					obj[name] = old
				})
			}
			for _, other := range versions {
				if other == to {
					continue
				}
				// A client of another version sending what to wants.
				if a.v.Has(other, s.Method, pia.Request) || e.Needed(s.Method, pia.Request, other, to) {
					for i, body := range bodies {
						try(s.Method, other, to, body, names[i])
					}
				}
				// A client of to, with its own version's bodies, carried
				// to an upstream of another.
				if a.v.Has(other, s.Method, pia.Request) {
					for i, body := range bodies {
						try(s.Method, to, other, body, names[i]+" carried to "+other.String())
					}
				}
			}
		}
		t.Logf("strict %v: %d bodies, %d passed by CarryAcross, %d of them cut, %d normalised", strict, total, passed, cut, mended)
		assert.Greater(t, passed, 100, "CarryAcross passes bodies on which no rule acts")
		assert.Greater(t, cut, 10, "CarryAcross cuts the members the rules remove")
		if !strict {
			assert.Greater(t, mended, 1000, "CarryAcross writes values as the client's version normalises them")
		}
	}
}

func TestCarryAcrossOnTheLoadTestsBodies(t *testing.T) {
	a := newAcross(t, false)
	v4312, v4320 := pia.MustVersion("4.3.12"), pia.MustVersion("4.3.20")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", name))
		require.NoError(t, err)
		return b
	}
	nib := read("receiveNIB-4.3.20.json")
	// A client stating 4.3.12 that sends what 4.3.20 wants: no rule acts.
	ok, cut, _ := a.sound(t, "receiveNIB", v4312, v4320, nib, "the 4.3.20 sample")
	assert.True(t, ok && !cut)
	// The same sample carried down to 4.3.12, as a 4.3.12 client sends it:
	// rules act on it (retypes, the fields 4.3.16 added), so the tree.
	doc, err := jsonbody.Decode(nib)
	require.NoError(t, err)
	down, rep := a.e.Convert("receiveNIB", pia.Request, v4320, v4312, doc)
	require.Empty(t, rep.Errors)
	old, err := json.Marshal(down)
	require.NoError(t, err)
	ok, _, _ = a.sound(t, "receiveNIB", v4312, v4320, old, "the sample carried down")
	assert.False(t, ok)
	// receiveLicense at 4.3.12 has three fields 4.3.16 removed: they are
	// cut from the bytes, the rest goes as sent.
	lic12 := read("receiveLicense-4.3.12.json")
	out, applied, ok := a.v.CarryAcross(a.guard("receiveLicense", v4312, v4320), lic12, gatewayDecode)
	require.True(t, ok)
	want := lic12
	for _, m := range []string{`"data_pnbp":[],`, `"id_produk":"",`, `"kewenangan":"",`} {
		require.Contains(t, string(want), m)
		want = bytes.Replace(want, []byte(m), nil, 1)
	}
	assert.Equal(t, string(want), string(out))
	assert.Equal(t, []string{
		"4.3.12>4.3.16:receiveLicense:request:remove:IZINFINAL.data_pnbp",
		"4.3.12>4.3.16:receiveLicense:request:remove:IZINFINAL.id_produk",
		"4.3.12>4.3.16:receiveLicense:request:remove:IZINFINAL.kewenangan",
	}, applied)
	ok, cut, _ = a.sound(t, "receiveLicense", v4312, v4320, lic12, "4.3.12 receiveLicense")
	assert.True(t, ok && cut)
	lic := read("receiveLicense-4.3.20.json")
	ok, cut, _ = a.sound(t, "receiveLicense", v4312, v4320, lic, "4.3.20 receiveLicense stated as 4.3.12")
	assert.True(t, ok && !cut)
	// The 4.3.12 one as its senders vary it, its dates with a time and a
	// number as text: cut, and those values written as 4.3.12 normalises
	// them, which is as 4.3.20 does (policy normalised-on-the-bytes).
	varied := strings.NewReplacer(`"2024-02-29"`, `"2024-02-29 00:00:00"`, `"bln_berlaku_izin":77777`, `"bln_berlaku_izin":"77777"`).Replace(string(lic12))
	require.NotEqual(t, string(lic12), varied)
	out, applied, ok = a.v.CarryAcross(a.guard("receiveLicense", v4312, v4320), []byte(varied), gatewayDecode)
	require.True(t, ok)
	assert.Equal(t, string(want), string(out))
	assert.Len(t, applied, 3)
	ok, cut, mended := a.sound(t, "receiveLicense", v4312, v4320, []byte(varied), "4.3.12 receiveLicense varied")
	assert.True(t, ok && cut && !mended, "cut, so not counted as normalised alone")
}

// BenchmarkCarriedUp compares, for a client stating 4.3.12 and a 4.3.20
// upstream, the full path of a carried body (decode, Normalize by 4.3.12,
// Convert, Validate at 4.3.20, and writing it anew where a rule changed
// it) with CarryAcross, on the load test's bodies: the 4.3.20 receiveNIB
// and receiveLicense, on which no rule acts, and the 4.3.12 receiveLicense,
// whose removed members CarryAcross cuts; and with Clean of the 4.3.20
// bodies from a 4.3.20 client.
//
//	go test ./transform -run '^$' -bench CarriedUp -benchmem
func BenchmarkCarriedUp(b *testing.B) {
	cat, e := builtin(b)
	v, err := validate.New(cat, validate.Options{})
	require.NoError(b, err)
	v4312, v4320 := pia.MustVersion("4.3.12"), pia.MustVersion("4.3.20")
	for _, c := range []struct{ method, sample string }{
		{"receiveNIB", "4.3.20"}, {"receiveLicense", "4.3.20"}, {"receiveLicense", "4.3.12"},
	} {
		m := c.method
		body, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", m+"-"+c.sample+".json"))
		require.NoError(b, err)
		g := v.Guard(v4312, v4320, m, pia.Request, e.Watches(m, pia.Request, v4312, v4320))
		_, _, ok := v.CarryAcross(g, body, gatewayDecode)
		require.True(b, ok)
		name := m + "-" + c.sample
		b.Run(name+"/full-path", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				doc, _ := jsonbody.DecodeWith(body, gatewayDecode)
				doc, _ = v.Normalize(v4312, m, pia.Request, doc)
				doc, rep := e.Convert(m, pia.Request, v4312, v4320, doc)
				v.Validate(v4320, m, pia.Request, doc)
				if c.sample == "4.3.12" && len(rep.Applied) > 0 {
					jsonbody.AppendJSON(make([]byte, 0, len(body)), doc)
				}
			}
		})
		b.Run(name+"/CarryAcross", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				v.CarryAcross(g, body, gatewayDecode)
			}
		})
		if c.sample == "4.3.20" {
			b.Run(name+"/Clean-same-version", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					v.Clean(v4320, m, pia.Request, body, gatewayDecode)
				}
			})
		}
	}
}

// TestCarryAcrossAllocates: a body forwarded as sent costs no allocation;
// one cut costs its copy and the names of the rules that cut.
func TestCarryAcrossAllocates(t *testing.T) {
	a := newAcross(t, false)
	v4312, v4320 := pia.MustVersion("4.3.12"), pia.MustVersion("4.3.20")
	for _, c := range []struct {
		method, sample string
		allocs         float64
	}{
		{"receiveNIB", "4.3.20", 0}, {"receiveLicense", "4.3.12", 2},
	} {
		body, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", c.method+"-"+c.sample+".json"))
		require.NoError(t, err)
		g := a.guard(c.method, v4312, v4320)
		_, _, ok := a.v.CarryAcross(g, body, gatewayDecode)
		require.True(t, ok)
		assert.Equal(t, c.allocs, testing.AllocsPerRun(20, func() { a.v.CarryAcross(g, body, gatewayDecode) }), c.method)
	}
}

// FuzzCarryAcross holds CarryAcross to the full path on bodies the fuzzer
// makes from the samples of receiveNIB and receiveLicense, sent by a
// client of 4.3.12, 4.3.16 or 4.3.19 to a 4.3.20 upstream.
func FuzzCarryAcross(f *testing.F) {
	for _, m := range []string{"receiveNIB", "receiveLicense"} {
		body, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", m+"-4.3.20.json"))
		require.NoError(f, err)
		for _, from := range []uint8{0, 1, 2} {
			f.Add(m == "receiveNIB", from, string(body))
		}
	}
	old, err := os.ReadFile(filepath.Join("..", "internal", "pia", "testdata", "receiveLicense-4.3.12.json"))
	require.NoError(f, err)
	f.Add(false, uint8(0), string(old))
	var a *across
	froms := []pia.Version{pia.MustVersion("4.3.12"), pia.MustVersion("4.3.16"), pia.MustVersion("4.3.19")}
	f.Fuzz(func(t *testing.T, nib bool, from uint8, body string) {
		if a == nil {
			a = newAcross(t, false)
		}
		m := "receiveLicense"
		if nib {
			m = "receiveNIB"
		}
		a.sound(t, m, froms[int(from)%len(froms)], pia.MustVersion("4.3.20"), []byte(body), "fuzzed")
	})
}
