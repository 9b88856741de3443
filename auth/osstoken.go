package auth

import (
	"crypto/sha1" //nolint:gosec // the PIA fixes SHA1 for this token; it is not our choice
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// OSSToken defaults.
const (
	DefaultOSSTokenSkew   = 5 * time.Minute
	DefaultOSSTokenHeader = "Token"
)

// OSSToken verifies the Token OSS sends with its calls to a K/L/D system
// (receiveNIB, receiveFileDS, receiveNIBSTPW, receiveNIBKKPR,
// receiveNIBPSE): hex SHA1(USERNAME+PASSWORD+NIB+DATE(Ymd)), the date being
// today in Jakarta.
type OSSToken struct {
	// Username and Password are the ones the K/L/D registered with OSS.
	Username, Password string
	// Skew accepts yesterday's token this long after midnight Jakarta time
	// and tomorrow's this long before it, for clocks that disagree. Zero
	// means DefaultOSSTokenSkew; negative means today's date only.
	Skew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Validate checks the configuration and sets a zero Skew to its default,
// for provisioning.
func (o *OSSToken) Validate() error {
	if o.Username == "" || o.Password == "" {
		return errors.New("OSS token: username and password are required (an {env.…} placeholder whose variable is not set?)")
	}
	o.Skew = o.skew()
	return nil
}

func (o *OSSToken) skew() time.Duration {
	if o.Skew == 0 {
		return DefaultOSSTokenSkew
	}
	return o.Skew
}

// ComputeOSSToken is the Token OSS sends for a NIB on a day (its Jakarta
// date counts): lower-case hex SHA1(username+password+nib+YYYYMMDD).
func ComputeOSSToken(username, password, nib string, day time.Time) string {
	sum := ossDigest(username, password, nib, day.In(Jakarta).Format("20060102"))
	return hex.EncodeToString(sum[:])
}

func ossDigest(username, password, nib, ymd string) [sha1.Size]byte {
	h := sha1.New() //nolint:gosec // see import
	for _, s := range []string{username, password, nib, ymd} {
		h.Write([]byte(s))
	}
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	return sum
}

// constantTimeCompare is subtle's; tests replace it to observe that every
// candidate date is compared whatever the outcome.
var constantTimeCompare = subtle.ConstantTimeCompare

// Verify checks a token (hex, any case) for the NIB. Every accepted date is
// compared in constant time, without stopping at a match, so the time
// taken tells nothing of how close a guess came.
func (o *OSSToken) Verify(token, nib string) error {
	if o.Username == "" || o.Password == "" {
		// An unconfigured verifier must not accept SHA1(""+""+nib+date).
		return ErrTokenMismatch
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return ErrTokenMissing
	}
	var got [sha1.Size]byte
	n, err := hex.Decode(got[:], []byte(token[:min(len(token), 2*sha1.Size)]))
	wellFormed := err == nil && n == sha1.Size && len(token) == 2*sha1.Size
	match := 0
	for _, ymd := range o.dates() {
		want := ossDigest(o.Username, o.Password, nib, ymd)
		match |= constantTimeCompare(got[:], want[:])
	}
	if match != 1 || !wellFormed {
		return ErrTokenMismatch
	}
	return nil
}

// dates are the Ymd dates a token may carry now.
func (o *OSSToken) dates() []string {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	skew := o.skew()
	t := now().In(Jakarta)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Jakarta)
	out := make([]string, 1, 2)
	out[0] = midnight.Format("20060102")
	if t.Sub(midnight) < skew {
		out = append(out, midnight.AddDate(0, 0, -1).Format("20060102"))
	}
	if next := midnight.AddDate(0, 0, 1); next.Sub(t) <= skew {
		out = append(out, next.Format("20060102"))
	}
	return out
}

// OSSTokenQuery is the query parameter some OSS configurations put the
// Token in.
const OSSTokenQuery = "token"

// Find returns OSS's Token from where real OSS configurations put it, in
// order: the Token header (any case), Authorization with
// the Bearer scheme, and the token query parameter of rawQuery. inQuery says
// it came from the query: a URL is logged and forwarded where a header is
// not, so the glue removes it (StripQueryToken) before anything else sees
// the request.
func (o *OSSToken) Find(h http.Header, rawQuery string) (token string, inQuery bool) {
	if tok := headerValue(h, DefaultOSSTokenHeader); tok != "" {
		return tok, false
	}
	if tok, _, ok := Extract(h, []string{"Authorization"}); ok {
		return tok, false
	}
	for _, part := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err != nil || !strings.EqualFold(k, OSSTokenQuery) {
			continue
		}
		if v, err := url.QueryUnescape(v); err == nil && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// StripQueryToken removes every token parameter from a raw query, keeping
// the others as they were written.
func StripQueryToken(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	kept := parts[:0]
	for _, part := range parts {
		k, _, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(uk, OSSTokenQuery) ||
			err != nil && strings.Contains(strings.ToLower(k), OSSTokenQuery) {
			continue // an unreadable name that may be ours goes too
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

// NIBPath is where the NIB a Token covers sits in a method's payload, for
// jsonbody.ScanString: <request root>.nib for the methods the PIA documents with
// a Token (pia.Method.OSSToken: receiveNIB's dataNIB.nib, ...), and for any
// other method (a custom one) the nib of the payload's only root member
// ("*").
func NIBPath(m *pia.Method) []string {
	if m.OSSToken && m.RequestRoot != "" {
		return []string{m.RequestRoot, "nib"}
	}
	return []string{"*", "nib"}
}

// VerifyRequest verifies the Token header of an OSS call to a K/L/D method
// against the NIB of its payload doc (decoded, as by jsonbody.Decode).
func (o *OSSToken) VerifyRequest(h http.Header, m *pia.Method, doc any) error {
	tok := headerValue(h, DefaultOSSTokenHeader)
	if tok == "" {
		return ErrTokenMissing
	}
	return o.Verify(tok, NIBOf(m, doc))
}

// NIBOf is the NIB an OSS Token covers, at NIBPath in the payload: the
// "*" of a method without a documented root stands for the payload's single
// root member. No NIB reads as "": OSS computes the token over what the
// payload holds, so that is what the token must match.
func NIBOf(m *pia.Method, doc any) string {
	path := NIBPath(m)
	if path[0] == "*" {
		root, _ := doc.(map[string]any)
		if len(root) != 1 {
			return ""
		}
		for k := range root {
			path = []string{k, "nib"}
		}
	}
	v, _ := lookup(doc, path)
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
