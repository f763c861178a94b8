package webhooksig

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The vector of the spec's reference libraries: TestWebhookSign in
// libraries/go/webhook_test.go and "sign function works" in
// libraries/javascript/src/webhook.test.ts of
// github.com/standard-webhooks/standard-webhooks.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specUnix      = 1614265330
	specPayload   = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	for _, secret := range []string{specSecret, strings.TrimPrefix(specSecret, SecretPrefix)} {
		got, err := Sign(secret, specMsgID, time.Unix(specUnix, 0), []byte(specPayload))
		if err != nil {
			t.Fatal(err)
		}
		if got != specSignature {
			t.Errorf("Sign(%q) = %q, want %q", secret, got, specSignature)
		}
	}
}

func TestSignRejects(t *testing.T) {
	ts := time.Unix(specUnix, 0)
	tests := []struct {
		name, secret, id string
		ts               time.Time
		want             string
	}{
		{"empty secret", "", specMsgID, ts, "empty"},
		{"prefix only", SecretPrefix, specMsgID, ts, "empty"},
		{"secret not base64", "whsec_not*base64", specMsgID, ts, "not base64"},
		{"secret too short", "whsec_c2hvcnQ=", specMsgID, ts, "5 bytes"},
		{"secret too long", SecretPrefix + strings.Repeat("QUFB", 30), specMsgID, ts, "longer than 64"},
		{"empty id", specSecret, "", ts, "message id: empty"},
		{"id with full stop", specSecret, "msg.1", ts, "full stops"},
		{"id with space", specSecret, "msg 1", ts, "byte 3"},
		{"id with newline", specSecret, "msg\n1", ts, "byte 3"},
		{"id too long", specSecret, strings.Repeat("a", 257), ts, "longer than 256"},
		{"before 1970", specSecret, specMsgID, time.Unix(-1, 0), "before 1970"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Sign(tt.secret, tt.id, tt.ts, []byte("{}"))
			if err == nil {
				t.Fatalf("Sign = %q, want an error", sig)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.secret != specSecret && !errors.Is(err, ErrInvalidSecret) {
				t.Errorf("error %v is not ErrInvalidSecret", err)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two NewSecret calls returned the same secret")
	}
	for _, s := range []string{a, b} {
		if !strings.HasPrefix(s, SecretPrefix) {
			t.Errorf("%q lacks the %q prefix", s, SecretPrefix)
		}
		key, err := decodeSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(key) != 32 {
			t.Errorf("key of %d bytes, want 32", len(key))
		}
	}
}

func TestValidateSecret(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"spec secret", specSecret, true},
		{"unprefixed", strings.TrimPrefix(specSecret, SecretPrefix), true},
		{"new secret", NewSecret(), true},
		{"64 bytes", SecretPrefix + strings.Repeat("QUFB", 21) + "QQ==", true},
		{"65 bytes", SecretPrefix + strings.Repeat("QUFB", 21) + "QUE=", false},
		{"23 bytes", SecretPrefix + strings.Repeat("QUFB", 7) + "QUE=", false},
		{"unpadded", SecretPrefix + strings.Repeat("QUFB", 8) + "QUE", false},
		{"url alphabet", SecretPrefix + strings.Repeat("_-_-", 8), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSecret(tt.secret)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateSecret = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(tt.secret, SecretPrefix)) {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	body := []byte(`{"type":"click.created","timestamp":"2026-11-23T12:00:00Z","data":{"click_id":"0193a6f2-7c1e-7b3a-9f00-000000000001","link_id":"lnk_1","short_url":"https://go.brand.com/spring","domain":"go.brand.com","destination":"https://example.com/spring?utm_source=newsletter","utm":{"source":"newsletter"},"country":"DE","device_class":"mobile","referrer_host":"mail.google.com","bot":false,"visitor_hash":"1234567890123456789"}}`)
	secret := NewSecret()
	ts := time.Unix(specUnix, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(secret, "0193a6f2-7c1e-7b3a-9f00-000000000001", ts, body); err != nil {
			b.Fatal(err)
		}
	}
}
