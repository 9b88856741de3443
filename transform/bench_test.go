package transform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The benchmarks' payloads are built from the 4.3.12 schemas by sample:
// every field filled, three elements in every array. As a 4.3.12 sender
// writes them, they lack the fields 4.3.16 made mandatory, so the upgrade
// reports them (the realistic case: an old client does not know them);
// the "complete" variant also carries them, so nothing is reported.
//
//	go test ./transform -run '^$' -bench . -benchmem
type benchPayload struct {
	name, method string
	body         []byte
}

func benchPayloads(b *testing.B) []benchPayload {
	cat, e := builtin(b)
	var out []benchPayload
	for _, m := range []string{"receiveNIB", "receiveLegal"} {
		doc := fullSample(b, cat, v4312, m, pia.Request, 3)
		raw, err := json.Marshal(doc)
		require.NoError(b, err)
		out = append(out, benchPayload{m + "/as-sent", m, raw})

		// The complete variant: a 4.3.12 sender that already fills what
		// 4.3.16 and later made mandatory, at the places the engine names.
		complete := fullSample(b, cat, v4312, m, pia.Request, 3)
		for round := 0; round < 3; round++ {
			_, rep := e.Convert(m, pia.Request, v4312, v4320, jsonbody.CloneTree(complete))
			if len(rep.Errors) == 0 {
				break
			}
			for _, fe := range rep.Errors {
				fill(complete, pointerSegments(fe.Field), "1")
			}
		}
		_, rep := e.Convert(m, pia.Request, v4312, v4320, jsonbody.CloneTree(complete))
		require.Empty(b, rep.Errors)
		raw, err = json.Marshal(complete)
		require.NoError(b, err)
		out = append(out, benchPayload{m + "/complete", m, raw})
	}
	return out
}

func BenchmarkUpgrade4312To4320(b *testing.B) {
	_, e := builtin(b)
	for _, p := range benchPayloads(b) {
		b.Run(p.name+"/decode-encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.body)))
			for i := 0; i < b.N; i++ {
				var v any
				if err := json.Unmarshal(p.body, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(p.name+"/decode-pia", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.body)))
			for i := 0; i < b.N; i++ {
				if _, err := jsonbody.Decode(p.body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(p.name+"/decode-pia+convert", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.body)))
			var rep Report
			for i := 0; i < b.N; i++ {
				doc, err := jsonbody.Decode(p.body)
				if err != nil {
					b.Fatal(err)
				}
				_, rep = e.Convert(p.method, pia.Request, v4312, v4320, doc)
			}
			b.ReportMetric(float64(len(rep.Errors)), "errors/op")
		})
		b.Run(p.name+"/convert", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.body)))
			docs := make([]any, 0, 64)
			for i := 0; i < b.N; i++ {
				if len(docs) == 0 {
					b.StopTimer()
					for len(docs) < cap(docs) {
						doc, _ := jsonbody.Decode(p.body)
						docs = append(docs, doc)
					}
					b.StartTimer()
				}
				e.Convert(p.method, pia.Request, v4312, v4320, docs[len(docs)-1])
				docs = docs[:len(docs)-1]
			}
		})
	}
}

// fill sets v at the pointer segments, making the objects and arrays on
// the way.
func fill(node any, segs []string, v any) {
	for i, seg := range segs {
		last := i == len(segs)-1
		var next any = map[string]any{}
		if !last && isIndex(segs[i+1]) {
			next = []any{map[string]any{}}
		}
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[seg] = v
				return
			}
			if _, ok := n[seg]; !ok {
				n[seg] = next
			}
			node = n[seg]
		case []any:
			// An array made above has its element 0; others exist already.
			idx := 0
			for _, c := range seg {
				idx = idx*10 + int(c-'0')
			}
			if idx >= len(n) {
				return
			}
			if last {
				n[idx] = v
				return
			}
			node = n[idx]
		}
	}
}
