package transform

// Fixtures: the fuzz seeds are the documentation's request examples
// (piatest.Examples) and the payloads below, built by hand.

import (
	"encoding/json"
	"testing"

	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/piatest"
)

// FuzzConvert feeds arbitrary JSON, as a client could send it, through
// every method's rules in both directions between the oldest and newest
// versions: nothing panics, no placeholder leaks into the payload, the
// result still encodes, and every error points somewhere and says why.
func FuzzConvert(f *testing.F) {
	cat, e := builtin(f)
	for _, v := range cat.Versions() {
		exs, err := piatest.Examples(v, "request")
		if err != nil {
			f.Fatal(err)
		}
		for _, ex := range exs {
			f.Add(ex.JSON, uint8(0))
		}
	}
	f.Add([]byte(`{"AKTA":{"modal_dasar":[{"total_modal_dasar":"1e400"},{"total_modal_dasar":[]}],"data_kbli":{"kbli5":{}}}}`), uint8(1))
	f.Add([]byte(`{"dataNIB":{"data_proyek":[[{"kbli":"007"}]],"data_rptka":"x"}}`), uint8(2))

	var keys []methodKey
	for k := range e.reach {
		keys = append(keys, k)
	}
	vs := cat.Versions()
	oldest, newest := vs[0], vs[len(vs)-1]
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		doc, err := jsonbody.Decode(body)
		if err != nil {
			return
		}
		k := keys[int(pick)%len(keys)]
		from, to := oldest, newest
		if pick&0x80 != 0 {
			from, to = newest, oldest
		}
		out, rep := e.Convert(k.method, k.kind, from, to, doc)
		if leaked(out) {
			t.Fatalf("%s %s: a placeholder leaked into the payload", k.method, k.kind)
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s %s: result does not encode: %v", k.method, k.kind, err)
		}
		for _, fe := range rep.Errors {
			if fe.Field == "" || fe.Rule == "" || fe.Text(pia.Indonesian) == "" {
				t.Fatalf("%s %s: incomplete error %+v", k.method, k.kind, fe)
			}
		}
		back, _ := e.Convert(k.method, k.kind, to, from, out)
		if leaked(back) {
			t.Fatalf("%s %s: a placeholder leaked on the way back", k.method, k.kind)
		}
	})
}

func leaked(v any) bool {
	switch x := v.(type) {
	case *missing:
		return true
	case map[string]any:
		for _, e := range x {
			if leaked(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if leaked(e) {
				return true
			}
		}
	}
	return false
}
