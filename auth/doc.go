// Package auth issues and verifies the security keys of the PIA gateway
// and verifies the Token OSS puts on its calls to K/L/D systems. It knows
// nothing of Caddy; caddymodule wires it.
//
// # Security keys (K/L/D → OSS)
//
// sendSecurityKey is answered by the gateway itself: Authority.IssueRequest
// reads {"securityKey": {"user_akses", "pwd_akses"}}, checks the password
// against the client's bcrypt hash and signs a JWT whose claims carry the
// grant (client, methods, pia_version, kd_instansi). The answer's
// masa_berlaku is the expiry in Jakarta time (Issued.Members). Every other
// method reads the key from user_key, OSS-API-KEY or Authorization: Bearer
// (Authority.Authenticate) and checks the grant (Authority.Authorize).
//
// A client's password hash is produced with
//
//	caddy hash-password --algorithm bcrypt
//
// (bcrypt is also the default algorithm), which prints $2a$14$...; the
// base64 form older Caddy versions printed is accepted too. HashPassword
// does the same in Go. Plaintext and argon2id hashes are refused.
//
// # Keys and rotation
//
// Keys are HS256 (a secret of at least 32 bytes, from the environment),
// RS256, ES256 or EdDSA (PEM files). Each has a kid and is pinned to its
// algorithm. One key signs (Config.SigningKey, by default the first that
// can); the others verify only, so a new key is rolled in by adding it as
// the signing key and keeping the old one until the old tokens expire.
// Authority.JWKS publishes the asymmetric public keys.
//
// # Defaults
//
// New owns every default: a zero value in Config (or in its Lockout and
// Revocation) means the default its field documents, never "off" or
// "always"; Authority.Config reports what is in force, for the glue to
// show. Where a method's payload keeps the NIB or the kd_instansi is read
// from its pia.Method (RequestRoot), not from tables of this package.
//
// # Revocation
//
// A token (by jti) or every token of a client issued before a time is
// refused until it would have expired. The list is one JSON document in a
// Storage shared by the gateway instances (Caddy's storage), merged on
// every write, so instances never lose one another's revocations; each
// instance reads an in-memory copy refreshed at most every
// RefreshInterval (several authorities may share one copy:
// Config.Revocations). Revocations only grow until they expire: there is
// no un-revoke. A Revocation is one revocation as configuration and the
// admin API state it; Revocations.Revoke parses and applies it.
//
// # OSS Token (OSS → K/L/D)
//
// OSSToken checks Token: SHA1(USERNAME+PASSWORD+NIB+DATE(Ymd)) on
// receiveNIB, receiveFileDS, receiveNIBSTPW, receiveNIBKKPR and
// receiveNIBPSE, with a skew around midnight Jakarta time.
//
// # Errors
//
// Every refusal is one of the Err* values (or a type that Is one). Status
// gives its HTTP status and Describe its sentence in the gateway's language;
// neither, nor any error text, ever contains a token, password or key.
package auth
