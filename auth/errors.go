package auth

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// The rejection classes. Every error the package returns on the request
// path is, or wraps, exactly one of them, so the glue can answer with
// Status and Describe. None of them, nor the types below, ever carry a
// token, password or key.
var (
	// ErrMissing: no security key in any of the configured headers (401).
	ErrMissing = errors.New("security key missing")
	// ErrMalformed: the key is not a well-formed JWT of ours: bad encoding,
	// too long, or a required claim (jti, sub, client, iat, exp) missing (401).
	ErrMalformed = errors.New("security key is malformed")
	// ErrAlgorithm: alg none, an unknown alg, or an alg other than the one
	// pinned for the key named by kid (401).
	ErrAlgorithm = errors.New("security key algorithm is not allowed")
	// ErrUnknownKID: no active key has the token's kid (401).
	ErrUnknownKID = errors.New("security key id is unknown")
	// ErrSignature: the signature does not verify (401).
	ErrSignature = errors.New("security key signature is invalid")
	// ErrIssuer: iss is not this gateway's (401).
	ErrIssuer = errors.New("security key issuer is wrong")
	// ErrAudience: aud does not name this gateway's audience (401).
	ErrAudience = errors.New("security key audience is wrong")
	// ErrExpired: exp has passed (401).
	ErrExpired = errors.New("security key has expired")
	// ErrNotYetValid: nbf or iat lies in the future (401).
	ErrNotYetValid = errors.New("security key is not valid yet")
	// ErrRevoked: the token's jti, or every token of its client issued
	// before a time, was revoked, or its client is no longer configured (401).
	ErrRevoked = errors.New("security key has been revoked")

	// ErrBadCredentials: sendSecurityKey with an unknown user_akses or a
	// wrong pwd_akses; the two are indistinguishable on purpose (401).
	ErrBadCredentials = errors.New("invalid user_akses or pwd_akses")
	// ErrBadRequest: a sendSecurityKey body that is not
	// {"securityKey": {"user_akses": "...", "pwd_akses": "..."}} (400).
	ErrBadRequest = errors.New("malformed security key request")
	// ErrLocked: too many failed sendSecurityKey attempts (429); the error
	// is a *LockedError carrying the wait.
	ErrLocked = errors.New("too many failed attempts")

	// ErrForbiddenMethod: the client's key does not grant the method (403).
	ErrForbiddenMethod = errors.New("method not allowed for this client")
	// ErrForbiddenInstansi: the payload names another agency's kd_instansi
	// (403).
	ErrForbiddenInstansi = errors.New("kd_instansi belongs to another agency")

	// ErrTokenMissing: an OSS call to a K/L/D method without its Token
	// (Token header, Authorization: Bearer or token query parameter) (401).
	ErrTokenMissing = errors.New("OSS Token missing")
	// ErrTokenMismatch: the OSS Token is not SHA1(USERNAME+PASSWORD+NIB+DATE)
	// for any date the skew allows (401).
	ErrTokenMismatch = errors.New("Token does not match")
)

// MissingError is ErrMissing naming the headers that were searched.
type MissingError struct{ Headers []string }

func (e *MissingError) Error() string {
	return "security key missing (headers " + strings.Join(e.Headers, ", ") + ")"
}

// Is makes errors.Is(err, ErrMissing) true.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }

// LockedError is ErrLocked with the time left before another attempt is
// considered; the glue sends it as Retry-After.
type LockedError struct{ RetryAfter time.Duration }

