package engine

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerifySignature: any header and body give nil or ErrUnauthorized, never a panic;
// a header accepted for a body carries the HMAC of that body (nothing else passes);
// and a header made by Sign always passes. Seeds: testdata/fuzz/FuzzVerifySignature.
func FuzzVerifySignature(f *testing.F) {
	const now = 1_700_000_000
	f.Add("s3cret", "t=1700000000,v1="+strings.Repeat("ab", 32), []byte(`{"amount": 42}`), int64(now))
	f.Add("s3cret", Sign("s3cret", time.Unix(now, 0), []byte(`{}`)), []byte(`{}`), int64(now))
	f.Add("k", "t=+1700000000, v1=00,v0=zz,,=", []byte(""), int64(now))
	f.Add("", "t=1700000000,t=1,v1="+strings.Repeat("0", 64), []byte("x"), int64(now))
	f.Add("k", "t=99999999999999999999,v1="+strings.Repeat("0", 64), []byte("x"), int64(-1<<62))
	f.Fuzz(func(t *testing.T, secret, header string, body []byte, nowSec int64) {
		at := time.Unix(nowSec, 0)
		err := VerifySignature(secret, header, body, at)
		if err != nil {
			if !errors.Is(err, ErrUnauthorized) || err.Error() == "" {
				t.Fatalf("error %v is not ErrUnauthorized with a message", err)
			}
		} else {
			// Accepted: one v1 must be the HMAC of "t.body" with the header's own t.
			var ts string
			var macs []string
			for part := range strings.SplitSeq(header, ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
				switch k {
				case "t":
					ts = v
				case "v1":
					macs = append(macs, strings.ToLower(v))
				}
			}
			want := hex.EncodeToString(signature(secret, ts, body))
			found := false
			for _, m := range macs {
				found = found || hmac.Equal([]byte(m), []byte(want))
			}
			if !found {
				t.Fatalf("accepted %q for body %q without its HMAC", header, body)
			}
		}
		if nowSec > -1<<40 && nowSec < 1<<40 { // time.Unix(...).Unix() round-trips here
			if err := VerifySignature(secret, Sign(secret, at, body), body, at); err != nil {
				t.Fatalf("a fresh signature was refused: %v", err)
			}
		}
	})
}
