package linkapi

import (
	"strings"
	"testing"
	"time"
)

func TestJobsConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*JobsConfig)
		want   string // "" for valid
	}{
		{"zero value", func(*JobsConfig) {}, ""},
		{"set", func(c *JobsConfig) {
			c.CallbackAttempts, c.CallbackBackoff, c.CallbackTimeout = 3, time.Second, time.Second
		}, ""},
		{"negative attempts", func(c *JobsConfig) { c.CallbackAttempts = -1 }, "Jobs.CallbackAttempts"},
		{"negative backoff", func(c *JobsConfig) { c.CallbackBackoff = -time.Second }, "Jobs.CallbackBackoff"},
		{"negative timeout", func(c *JobsConfig) { c.CallbackTimeout = -time.Second }, "Jobs.CallbackTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c JobsConfig
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
	if _, err := NewJobRunner(APIConfig{Jobs: JobsConfig{CallbackAttempts: -1}}); err == nil ||
		!strings.Contains(err.Error(), "Jobs.CallbackAttempts") || !strings.Contains(err.Error(), "store") {
		t.Errorf("NewJobRunner with a bad config: %v", err)
	}
}
