package caddymodule

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caddy-pia/caddy-pia/auth"
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// brokenBodies are receiveNIB bodies that are not JSON, built by hand: each
// breaks the grammar in another place (before, at and after the Token's
// NIB, in a number, a literal, after the value), and what the strict
// decoder says of each, with where it is (the member whose value holds the
// fault, and how many bytes were read), which every route answers (policy
// one-broken-body-answer).
var brokenBodies = []struct{ name, body, says string }{
	{"trailing comma after the NIB", `{"dataNIB":{"nib":"8120000000001",}}`, "di dataNIB, setelah 35 byte: invalid character '}' looking for beginning of object key string"},
	{"cut after the NIB", `{"dataNIB":{"nib":"8120000000001"}`, "valid setelah 34 byte: unexpected end of JSON input"},
	{"broken literal before the NIB", `{"dataNIB":{"flag":tru,"nib":"8120000000001"}}`, "di dataNIB.flag, setelah 23 byte: invalid character ',' in literal true (expecting 'e')"},
	{"number with a leading zero before the NIB", `{"dataNIB":{"x":01,"nib":"8120000000001"}}`, "di dataNIB, setelah 18 byte: invalid character '1' after object key:value pair"},
	{"a lone minus before the NIB", `{"dataNIB":{"x":-,"nib":"8120000000001"}}`, "di dataNIB.x, setelah 18 byte: invalid character ',' in numeric literal"},
	{"no digit after the point, no NIB", `{"dataNIB":{"x":1.e5}}`, "di dataNIB.x, setelah 19 byte: invalid character 'e' after decimal point in numeric literal"},
	{"no digit in the exponent", `{"dataNIB":{"x":1e+,"nib":"8120000000001"}}`, "di dataNIB.x, setelah 20 byte: invalid character ',' in exponent of numeric literal"},
	{"text after the value", `{"dataNIB":{"nib":"8120000000001"}} x`, "valid setelah 37 byte: invalid character 'x' after top-level value"},
	{"a bare word", `nul`, "valid setelah 3 byte: unexpected end of JSON input"},
	{"a member named twice before the break", `{"a":{"b":1,"b":2},"dataNIB":`, "a.b"},
}

// TestABrokenBodyGetsOneAnswerOnEveryRoute sends each broken body on
// receiveNIB through the four routes a body can take: validation off (the
// body is only checked to be JSON), validation on (decoded), and each of
// those behind oss_token (the Token's NIB is scanned for first). Each body
// gets the same envelope on all four, with a good Token or a wrong one,
// and none reaches the upstream.
func TestABrokenBodyGetsOneAnswerOnEveryRoute(t *testing.T) {
	kld := newUpstream(t, nil)
	token := `oss_token {
			username oss-user
			password oss-pass
		}`
	routes := []struct{ name, validation, token string }{
		{"validation off", "validation off", ""},
		{"validation on", "", ""},
		{"validation off, oss_token", "validation off", token},
		{"validation on, oss_token", "", token},
	}
	good := auth.ComputeOSSToken("oss-user", "oss-pass", "8120000000001", time.Now())
	answers := make([][]map[string]any, len(brokenBodies))
	for _, route := range routes {
		g := startGateway(t, fmt.Sprintf(`
{listen} {
	pia {
		%s
		kld %s
		%s
	}
}`, route.validation, kld.addr(), route.token))
		for i, b := range brokenBodies {
			t.Run(route.name+"/"+b.name, func(t *testing.T) {
				env := g.post(t, "/v1/kl/rba/receiveNIB", b.body, "Token", good).envelope("responreceiveNIB", http.StatusBadRequest)
				assert.Contains(t, env["keterangan"], b.says)
				answers[i] = append(answers[i], env)
				if route.token != "" {
					wrong := g.post(t, "/v1/kl/rba/receiveNIB", b.body, "Token", strings.Repeat("0", 40)).envelope("responreceiveNIB", http.StatusBadRequest)
					assert.Equal(t, env, wrong, "the Token is not what is wrong")
				}
			})
		}
	}
	for i, b := range brokenBodies {
		require.Len(t, answers[i], len(routes), b.name)
		for r := 1; r < len(routes); r++ {
			assert.Equal(t, answers[i][0], answers[i][r], "%s: %s answers as %s", b.name, routes[r].name, routes[0].name)
		}
	}
	assert.Empty(t, kld.received(), "no broken body goes upstream")
}

// sendSecurityKey reads its body itself, and answers a broken one as every
// other route does.
func TestSendSecurityKeyAnswersABrokenBodyAsEveryRouteDoes(t *testing.T) {
	g := startGateway(t, authConfig(freeAddr(t), freeAddr(t), t.TempDir(), "", ""))
	for _, b := range brokenBodies {
		t.Run(b.name, func(t *testing.T) {
			env := g.post(t, "/v1/kl/rba/sendSecurityKey", b.body).envelope("responsendSecurityKey", http.StatusBadRequest)
			assert.Contains(t, env["keterangan"], b.says)
		})
	}
	env := g.post(t, "/v1/kl/rba/sendSecurityKey", " ").envelope("responsendSecurityKey", http.StatusBadRequest)
	assert.Equal(t, pia.Indonesian.Text(pia.MsgEmptyBody), env["keterangan"], "an empty body, as on every route")
}
