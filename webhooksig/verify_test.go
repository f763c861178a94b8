package webhooksig

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// specHeaders returns the headers of the spec vector (see sign_test.go).
func specHeaders() http.Header {
	h := http.Header{}
	h.Set(HeaderID, specMsgID)
	h.Set(HeaderTimestamp, strconv.Itoa(specUnix))
	h.Set(HeaderSignature, specSignature)
	return h
}

func TestVerify(t *testing.T) {
	sent := time.Unix(specUnix, 0)
	other := NewSecret()
	// Wrong signatures from the reference libraries' tests.
	const wrongV1 = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
	tests := []struct {
		name      string
		secrets   []string
		mutate    func(h http.Header)
		body      string
		now       time.Time
		tolerance time.Duration
		want      error // nil means valid
	}{
		{name: "spec vector", now: sent},
		{name: "unprefixed secret", secrets: []string{strings.TrimPrefix(specSecret, SecretPrefix)}, now: sent},
		{name: "rotation: old secret second", secrets: []string{other, specSecret}, now: sent},
		{name: "rotation: several signatures, one valid", now: sent, mutate: func(h http.Header) {
			h.Set(HeaderSignature, strings.Join([]string{wrongV1, "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", specSignature, wrongV1}, " "))
		}},
		{name: "extra spaces", now: sent, mutate: func(h http.Header) { h.Set(HeaderSignature, "  "+specSignature+"   v1a,xyz ") }},
		{name: "just inside tolerance, late", now: sent.Add(DefaultTolerance)},
		{name: "just inside tolerance, early", now: sent.Add(-DefaultTolerance)},
		{name: "too old", now: sent.Add(DefaultTolerance + time.Second), want: ErrTimestampTooOld},
		{name: "too new", now: sent.Add(-DefaultTolerance - time.Second), want: ErrTimestampTooNew},
		{name: "custom tolerance", now: sent.Add(time.Hour), tolerance: 2 * time.Hour},
		{name: "custom tolerance exceeded", now: sent.Add(3 * time.Second), tolerance: 2 * time.Second, want: ErrTimestampTooOld},
		{name: "body changed", now: sent, body: `{"test": 2432232315}`, want: ErrNoMatchingSignature},
		{name: "id changed", now: sent, mutate: func(h http.Header) { h.Set(HeaderID, "msg_other") }, want: ErrNoMatchingSignature},
		{name: "wrong secret", secrets: []string{other}, now: sent, want: ErrNoMatchingSignature},
		{name: "wrong signature", now: sent, mutate: func(h http.Header) { h.Set(HeaderSignature, wrongV1) }, want: ErrNoMatchingSignature},
		{name: "signature cut short", now: sent, mutate: func(h http.Header) { h.Set(HeaderSignature, specSignature[:8]) }, want: ErrNoMatchingSignature},
		{name: "empty v1", now: sent, mutate: func(h http.Header) { h.Set(HeaderSignature, "v1,") }, want: ErrNoMatchingSignature},
		{name: "valid value under another version", now: sent, mutate: func(h http.Header) {
			h.Set(HeaderSignature, "v1a,"+strings.TrimPrefix(specSignature, "v1,"))
		}, want: ErrNoMatchingSignature},
		{name: "missing id", now: sent, mutate: func(h http.Header) { h.Del(HeaderID) }, want: ErrMissingHeader},
		{name: "missing timestamp", now: sent, mutate: func(h http.Header) { h.Del(HeaderTimestamp) }, want: ErrMissingHeader},
		{name: "missing signature", now: sent, mutate: func(h http.Header) { h.Del(HeaderSignature) }, want: ErrMissingHeader},
		{name: "timestamp not a number", now: sent, mutate: func(h http.Header) { h.Set(HeaderTimestamp, "hello") }, want: ErrInvalidHeader},
		{name: "timestamp with sign", now: sent, mutate: func(h http.Header) { h.Set(HeaderTimestamp, "+"+strconv.Itoa(specUnix)) }, want: ErrInvalidHeader},
		{name: "timestamp with fraction", now: sent, mutate: func(h http.Header) { h.Set(HeaderTimestamp, strconv.Itoa(specUnix)+".5") }, want: ErrInvalidHeader},
		{name: "timestamp overflows", now: sent, mutate: func(h http.Header) { h.Set(HeaderTimestamp, strings.Repeat("9", 40)) }, want: ErrInvalidHeader},
		{name: "id with full stop", now: sent, mutate: func(h http.Header) { h.Set(HeaderID, "msg.1") }, want: ErrInvalidHeader},
		{name: "no secrets", secrets: []string{}, now: sent, want: ErrInvalidSecret},
		{name: "bad secret", secrets: []string{specSecret, "whsec_???"}, now: sent, want: ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := specHeaders()
			if tt.mutate != nil {
				tt.mutate(h)
			}
			secrets := tt.secrets
			if secrets == nil {
				secrets = []string{specSecret}
			}
			body := tt.body
			if body == "" {
				body = specPayload
			}
			err := Verify(secrets, h, []byte(body), tt.now, tt.tolerance)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyNegativeTolerance(t *testing.T) {
	err := Verify([]string{specSecret}, specHeaders(), []byte(specPayload), time.Unix(specUnix, 0), -time.Second)
	if err == nil || !strings.Contains(err.Error(), "tolerance") {
		t.Fatalf("Verify = %v, want a tolerance error", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	current, old := NewSecret(), NewSecret()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"click.created"}`)
	var sigs []string
	for _, s := range []string{current, old} {
		sig, err := Sign(s, "0193a6f2-7c1e-7b3a-9f00-000000000001", now, body)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, "0193a6f2-7c1e-7b3a-9f00-000000000001")
	h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	// A receiver that knows either secret accepts the message.
	for _, secrets := range [][]string{{current}, {old}, {NewSecret(), old}} {
		if err := Verify(secrets, h, body, now, 0); err != nil {
			t.Errorf("Verify with %d secret(s): %v", len(secrets), err)
		}
	}
	if err := Verify([]string{NewSecret()}, h, body, now, 0); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("Verify with an unrelated secret = %v, want ErrNoMatchingSignature", err)
	}
}

func TestParseSignatures(t *testing.T) {
	tests := []struct {
		name, header string
		want         []signature
	}{
		{"one", "v1,abc=", []signature{{"v1", "abc="}}},
		{"two", "v1,abc= v1a,def==", []signature{{"v1", "abc="}, {"v1a", "def=="}}},
		{"runs of spaces", "  v1,a   v1,b  ", []signature{{"v1", "a"}, {"v1", "b"}}},
		{"no comma", "v1abc", nil},
		{"empty version", ",abc", nil},
		{"empty value", "v1,", nil},
		{"empty", "", nil},
		{"comma in value kept", "v1,a,b", []signature{{"v1", "a,b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseSignatures(tt.header)
			if len(got) != len(tt.want) {
				t.Fatalf("parseSignatures(%q) = %v, want %v", tt.header, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzParseSignatures(f *testing.F) {
	f.Add(specSignature)
	f.Add("v1,abc v1a,def  ,x v1, ")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		for _, s := range parseSignatures(h) {
			if s.version == "" || s.value == "" || strings.Contains(s.version, ",") ||
				strings.Contains(s.version+s.value, " ") {
				t.Fatalf("parseSignatures(%q) returned malformed entry %+v", h, s)
			}
			if !strings.Contains(h, s.version+","+s.value) {
				t.Fatalf("entry %+v is not in %q", s, h)
			}
		}
	})
}

// FuzzVerify checks that arbitrary headers and bodies never panic, and that
// only the untouched signed message verifies.
func FuzzVerify(f *testing.F) {
	f.Add(specMsgID, strconv.Itoa(specUnix), specSignature, []byte(specPayload))
	f.Add("msg", "0", "v1,AAAA v1a,x", []byte("{}"))
	f.Add("", "-1", ",", []byte(nil))
	now := time.Unix(specUnix, 0)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		err := Verify([]string{specSecret}, h, body, now, 0)
		if err != nil {
			return
		}
		// It verified: it must be the vector itself, or a fresh valid
		// signature of this id, timestamp and body.
		unix, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil {
			t.Fatalf("verified with unparsable timestamp %q", ts)
		}
		want, serr := Sign(specSecret, id, time.Unix(unix, 0), body)
		if serr != nil {
			t.Fatalf("verified a message Sign refuses: %v", serr)
		}
		wantMAC, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(want, "v1,"))
		found := false
		for _, s := range parseSignatures(sig) {
			// Compare decoded bytes: base64 has several spellings of one value.
			got, derr := base64.StdEncoding.DecodeString(s.value)
			if s.version == "v1" && derr == nil && bytes.Equal(got, wantMAC) {
				found = true
			}
		}
		if !found {
			t.Fatalf("verified id=%q ts=%q sig=%q without its signature %q", id, ts, sig, want)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	h := specHeaders()
	now := time.Unix(specUnix, 0)
	secrets := []string{specSecret}
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(secrets, h, []byte(specPayload), now, 0); err != nil {
			b.Fatal(err)
		}
	}
}
