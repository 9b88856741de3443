// Package piatest gives tests the PIA documentation's own examples, decoded
// and repaired as internal/pia/deviations.json records, and payloads built
// from a schema (Sampler), so every package tests against the same
// fixtures.
package piatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Example is one JSON example of the documentation.
type Example struct {
	Version pia.Version
	Method  string
	// Kind is "request", "success" or "error", as the documentation files
	// its examples.
	Kind string
	// N numbers the JSON values of one example text: some texts hold
	// several alternatives one after the other (inqueryNIB).
	N int
	// Text is the example as documented, JSON holds the repaired value.
	Text string
	JSON []byte
	// Repairs lists the reasons of every repair applied.
	Repairs []string
}

// Name identifies the example in test output.
func (e Example) Name() string {
	return fmt.Sprintf("%s/%s/%s#%d", e.Version, e.Method, e.Kind, e.N)
}

// Repair is a recorded text substitution for a documentation example.
type Repair struct {
	Versions []string `json:"versions"`
	Method   string   `json:"method"`
	Kind     string   `json:"kind"`
	Find     string   `json:"find"`
	Replace  string   `json:"replace"`
	Reason   string   `json:"reason"`
}

// Dir is internal/pia, found from this file so tests in any package can
// read the data.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// Repairs reads the example repairs of deviations.json.
func Repairs() ([]Repair, error) {
	b, err := os.ReadFile(filepath.Join(Dir(), "deviations.json"))
	if err != nil {
		return nil, err
	}
	var d struct {
		Examples []Repair `json:"examples"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	return d.Examples, nil
}

// Examples returns every JSON example of one version's specification, of
// the given kind ("request", "success", "error"; "" for all). It fails when
// an example is still not JSON after its repairs, or when a repair finds
// nothing to repair. The examples were extracted with the specifications
// of 4.3.12 ... 4.3.20; later versions have none here.
func Examples(v pia.Version, kind string) ([]Example, error) {
	b, err := os.ReadFile(filepath.Join(Dir(), "source", "spec", "pia-"+v.String()+".json"))
	if errors.Is(err, fs.ErrNotExist) && pia.MustVersion("4.3.20").Less(v) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var spec struct {
		Methods []struct {
			Method   string `json:"method"`
			Examples map[string][]struct {
				Text string `json:"text"`
			} `json:"examples"`
		} `json:"methods"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, err
	}
	repairs, err := Repairs()
	if err != nil {
		return nil, err
	}
	var out []Example
	for _, m := range spec.Methods {
		kinds := make([]string, 0, len(m.Examples))
		for k := range m.Examples {
			if k == "request" || k == "success" || k == "error" {
				kinds = append(kinds, k)
			}
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			if kind != "" && k != kind {
				continue
			}
			for _, ex := range m.Examples[k] {
				text, applied, err := repair(ex.Text, v, m.Method, k, repairs)
				if err != nil {
					return nil, err
				}
				values, err := splitValues(text)
				if err != nil {
					return nil, fmt.Errorf("%s %s %s example is not JSON after %d repairs: %w", v, m.Method, k, len(applied), err)
				}
				for i, val := range values {
					out = append(out, Example{Version: v, Method: m.Method, Kind: k, N: i, Text: ex.Text, JSON: val, Repairs: applied})
				}
			}
		}
	}
	return out, nil
}

// repair strips the status line the documentation puts before bodies and
// applies the recorded substitutions.
func repair(text string, v pia.Version, method, kind string, repairs []Repair) (string, []string, error) {
	var applied []string
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "HTTP/1.1") {
		if i := strings.IndexByte(t, '\n'); i > 0 {
			t = t[i+1:]
		}
	}
	for _, r := range repairs {
		if r.Method != method || r.Kind != kind || !hasVersion(r.Versions, v) {
			continue
		}
		if !strings.Contains(t, r.Find) {
			return "", nil, fmt.Errorf("%s %s %s: repair %q finds nothing to repair", v, method, kind, r.Find)
		}
		t = strings.ReplaceAll(t, r.Find, r.Replace)
		applied = append(applied, r.Reason)
	}
	return t, applied, nil
}

func hasVersion(list []string, v pia.Version) bool {
	for _, x := range list {
		if x == "all" || x == v.String() {
			return true
		}
	}
	return false
}

// splitValues reads one or more JSON values written one after the other.
func splitValues(t string) ([][]byte, error) {
	d := json.NewDecoder(strings.NewReader(t))
	var out [][]byte
	for {
		var raw json.RawMessage
		err := d.Decode(&raw)
		if err != nil {
			if len(out) > 0 && err.Error() == "EOF" {
				return out, nil
			}
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
}
