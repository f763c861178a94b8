package ingest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/schemas"
)

// TopicSpec describes a topic EnsureTopics creates.
type TopicSpec struct {
	Name string
	// Partitions; 0 means KafkaConfig.Partitions.
	Partitions int32
	// Compacted topics keep the last record per key (cleanup.policy=compact).
	Compacted bool
	// RetentionMs sets retention.ms; 0 keeps the broker default, -1 is forever.
	RetentionMs int64
}

// Retention of the default topics.
const (
	// RawClickRetention bounds how long Kafka keeps visitors' full
	// addresses: long enough for enrichment to be down over a weekend
	// without losing a click, no longer (README, Privacy). Its dead-letter
	// topic keeps DeadLetterRetention, which is safe only because the
	// enrich stage truncates the address of what it dead-letters.
	RawClickRetention      = 3 * 24 * time.Hour
	EnrichedClickRetention = 7 * 24 * time.Hour
	DeadLetterRetention    = 30 * 24 * time.Hour // time for a human to look
)

// DefaultTopics returns the specs of clicktrail's topics: clicks.raw.v1 with a
// short retention (it carries raw IPs), clicks.enriched.v1, the compacted
// links.v1 table, and a dead-letter topic for each.
func DefaultTopics() []TopicSpec {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	return []TopicSpec{
		{Name: schemas.TopicClicksRaw, RetentionMs: ms(RawClickRetention)},
		{Name: schemas.TopicClicksEnriched, RetentionMs: ms(EnrichedClickRetention)},
		{Name: schemas.TopicLinks, Compacted: true, RetentionMs: -1},
		{Name: schemas.DeadLetterTopic(schemas.TopicClicksRaw), RetentionMs: ms(DeadLetterRetention)},
		{Name: schemas.DeadLetterTopic(schemas.TopicClicksEnriched), RetentionMs: ms(DeadLetterRetention)},
		{Name: schemas.DeadLetterTopic(schemas.TopicLinks), RetentionMs: ms(DeadLetterRetention)},
	}
}

// EnsureTopics creates the topics that do not exist yet. A topic that exists
// is left as it is (its partitions and configs are not compared), so
// EnsureTopics is idempotent and safe to call at every start.
func EnsureTopics(ctx context.Context, cfg KafkaConfig, topics ...TopicSpec) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	cl, err := kgo.NewClient(cfg.clientOpts("")...)
	if err != nil {
		return fmt.Errorf("ensure topics: new client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var errs []error
	for _, t := range topics {
		if err := validName("topic", t.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		parts := t.Partitions
		if parts == 0 {
			parts = cfg.Partitions
		}
		_, err := adm.CreateTopic(ctx, parts, cfg.ReplicationFactor, t.configs(), t.Name)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	return nil
}

func (t TopicSpec) configs() map[string]*string {
	c := make(map[string]*string)
	if t.Compacted {
		c["cleanup.policy"] = kadm.StringPtr("compact")
	}
	if t.RetentionMs != 0 {
		c["retention.ms"] = kadm.StringPtr(strconv.FormatInt(t.RetentionMs, 10))
	}
	return c
}
