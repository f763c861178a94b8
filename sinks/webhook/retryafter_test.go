package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"zero raised to min", "0", MinRetryAfter},
		{"above max", "3601", MaxRetryAfter},
		{"overflows int64", "99999999999999999999999", MaxRetryAfter},
		{"negative", "-5", 0},
		{"fraction", "1.5", 0},
		{"spaces", " 5", 0},
		{"garbage", "soon", 0},
		{"date", now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), MinRetryAfter},
		{"date far ahead", now.Add(48 * time.Hour).Format(http.TimeFormat), MaxRetryAfter},
		{"RFC 850 date", now.Add(time.Minute).Format(time.RFC850), time.Minute},
		{"too long", strings.Repeat("1", 65), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.value, now); got != tt.want {
				t.Fatalf("parseRetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "120", "-1", "Mon, 23 Nov 2026 12:10:00 GMT", "Monday, 23-Nov-26 12:00:00 GMT", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d != 0 && (d < MinRetryAfter || d > MaxRetryAfter) {
			t.Fatalf("parseRetryAfter(%q) = %s, outside [%s, %s]", v, d, MinRetryAfter, MaxRetryAfter)
		}
	})
}
