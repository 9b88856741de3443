package auth

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchmarkVerify measures Authenticate (Extract + Verify + the revocation
// check against the in-memory copy) as the request path runs it, with the
// production refresh interval: a key's first call (parse and signature)
// and its repeated calls (remembered).
func benchmarkVerify(b *testing.B, keys []Key) {
	clk := newClock()
	a := newAuthority(b, clk, nil, func(c *Config) {
		c.Keys = keys
		c.Revocation.RefreshInterval = DefaultRefreshInterval
	})
	iss, err := a.Issue("dinas-user", pwdDinas, "")
	require.NoError(b, err)
	h := http.Header{}
	h.Set("user_key", iss.Token)
	ctx := context.Background()
	b.Run("first call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.verified.entries = nil
			if _, err := a.Authenticate(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("repeated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Authenticate(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyHS256(b *testing.B) {
	benchmarkVerify(b, []Key{{ID: "hs1", Algorithm: HS256, Secret: hsSecret}})
}

func BenchmarkVerifyES256(b *testing.B) {
	testKeys(b)
	benchmarkVerify(b, []Key{{ID: "es1", Algorithm: ES256, PrivateKeyPEM: privPEM(b, ecPriv)}})
}

func BenchmarkVerifyEdDSA(b *testing.B) {
	testKeys(b)
	benchmarkVerify(b, []Key{{ID: "ed1", Algorithm: EdDSA, PrivateKeyPEM: privPEM(b, edPriv)}})
}

func BenchmarkExtract(b *testing.B) {
	const tok = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImhzMSJ9.e30.c2ln"
	for _, bc := range []struct {
		name string
		h    http.Header
	}{
		{"user_key", http.Header{"User_key": {tok}}},
		{"bearer, after two absent headers", http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}, "Accept": {"*/*"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := Extract(bc.h, DefaultHeaders); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkOSSTokenVerify(b *testing.B) {
	clk := newClock()
	o := &OSSToken{Username: ossUser, Password: ossPass, Now: clk.Now}
	tok := ComputeOSSToken(ossUser, ossPass, nib, clk.Now())
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Verify(tok, nib); err != nil {
			b.Fatal(err)
		}
	}
}
