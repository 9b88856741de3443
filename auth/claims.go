package auth

import (
	"github.com/golang-jwt/jwt/v5"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// Claims is what a security key says. Besides the registered claims (iss,
// sub = the client's name, aud, iat, nbf, exp, jti) it carries the grant the
// gateway checks on every call, so verification needs no lookup.
type Claims struct {
	jwt.RegisteredClaims
	// Client is the configured client's name (also sub).
	Client string `json:"client"`
	// Methods the client may call; empty or "*" means every method.
	Methods []string `json:"methods,omitempty"`
	// PIAVersion is the PIA version the client speaks, e.g. "4.3.20".
	PIAVersion string `json:"pia_version,omitempty"`
	// KdInstansi is the client's agency code; when set, payloads naming
	// another agency's kd_instansi are refused (CheckInstansi).
	KdInstansi string `json:"kd_instansi,omitempty"`
}

// MayCall reports whether the claims grant the method (its canonical name).
func (c *Claims) MayCall(method string) bool {
	return mayCall(c.Methods, method)
}

func mayCall(methods []string, method string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if m == "*" || m == method {
			return true
		}
	}
	return false
}

// Version is PIAVersion parsed; zero when unset or unreadable (the key was
// signed by a gateway whose configuration checked it).
func (c *Claims) Version() pia.Version {
	v, _ := pia.ParseVersion(c.PIAVersion)
	return v
}

// Validate is called by the JWT parser after the registered claims pass:
// revocation needs jti and iat, authorisation needs the client, so a token
// without them is not one of ours.
func (c *Claims) Validate() error {
	if c.ID == "" || c.Subject == "" || c.Client == "" || c.Subject != c.Client ||
		c.IssuedAt == nil || c.ExpiresAt == nil {
		return ErrMalformed
	}
	return nil
}

var _ jwt.ClaimsValidator = (*Claims)(nil)
