package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/clicktrail/clicktrail/attribution"
	attrstage "github.com/clicktrail/clicktrail/attribution/stage"
	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/schemas"
)

// conversionsTopic carries schemas.Conversion from the link API (POST
// /v1/conversions) to the attribution stage.
const conversionsTopic = schemas.TopicConversions

// conversionRetention keeps conversions on Kafka long enough for an
// attribution stage that was down for days to catch up.
const conversionRetention = 30 * 24 * time.Hour

// conversionTopics are the Kafka topics of conversions: the topic and its
// dead letters.
func conversionTopics() []ingest.TopicSpec {
	return []ingest.TopicSpec{
		{Name: conversionsTopic, RetentionMs: conversionRetention.Milliseconds()},
		{Name: schemas.DeadLetterTopic(conversionsTopic), RetentionMs: ingest.DeadLetterRetention.Milliseconds()},
	}
}

// queueConversions returns the link API's OnConversion: each accepted
// conversion goes to topic on out (the node's spool: synced before the
// API answers 202), keyed by its click id, or by workspace and contact.
func queueConversions(out ingest.Producer, topic string) func(context.Context, *schemas.Conversion) error {
	return func(ctx context.Context, c *schemas.Conversion) error {
		v, err := c.Marshal()
		if err != nil {
			return fmt.Errorf("encode conversion %s: %w", c.EventID, err)
		}
		key := c.ClickID
		if key == "" {
			key = c.WorkspaceID + "/" + c.ContactID
		}
		rec := ingest.Record{Topic: topic, Key: []byte(key), Value: v, Timestamp: c.ReceivedAt}
		if err := out.Produce(ctx, []ingest.Record{rec}); err != nil {
			return fmt.Errorf("queue conversion %s: %w", c.EventID, err)
		}
		return nil
	}
}

// attributionRuntime is the attribution index and stage of one process
// (the dev process, or the webhook sink): it owns DataDir/attribution.
type attributionRuntime struct {
	attr  *attribution.Attributor
	stage *attrstage.Stage
}

// openAttribution opens DataDir/attribution and the stage writing its
// conversion.attributed events to eventsTopic on out.
func openAttribution(dataDir string, cfg attribution.Config, out ingest.Producer, eventsTopic string, shortURL func(*schemas.EnrichedClick) string, log *slog.Logger) (*attributionRuntime, error) {
	cfg.Dir, cfg.Logger = filepath.Join(dataDir, "attribution"), log
	attr, err := attribution.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	stage, err := attrstage.New(attrstage.Config{Attributor: attr, Out: out, EventsTopic: eventsTopic, ShortURL: shortURL, Logger: log})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("attribution: %w", err), attr.Close())
	}
	return &attributionRuntime{attr: attr, stage: stage}, nil
}

func (rt *attributionRuntime) close() error { return rt.attr.Close() }
