package caddymodule

// Fixtures: the receiveLicense bodies are the 4.3.20 and 4.3.12 samples
// with every field filled (internal/pia/testdata/README.md) and, refused,
// one built by hand that lacks the mandatory fields.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logEntries reads a JSON log file, one entry a line.
func logEntries(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		out = append(out, e)
	}
	return out
}

// piaLines are the gateway's "pia request" lines of a log, by outcome, in
// order.
func piaLines(t *testing.T, path string) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, e := range logEntries(t, path) {
		if e["msg"] == "pia request" {
			out[e["outcome"].(string)] = append(out[e["outcome"].(string)], e)
		}
	}
	return out
}

func TestRequestLogLevelsAndTheAccessLogsPiaFields(t *testing.T) {
	oss := newUpstream(t, nil)
	logs := t.TempDir()
	// The README's way to every request on the pia logger (a DEBUG logger
	// including http.handlers.pia), beside one at INFO, and the access
	// log filtered as Caddyfile.example does.
	g := startGateway(t, fmt.Sprintf(`{
	admin {admin}
	persist_config off
	auto_https off
	storage file_system {storage}
	servers {
		expected_underscore_headers user_key
	}
	log {
		output file %[1]s/caddy.log
	}
	log piadebug {
		output file %[1]s/pia-debug.log
		level DEBUG
		include http.handlers.pia
	}
	log piainfo {
		output file %[1]s/pia-info.log
		level INFO
		include http.handlers.pia
	}
}
{listen} {
	log {
		output file %[1]s/access.log
%[2]s
	}
	pia {
		oss %[3]s
		auth {
			key k1 hs256 %[4]s
			client demo {
				user_akses demo
				password_hash %[5]s
			}
		}
	}
}`, logs, indent(accessLogFilter, "\t\t"), oss.addr(), testSecret, demoHash))

	key := g.getKey(t, "demo", "demo-secret")
	current, err := os.ReadFile("../internal/pia/testdata/receiveLicense-4.3.20.json")
	require.NoError(t, err)
	old, err := os.ReadFile("../internal/pia/testdata/receiveLicense-4.3.12.json")
	require.NoError(t, err)
	a := g.post(t, "/v1/kl/rba/receiveLicense", string(current), "user_key", key)
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	// The same client carried again within the hour: the operator already
	// knows it still speaks 4.3.12.
	for range 2 {
		a = g.post(t, "/v1/kl/rba/receiveLicense", string(old), "user_key", key, "X-PIA-Version", "4.3.12")
		require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	}
	// A client stating 4.3.12 that sends what 4.3.20 wants: no rule acts,
	// forwarded as sent.
	a = g.post(t, "/v1/kl/rba/receiveLicense", string(current), "user_key", key, "X-PIA-Version", "4.3.12")
	require.Equal(t, http.StatusOK, a.StatusCode, "%s", a.Body)
	g.post(t, "/v1/kl/rba/receiveLicense", `{"IZINFINAL":{"nib":"8120000000001"}}`, "user_key", key).envelope("responreceiveLicense", http.StatusBadRequest)
	g.post(t, "/v1/kl/rba/receiveLicense", string(current), "user_key", key+"x").envelope("responreceiveLicense", http.StatusUnauthorized)
	// Every request is counted, the forwarded ones through their method's
	// kept series.
	m := g.metrics(t)
	assert.Contains(t, m, `caddy_pia_requests_total{method="receiveLicense",outcome="forwarded"} 4`)
	assert.Contains(t, m, `caddy_pia_requests_total{method="receiveLicense",outcome="invalid"} 1`)
	assert.Contains(t, m, `caddy_pia_request_duration_seconds_count{method="receiveLicense"} 6`)
	require.NoError(t, caddy.Stop()) // flush the logs

	// Every request on the DEBUG logger: the one forwarded as sent at
	// DEBUG, everything an operator must see at INFO.
	debug := piaLines(t, filepath.Join(logs, "pia-debug.log"))
	require.Len(t, debug[outcomeForwarded], 4, "the forwarded requests: %v", debug)
	asSent, carried, again, oldAsSent := debug[outcomeForwarded][0], debug[outcomeForwarded][1], debug[outcomeForwarded][2], debug[outcomeForwarded][3]
	assert.Equal(t, "debug", asSent["level"], "forwarded as sent")
	assert.Equal(t, "4.3.20", asSent["client_version"])
	assert.Equal(t, "info", carried["level"], "carried from 4.3.12")
	assert.Equal(t, "4.3.12", carried["client_version"])
	assert.NotEmpty(t, carried["rules"], "the rules applied are named")
	assert.Equal(t, "debug", again["level"], "carried again for the same client, method and version within the hour")
	assert.Equal(t, carried["rules"], again["rules"])
	assert.Equal(t, "debug", oldAsSent["level"], "a 4.3.12 client's body no rule acts on is forwarded as sent")
	assert.Equal(t, "4.3.12", oldAsSent["client_version"])
	assert.NotContains(t, oldAsSent, "rules")
	for _, outcome := range []string{outcomeKeyIssued, outcomeInvalid, outcomeUnauthorized} {
		require.Len(t, debug[outcome], 1, outcome)
		assert.Equal(t, "info", debug[outcome][0]["level"], outcome)
	}
	for _, outcome := range []string{outcomeInvalid, outcomeUnauthorized} {
		assert.NotEmpty(t, debug[outcome][0]["detail"], "%s says why", outcome)
	}
	// At INFO the request forwarded as sent writes no line of its own.
	info := piaLines(t, filepath.Join(logs, "pia-info.log"))
	require.Len(t, info[outcomeForwarded], 1, "only the carried request: %v", info)
	assert.Equal(t, "4.3.12", info[outcomeForwarded][0]["client_version"])
	for _, outcome := range []string{outcomeKeyIssued, outcomeInvalid, outcomeUnauthorized} {
		assert.Len(t, info[outcome], 1, outcome)
	}

	// One access log line per request says it all, in its pia object.
	byOutcome := map[string][]map[string]any{}
	for _, e := range logEntries(t, filepath.Join(logs, "access.log")) {
		p, ok := e["pia"].(map[string]any)
		require.True(t, ok, "every request's access log entry has the pia object: %v", e)
		byOutcome[p["outcome"].(string)] = append(byOutcome[p["outcome"].(string)], p)
	}
	require.Len(t, byOutcome[outcomeForwarded], 4)
	sent := byOutcome[outcomeForwarded][0]
	assert.Equal(t, "receiveLicense", sent["method"])
	assert.Equal(t, "oss", sent["side"])
	assert.Equal(t, "demo", sent["client"])
	assert.Equal(t, "4.3.20", sent["client_version"])
	assert.Equal(t, "4.3.20", sent["upstream_version"])
	assert.NotEmpty(t, sent["request_id"])
	assert.NotContains(t, sent, "detail", "nothing to explain")
	assert.NotContains(t, sent, "violations")
	assert.Equal(t, "4.3.12", byOutcome[outcomeForwarded][1]["client_version"])
	assert.NotEmpty(t, byOutcome[outcomeForwarded][1]["rules"])
	assert.NotEmpty(t, byOutcome[outcomeForwarded][2]["rules"], "every carried request names its rules in the access log")
	require.Len(t, byOutcome[outcomeInvalid], 1)
	assert.Greater(t, byOutcome[outcomeInvalid][0]["violations"], float64(0))
	assert.NotEmpty(t, byOutcome[outcomeInvalid][0]["detail"])
	assert.Len(t, byOutcome[outcomeUnauthorized], 1)
	assert.Len(t, byOutcome[outcomeKeyIssued], 1)

	// No log holds the key, the password or the signing secret.
	for _, f := range []string{"access.log", "pia-debug.log", "pia-info.log", "caddy.log"} {
		b, err := os.ReadFile(filepath.Join(logs, f))
		require.NoError(t, err)
		for _, secret := range []string{key[strings.LastIndexByte(key, '.')+1:], "demo-secret", testSecret} {
			assert.NotContains(t, string(b), secret, f)
		}
	}
}