func (e *LockedError) Error() string {
	return "too many failed attempts, retry in " + e.RetryAfter.Round(time.Second).String()
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Seconds is RetryAfter rounded up to whole seconds (at least 1), the unit
// of the Retry-After header and of the message.
func (e *LockedError) Seconds() int {
	s := int(math.Ceil(e.RetryAfter.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}

// ForbiddenMethodError is ErrForbiddenMethod naming the client and method.
type ForbiddenMethodError struct{ Client, Method string }

func (e *ForbiddenMethodError) Error() string {
	return "client " + e.Client + " may not call method " + e.Method
}

// Is makes errors.Is(err, ErrForbiddenMethod) true.
func (e *ForbiddenMethodError) Is(target error) bool { return target == ErrForbiddenMethod }

// ForbiddenInstansiError is ErrForbiddenInstansi naming the kd_instansi the
// payload carries and the client's own.
type ForbiddenInstansiError struct{ Sent, Own string }

func (e *ForbiddenInstansiError) Error() string {
	return "kd_instansi " + e.Sent + " does not belong to the client (" + e.Own + ")"
}

// Is makes errors.Is(err, ErrForbiddenInstansi) true.
func (e *ForbiddenInstansiError) Is(target error) bool { return target == ErrForbiddenInstansi }

// reason is a short explanation safe to show a client, in both languages.
type reason struct{ id, en string }

// detailError is a sentinel with a reason: ErrBadRequest saying what is
// wrong, an invalid key saying why.
type detailError struct {
	kind error
	why  reason
}

func (e *detailError) Error() string { return e.kind.Error() + ": " + e.why.en }
func (e *detailError) Unwrap() error { return e.kind }

func badRequest(id, en string) error {
	return &detailError{kind: ErrBadRequest, why: reason{id, en}}
}

// invalidReasons explain the 401 classes that share MsgKeyInvalid.
var invalidReasons = []struct {
	err error
	why reason
}{
	{ErrMalformed, reason{"format tidak dikenali", "malformed"}},
	{ErrAlgorithm, reason{"algoritma tidak diizinkan", "algorithm not allowed"}},
	{ErrUnknownKID, reason{"kid tidak dikenal", "unknown kid"}},
	{ErrSignature, reason{"tanda tangan tidak cocok", "bad signature"}},
	{ErrIssuer, reason{"penerbit salah", "wrong issuer"}},
	{ErrAudience, reason{"audience salah", "wrong audience"}},
	{ErrNotYetValid, reason{"belum berlaku", "not valid yet"}},
}

// Status is the HTTP status (and envelope kode) an error of this package
// answers with; 500 for an error it does not know.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrLocked):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrForbiddenMethod), errors.Is(err, ErrForbiddenInstansi):
		return http.StatusForbidden
	case errors.Is(err, ErrMissing), errors.Is(err, ErrExpired), errors.Is(err, ErrRevoked),
		errors.Is(err, ErrBadCredentials), errors.Is(err, ErrTokenMissing), errors.Is(err, ErrTokenMismatch):
		return http.StatusUnauthorized
	}
	for _, r := range invalidReasons {
		if errors.Is(err, r.err) {
			return http.StatusUnauthorized
		}
	}
	return http.StatusInternalServerError
}

// Describe is the status and the sentence (pia.Msg in language l) the
// gateway answers an error of this package with, ready for a pia.Envelope.
// An unknown error gets 500 and MsgInternal: its text is for the log only.
func Describe(err error, l pia.Lang) (int, string) {
	status := Status(err)
	var (
		missing   *MissingError
		locked    *LockedError
		method    *ForbiddenMethodError
		instansi  *ForbiddenInstansiError
		detail    *detailError
		localised = func(r reason) string {
			if l == pia.English {
				return r.en
			}
			return r.id
		}
	)
	switch {
	case err == nil:
		return status, ""
	case errors.As(err, &missing):
		return status, l.Text(pia.MsgKeyMissing, strings.Join(missing.Headers, ", "))
	case errors.Is(err, ErrMissing):
		return status, l.Text(pia.MsgKeyMissing, strings.Join(DefaultHeaders, ", "))
	case errors.As(err, &locked):
		return status, l.Text(pia.MsgLockedOut, locked.Seconds())
	case errors.Is(err, ErrLocked):
		return status, l.Text(pia.MsgLockedOut, int(DefaultCoolDown.Seconds()))
	case errors.As(err, &method):
		return status, l.Text(pia.MsgMethodForbidden, method.Client, method.Method)
	case errors.Is(err, ErrForbiddenMethod): // the package always returns the type; "-" for the bare sentinel
		return status, l.Text(pia.MsgMethodForbidden, "-", "-")
	case errors.As(err, &instansi):
		return status, l.Text(pia.MsgInstansiForbidden, instansi.Sent, instansi.Own)
	case errors.Is(err, ErrForbiddenInstansi):
		return status, l.Text(pia.MsgInstansiForbidden, "-", "-")
	case errors.Is(err, ErrBadRequest):
		why := reason{"body tidak sesuai", "unexpected body"}
		if errors.As(err, &detail) {
			why = detail.why
		}
		return status, l.Text(pia.MsgBadKeyRequest, localised(why))
	case errors.Is(err, ErrBadCredentials):
		return status, l.Text(pia.MsgBadCredentials)
	case errors.Is(err, ErrExpired):
		return status, l.Text(pia.MsgKeyExpired)
	case errors.Is(err, ErrRevoked):
		return status, l.Text(pia.MsgKeyRevoked)
	case errors.Is(err, ErrTokenMissing):
		return status, l.Text(pia.MsgTokenMissing)
	case errors.Is(err, ErrTokenMismatch):
		return status, l.Text(pia.MsgTokenMismatch)
	}
	for _, r := range invalidReasons {
		if errors.Is(err, r.err) {
			return status, l.Text(pia.MsgKeyInvalid, localised(r.why))
		}
	}
	return http.StatusInternalServerError, l.Text(pia.MsgInternal)
}
