package validate

import (
	"encoding/json"
	"errors"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// benchPayload is a sample of a 4.3.20 request built from its schema: every
// field filled, three members in every array, wide strings capped at 15
// characters (receiveNIB comes to about 38 KB).
func benchPayload(b *testing.B, method string) (*Validator, []byte) {
	b.Helper()
	cat, err := pia.NewCatalog()
	require.NoError(b, err)
	v, err := New(cat, Options{})
	require.NoError(b, err)
	s, ok := cat.Lookup(pia.MustVersion("4.3.20"), method, pia.Request)
	require.True(b, ok)
	raw, err := json.Marshal(piatest.Sampler{Members: 3, MaxText: 15}.Build(s.Doc.(map[string]any)))
	require.NoError(b, err)
	doc, err := jsonbody.Decode(raw)
	require.NoError(b, err)
	require.Nil(b, v.Validate(pia.MustVersion("4.3.20"), method, pia.Request, doc), "the benchmark payload is valid")
	return v, raw
}

var benchMethods = []string{"receiveNIB", "receiveLicense"}

// stdlibDecode is the yardstick: a plain encoding/json decode of the bytes.
func stdlibDecode(raw []byte) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkStdlibDecode(b *testing.B) {
	for _, m := range benchMethods {
		_, raw := benchPayload(b, m)
		b.Run(m, stdlibDecode(raw))
	}
}

func BenchmarkDecode(b *testing.B) {
	eachBody(b, func(_ *Validator, _ string, raw []byte) error {
		_, err := jsonbody.Decode(raw)
		return err
	})
}

// BenchmarkValidateTree is the work on an already decoded tree: Normalize
// (nothing to change here) and Validate.
func BenchmarkValidateTree(b *testing.B) { benchValidateTree(b, (*Validator).Validate) }

// BenchmarkValidateBytes is the request path from the body's bytes: decode,
// Normalize, Validate. BenchmarkBudget gives its ratio to a plain decode (target ≤ 1).
func BenchmarkValidateBytes(b *testing.B) {
	eachBody(b, func(v *Validator, m string, raw []byte) error {
		doc, err := jsonbody.Decode(raw)
		if err != nil {
			return err
		}
		d, _ := v.Normalize(v4320, m, pia.Request, doc)
		if r := v.Validate(v4320, m, pia.Request, d); r != nil {
			return errors.New(r.Summary())
		}
		return nil
	})
}

// BenchmarkClean is the request path of a valid body from a client of the
// upstream's version: its bytes checked against the plan, without a tree.
func BenchmarkClean(b *testing.B) {
	eachBody(b, func(v *Validator, m string, raw []byte) error {
		if !v.Clean(v4320, m, pia.Request, raw, gatewayDecode) {
			return errors.New("not clean")
		}
		return nil
	})
}

// eachBody benchmarks op on each method's sample.
func eachBody(b *testing.B, op func(v *Validator, m string, raw []byte) error) {
	for _, m := range benchMethods {
		v, raw := benchPayload(b, m)
		b.Run(m, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if err := op(v, m, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBudget measures the budget: each op decodes the bytes with plain
// encoding/json, then runs the request path (jsonbody.Decode, Normalize,
// Validate) on the same bytes, timing both; x_stdlib_decode is the request
// path's time over the plain decode's (target ≤ 1), clean_x_stdlib_decode
// that of Clean, the path of a valid body from a client of the upstream's
// version. Interleaving them keeps the ratios honest on a machine whose
// load changes during the run.
func BenchmarkBudget(b *testing.B) {
	ver := pia.MustVersion("4.3.20")
	for _, m := range benchMethods {
		v, raw := benchPayload(b, m)
		b.Run(m, func(b *testing.B) {
			var plain, ours, clean time.Duration
			for b.Loop() {
				t0 := time.Now()
				var std any
				if err := json.Unmarshal(raw, &std); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				doc, err := jsonbody.Decode(raw)
				if err != nil {
					b.Fatal(err)
				}
				d, _ := v.Normalize(ver, m, pia.Request, doc)
				if r := v.Validate(ver, m, pia.Request, d); r != nil {
					b.Fatal(r.Summary())
				}
				t2 := time.Now()
				if !v.Clean(ver, m, pia.Request, raw, gatewayDecode) {
					b.Fatal("not clean")
				}
				t3 := time.Now()
				plain += t1.Sub(t0)
				ours += t2.Sub(t1)
				clean += t3.Sub(t2)
			}
			b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "stdlib_ns/op")
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "path_ns/op")
			b.ReportMetric(float64(ours)/float64(plain), "x_stdlib_decode")
			b.ReportMetric(float64(clean)/float64(plain), "clean_x_stdlib_decode")
		})
	}
}

// BenchmarkNew is the provision-time cost of a catalog read anew: the
// first load compiles every schema of the built-in catalog (first load); a
// reload, or a second pia site, takes them from the live ones (reload).
func BenchmarkNew(b *testing.B) {
	b.Run("first load", func(b *testing.B) {
		cat, err := pia.NewCatalog()
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range cat.All() {
				if _, err := compile(s, Options{}, true); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("reload", func(b *testing.B) {
		cat, err := pia.NewCatalog()
		require.NoError(b, err)
		live, err := New(cat, Options{})
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			again, err := pia.NewCatalog()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := New(again, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.KeepAlive(live)
	})
}

// BenchmarkValidateTreeLibrary is BenchmarkValidateTree with the JSON
// Schema library in place of the validation plan: what validation cost
// before plans, measured side by side.
func BenchmarkValidateTreeLibrary(b *testing.B) { benchValidateTree(b, (*Validator).reference) }

// benchValidateTree runs Normalize and check on the decoded samples.
func benchValidateTree(b *testing.B, check func(*Validator, pia.Version, string, pia.Kind, any) *Result) {
	ver := pia.MustVersion("4.3.20")
	for _, m := range benchMethods {
		v, raw := benchPayload(b, m)
		doc, err := jsonbody.Decode(raw)
		require.NoError(b, err)
		b.Run(m, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				d, _ := v.Normalize(ver, m, pia.Request, doc)
				if r := check(v, ver, m, pia.Request, d); r != nil {
					b.Fatal(r.Summary())
				}
			}
		})
	}
}

// BenchmarkCleanMemberOrder is Clean of the receiveLicense sample with its
// members in the order json.Marshal writes them (the plan's), in the
// reverse order, and in the two orders by turns: Clean guesses each member
// from the order of the first body its plan read, so one of the two orders
// always misses the guess, and by turns half the bodies do.
func BenchmarkCleanMemberOrder(b *testing.B) {
	v, raw := benchPayload(b, "receiveLicense")
	doc, err := jsonbody.Decode(raw)
	require.NoError(b, err)
	reversed := reverseMembers(nil, doc)
	require.True(b, v.Clean(v4320, "receiveLicense", pia.Request, reversed, gatewayDecode))
	for _, c := range []struct {
		name   string
		bodies [][]byte
	}{
		{"sorted", [][]byte{raw}}, {"reversed", [][]byte{reversed}}, {"by-turns", [][]byte{raw, reversed}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			i := 0
			for b.Loop() {
				if !v.Clean(v4320, "receiveLicense", pia.Request, c.bodies[i%len(c.bodies)], gatewayDecode) {
					b.Fatal("not clean")
				}
				i++
			}
		})
	}
}

// reverseMembers writes doc as JSON with every object's members in the
// reverse of their sorted order.
func reverseMembers(out []byte, doc any) []byte {
	o, ok := doc.(map[string]any)
	if !ok {
		if a, ok := doc.([]any); ok {
			out = append(out, '[')
			for i, e := range a {
				if i > 0 {
					out = append(out, ',')
				}
				out = reverseMembers(out, e)
			}
			return append(out, ']')
		}
		out, _ = jsonbody.AppendJSON(out, doc)
		return out
	}
	names := make([]string, 0, len(o))
	for k := range o {
		names = append(names, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	out = append(out, '{')
	for i, k := range names {
		if i > 0 {
			out = append(out, ',')
		}
		out, _ = jsonbody.AppendJSON(out, k)
		out = append(out, ':')
		out = reverseMembers(out, o[k])
	}
	return append(out, '}')
}

// varied writes every scalar of doc as real clients vary it (variantsOf:
// a number as text, a date with a time, ...), where it has a variation.
func varied(doc any) any {
	switch x := doc.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = varied(e)
		}
	case []any:
		for i, e := range x {
			x[i] = varied(e)
		}
	default:
		if vs := variantsOf(x); len(vs) > 0 {
			return vs[0]
		}
	}
	return doc
}

// BenchmarkMend is the request path of a body valid once normalised, from
// a client of the upstream's version: each sample with every value that
// has a variation varied (every number as text, every date with a time,
// ...). full_path decodes it, normalises and validates the tree and writes
// it anew, as the gateway did before Mend; mend writes each normalised
// value in place, on the bytes.
func BenchmarkMend(b *testing.B) {
	for _, m := range benchMethods {
		v, raw := benchPayload(b, m)
		doc, err := jsonbody.Decode(raw)
		require.NoError(b, err)
		body, err := jsonbody.Encode(varied(doc))
		require.NoError(b, err)
		cl := v.Cleaner(v4320, m, pia.Request)
		_, ok := cl.Mend(body, gatewayDecode)
		require.True(b, ok, "the varied sample is valid once normalised")
		b.Run(m+"/full_path", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				doc, err := jsonbody.DecodeWith(body, gatewayDecode)
				if err != nil {
					b.Fatal(err)
				}
				d, _ := v.Normalize(v4320, m, pia.Request, doc)
				if r := v.Validate(v4320, m, pia.Request, d); r != nil {
					b.Fatal(r.Summary())
				}
				if _, err := jsonbody.AppendJSON(make([]byte, 0, len(body)+len(body)/8), d); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m+"/mend", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, ok := cl.Mend(body, gatewayDecode); !ok {
					b.Fatal("not mended")
				}
			}
		})
	}
}
