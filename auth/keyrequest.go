package auth

import (
	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// maxKeyRequestValues bounds the decoded sendSecurityKey body: it has
// three objects' worth of members; clients add a few of their own.
const maxKeyRequestValues = 1000

// ParseKeyRequest reads a sendSecurityKey body,
// {"securityKey": {"user_akses": "...", "pwd_akses": "..."}}. Anything else
// (not JSON, no securityKey object, a missing, empty or non-string
// user_akses or pwd_akses, a member named twice) is ErrBadRequest with a reason that never quotes
// the body. Other members are ignored: clients add their own.
func ParseKeyRequest(body []byte) (user, pwd string, err error) {
	doc, derr := pia.DecodeJSONWith(body, pia.DecodeOptions{Strict: true, MaxElements: maxKeyRequestValues})
	if derr != nil {
		return "", "", badRequest("body bukan JSON yang valid", "body is not valid JSON")
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return "", "", badRequest("body harus berupa objek JSON", "body must be a JSON object")
	}
	sk, ok := root["securityKey"].(map[string]any)
	if !ok {
		return "", "", badRequest("objek securityKey tidak ditemukan", "securityKey object missing")
	}
	user, ok = sk["user_akses"].(string)
	if !ok || user == "" {
		return "", "", badRequest("securityKey.user_akses harus berupa string yang tidak kosong", "securityKey.user_akses must be a non-empty string")
	}
	pwd, ok = sk["pwd_akses"].(string)
	if !ok || pwd == "" {
		return "", "", badRequest("securityKey.pwd_akses harus berupa string yang tidak kosong", "securityKey.pwd_akses must be a non-empty string")
	}
	return user, pwd, nil
}
