package ingest

import (
	"context"
	"fmt"
)

// ForwarderGroup is the spool consumer group of the spool-to-Kafka forwarder.
const ForwarderGroup = "kafka-forwarder"

// Forward drains src (a spool consumer, normally of group ForwarderGroup) into
// dst (a KafkaProducer) with the same topic, key, value, headers and
// timestamp. A batch is committed on src only after dst acknowledged all of
// it, so a Kafka outage only delays records: Produce fails after its timeout,
// src backs off and retries, the spool grows and then drains. A retried batch
// can reach Kafka twice; consumers dedup on the event id.
//
// Forward returns what src.Run returns (nil once ctx is done).
func Forward(ctx context.Context, src Consumer, dst Producer) error {
	err := src.Run(ctx, func(ctx context.Context, batch []Record) error {
		out := make([]Record, len(batch))
		for i, r := range batch {
			out[i] = Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}
		}
		if err := dst.Produce(ctx, out); err != nil {
			return fmt.Errorf("forward %d records from %s offset %d: %w", len(batch), batch[0].Topic, batch[0].Offset, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	return nil
}
