package auth

import (
	"github.com/caddy-pia/caddy-pia/internal/jsonbody"
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
	doc, derr := jsonbody.DecodeWith(body, jsonbody.Options{Strict: true, MaxElements: maxKeyRequestValues})
	if derr != nil {
		return "", "", badRequest(pia.MsgWhyNotJSON)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return "", "", badRequest(pia.MsgWhyNotObject)
	}
	sk, ok := root["securityKey"].(map[string]any)
	if !ok {
		return "", "", badRequest(pia.MsgWhyNoSecurityKey)
	}
	user, ok = sk["user_akses"].(string)
	if !ok || user == "" {
		return "", "", badRequest(pia.MsgWhyUserAkses)
	}
	pwd, ok = sk["pwd_akses"].(string)
	if !ok || pwd == "" {
		return "", "", badRequest(pia.MsgWhyPwdAkses)
	}
	return user, pwd, nil
}
