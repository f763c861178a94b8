package clickhouse

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{name: "defaults", mutate: func(*Config) {}},
		{name: "tcp scheme and options", mutate: func(c *Config) { c.DSN = "tcp://u:p@h1:9000,h2:9000/analytics?dial_timeout=1s" }},
		{name: "no retries", mutate: func(c *Config) { c.MaxRetries = 0 }},
		{name: "empty dsn", mutate: func(c *Config) { c.DSN = "" }, want: []string{"dsn: required"}},
		{name: "http dsn", mutate: func(c *Config) { c.DSN = "http://127.0.0.1:8123/default" }, want: []string{"dsn: scheme \"http\""}},
		{name: "no host", mutate: func(c *Config) { c.DSN = "clickhouse:///default" }, want: []string{"dsn: parse"}},
		{name: "not a url", mutate: func(c *Config) { c.DSN = "clickhouse://h:9000/%zz" }, want: []string{"dsn:"}},
		{name: "bad database", mutate: func(c *Config) { c.DSN = "clickhouse://h:9000/a-b" }, want: []string{"dsn: database"}},
		{name: "bad table", mutate: func(c *Config) { c.Table = "clicks;" }, want: []string{"table:"}},
		{name: "negative compact interval", mutate: func(c *Config) { c.CompactInterval = -time.Second }, want: []string{"compact_interval:"}},
		{name: "negative compact settle", mutate: func(c *Config) { c.CompactSettle = -time.Second }, want: []string{"compact_settle:"}},
		{name: "negative durations and retries", mutate: func(c *Config) {
			c.DialTimeout, c.RetryBackoff, c.MaxRetries = -time.Second, -time.Second, -1
		}, want: []string{"dial_timeout", "retry_backoff", "max_retries"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfig("clickhouse://127.0.0.1:19000/default")
			tt.mutate(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors naming %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{DSN: "clickhouse://h:9000"}.WithDefaults()
	if c.Table != "clicks" || c.DialTimeout != DefaultDialTimeout || c.RetryBackoff != DefaultRetryBackoff || c.MaxRetries != 0 {
		t.Errorf("WithDefaults() = %+v", c)
	}
	if n := NewConfig("clickhouse://h:9000"); n.MaxRetries != DefaultMaxRetries {
		t.Errorf("NewConfig MaxRetries = %d, want %d", n.MaxRetries, DefaultMaxRetries)
	}
}

func TestConfigErrorHidesPassword(t *testing.T) {
	c := NewConfig("clickhouse://user:s3cret@h:9000/%zz")
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Validate() = %v, want an error without the password", err)
	}
}
