package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

func TestDefaultTopics(t *testing.T) {
	byName := make(map[string]TopicSpec)
	for _, s := range DefaultTopics() {
		byName[s.Name] = s
	}
	tests := []struct {
		name      string
		compacted bool
	}{
		{schemas.TopicClicksRaw, false},
		{schemas.TopicClicksEnriched, false},
		{schemas.TopicLinks, true},
		{schemas.DeadLetterTopic(schemas.TopicClicksRaw), false},
		{schemas.DeadLetterTopic(schemas.TopicClicksEnriched), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := byName[tt.name]
			if !ok {
				t.Fatalf("DefaultTopics lacks %s", tt.name)
			}
			if s.Compacted != tt.compacted {
				t.Errorf("compacted = %v, want %v", s.Compacted, tt.compacted)
			}
		})
	}
	if raw := byName[schemas.TopicClicksRaw].RetentionMs; raw <= 0 || raw > RawClickRetention.Milliseconds() {
		t.Errorf("clicks.raw.v1 retention %dms: want a short, finite retention", raw)
	}
}

func TestKafkaConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*KafkaConfig)
		want   string
	}{
		{"valid", func(*KafkaConfig) {}, ""},
		{"no brokers", func(c *KafkaConfig) { c.Brokers = nil }, "brokers:"},
		{"broker without port", func(c *KafkaConfig) { c.Brokers = []string{"kafka"} }, "brokers[0]"},
		{"zero partitions", func(c *KafkaConfig) { c.Partitions = -1 }, "partitions"},
		{"zero replication", func(c *KafkaConfig) { c.ReplicationFactor = -1 }, "replication_factor"},
		{"produce timeout below 1s", func(c *KafkaConfig) { c.ProduceTimeout = 999 * time.Millisecond }, "produce_timeout"},
		{"negative retry timeout", func(c *KafkaConfig) { c.HandlerRetryTimeout = -1 }, "handler_retry_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := KafkaConfig{Brokers: []string{"127.0.0.1:9092", "[::1]:9092"}}.WithDefaults()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if _, err := NewKafkaConsumer(KafkaConfig{Brokers: []string{"127.0.0.1:9092"}}, "", "a/b", BatchOptions{}); err == nil ||
		!strings.Contains(err.Error(), "group") || !strings.Contains(err.Error(), "topic") {
		t.Errorf("NewKafkaConsumer with no group and a bad topic = %v, want both named", err)
	}
}
