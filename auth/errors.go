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
// Describe and count with MetricLabel (both read the table rejections). None of them, nor the types below, ever carry a
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

// detailError is a sentinel with a reason safe to show a client (a
// pia.MsgWhy…): ErrBadRequest saying what is wrong.
type detailError struct {
	kind error
	why  pia.Msg
}

func (e *detailError) Error() string { return e.kind.Error() + ": " + pia.English.Text(e.why) }
func (e *detailError) Unwrap() error { return e.kind }

func badRequest(why pia.Msg) error {
	return &detailError{kind: ErrBadRequest, why: why}
}

// A rejection is how the gateway answers one rejection class: the one
// place that maps an error of this package to its HTTP status, its
// sentence and its metrics label (Status, Describe and MetricLabel read it).
type rejection struct {
	class  error // a sentinel above; the first class err Is wins
	status int   // HTTP status and envelope kode
	label  string
	text   func(err error, l pia.Lang) string
}

var rejections = []rejection{
	{ErrMissing, http.StatusUnauthorized, "missing", func(err error, l pia.Lang) string {
		headers := DefaultHeaders
		var missing *MissingError
		if errors.As(err, &missing) {
			headers = missing.Headers
		}
		return l.Text(pia.MsgKeyMissing, strings.Join(headers, ", "))
	}},
	{ErrLocked, http.StatusTooManyRequests, "locked", func(err error, l pia.Lang) string {
		wait := int(DefaultCoolDown.Seconds())
		var locked *LockedError
		if errors.As(err, &locked) {
			wait = locked.Seconds()
		}
		return l.Text(pia.MsgLockedOut, wait)
	}},
	{ErrForbiddenMethod, http.StatusForbidden, "forbidden_method", func(err error, l pia.Lang) string {
		var method *ForbiddenMethodError
		if errors.As(err, &method) {
			return l.Text(pia.MsgMethodForbidden, method.Client, method.Method)
		}
		return l.Text(pia.MsgMethodForbidden, "-", "-") // the package always returns the type; "-" for the bare sentinel
	}},
	{ErrForbiddenInstansi, http.StatusForbidden, "forbidden_instansi", func(err error, l pia.Lang) string {
		var instansi *ForbiddenInstansiError
		if errors.As(err, &instansi) {
			return l.Text(pia.MsgInstansiForbidden, instansi.Sent, instansi.Own)
		}
		return l.Text(pia.MsgInstansiForbidden, "-", "-")
	}},
	{ErrBadRequest, http.StatusBadRequest, "bad_request", func(err error, l pia.Lang) string {
		why := pia.MsgWhyUnexpectedBody
		var detail *detailError
		if errors.As(err, &detail) {
			why = detail.why
		}
		return l.Text(pia.MsgBadKeyRequest, why)
	}},
	{ErrBadCredentials, http.StatusUnauthorized, "bad_credentials", fixed(pia.MsgBadCredentials)},
	{ErrExpired, http.StatusUnauthorized, "expired", fixed(pia.MsgKeyExpired)},
	{ErrRevoked, http.StatusUnauthorized, "revoked", fixed(pia.MsgKeyRevoked)},
	{ErrTokenMissing, http.StatusUnauthorized, "oss_token_missing", fixed(pia.MsgTokenMissing)},
	{ErrTokenMismatch, http.StatusUnauthorized, "oss_token_mismatch", fixed(pia.MsgTokenMismatch)},
	// The invalid keys share MsgKeyInvalid, each with its reason.
	{ErrMalformed, http.StatusUnauthorized, "malformed", invalid(pia.MsgWhyMalformed)},
	{ErrAlgorithm, http.StatusUnauthorized, "algorithm", invalid(pia.MsgWhyAlgorithm)},
	{ErrUnknownKID, http.StatusUnauthorized, "unknown_kid", invalid(pia.MsgWhyUnknownKID)},
	{ErrSignature, http.StatusUnauthorized, "signature", invalid(pia.MsgWhySignature)},
	{ErrIssuer, http.StatusUnauthorized, "issuer", invalid(pia.MsgWhyIssuer)},
	{ErrAudience, http.StatusUnauthorized, "audience", invalid(pia.MsgWhyAudience)},
	{ErrNotYetValid, http.StatusUnauthorized, "not_yet_valid", invalid(pia.MsgWhyNotYetValid)},
}

func fixed(m pia.Msg) func(error, pia.Lang) string {
	return func(_ error, l pia.Lang) string { return l.Text(m) }
}

func invalid(why pia.Msg) func(error, pia.Lang) string {
	return func(_ error, l pia.Lang) string { return l.Text(pia.MsgKeyInvalid, why) }
}

// rejectionOf is the rejection of err's class; nil for nil or an error the
// package does not know.
func rejectionOf(err error) *rejection {
	if err == nil {
		return nil
	}
	for i := range rejections {
		if errors.Is(err, rejections[i].class) {
			return &rejections[i]
		}
	}
	return nil
}

// Status is the HTTP status (and envelope kode) an error of this package
// answers with; 500 for an error it does not know.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if r := rejectionOf(err); r != nil {
		return r.status
	}
	return http.StatusInternalServerError
}

// Describe is the status and the sentence (pia.Msg in language l) the
// gateway answers an error of this package with, ready for a pia.Envelope.
// An unknown error gets 500 and MsgInternal: its text is for the log only.
func Describe(err error, l pia.Lang) (int, string) {
	if err == nil {
		return http.StatusOK, ""
	}
	if r := rejectionOf(err); r != nil {
		return r.status, r.text(err, l)
	}
	return http.StatusInternalServerError, l.Text(pia.MsgInternal)
}

// MetricLabel is the reason label of caddy_pia_tokens_rejected_total for
// an error of this package: "other" for an error it does not know.
func MetricLabel(err error) string {
	if r := rejectionOf(err); r != nil {
		return r.label
	}
	return "other"
}
