package bulk

import (
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string // "" for valid
	}{
		{"zero value", func(*Config) {}, ""},
		{"set", func(c *Config) {
			c.CallbackAttempts, c.CallbackBackoff, c.CallbackTimeout = 3, time.Second, time.Second
		}, ""},
		{"negative attempts", func(c *Config) { c.CallbackAttempts = -1 }, "Jobs.CallbackAttempts"},
		{"negative backoff", func(c *Config) { c.CallbackBackoff = -time.Second }, "Jobs.CallbackBackoff"},
		{"negative timeout", func(c *Config) { c.CallbackTimeout = -time.Second }, "Jobs.CallbackTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			tc.mutate(&c)
			err := c.Validate("Jobs")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	if _, err := NewRunner(linkapi.APIConfig{}, Config{CallbackAttempts: -1}); err == nil ||
		!strings.Contains(err.Error(), "Jobs.CallbackAttempts") || !strings.Contains(err.Error(), "store") {
		t.Errorf("NewRunner with a bad config: %v", err)
	}
	if _, err := Routes(linkapi.APIConfig{}, Config{CallbackAttempts: -1}); err == nil ||
		!strings.Contains(err.Error(), "Jobs.CallbackAttempts") || !strings.Contains(err.Error(), "store") {
		t.Errorf("Routes with a bad config: %v", err)
	}
}
