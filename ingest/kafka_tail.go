package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TailHandler handles one batch of a tailed topic. The batch's records may
// come from several partitions, each in offset order. After it returns nil
// the batch is done; an error stops Tail.
type TailHandler func(ctx context.Context, batch []Record) error

// Tail reads every partition of topic, without a consumer group, starting
// at from[partition] (the next offset to read; partitions not in from start
// at the earliest offset), and hands batches of at most opts.MaxRecords
// records to h until ctx is done. It is for a compacted topic that every
// process reads in full, such as the links topic each redirect node
// replicates: a group would split the partitions among the nodes.
//
// Tail reads the partitions the topic has when it starts (franz-go cannot
// pin offsets of some partitions of a topic while following the whole
// topic): partitions added later are read after a restart. The caller keeps its own offsets (the handed records carry them)
// and passes them back on the next start; offsets past the log end (a
// recreated topic) restart the partition at the earliest offset.
//
// Tail returns nil once ctx is done, or h's error.
func Tail(ctx context.Context, cfg KafkaConfig, topic string, from map[int32]int64, opts BatchOptions, h TailHandler) error {
	cfg = cfg.WithDefaults()
	if err := errors.Join(cfg.Validate(), validName("topic", topic)); err != nil {
		return fmt.Errorf("tail: %w", err)
	}
	opts = opts.WithDefaults()
	partitions, err := topicPartitions(ctx, cfg, topic)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tail %s: %w", topic, err)
	}
	offsets := map[string]map[int32]kgo.Offset{topic: {}}
	for _, p := range partitions {
		if o, ok := from[p]; ok {
			offsets[topic][p] = kgo.NewOffset().At(o)
		} else {
			offsets[topic][p] = kgo.NewOffset().AtStart()
		}
	}
	cl, err := kgo.NewClient(append(cfg.clientOpts("tail "+topic),
		kgo.ConsumePartitions(offsets),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), // for offsets past the log end
		kgo.FetchMaxWait(opts.MaxWait),
	)...)
	if err != nil {
		return fmt.Errorf("tail %s: new client: %w", topic, err)
	}
	defer cl.Close()
	for {
		fetches := cl.PollRecords(ctx, opts.MaxRecords)
		if ctx.Err() != nil {
			return nil
		}
		fetches.EachError(func(t string, p int32, err error) {
			cfg.Logger.Warn("tail: fetch error", "topic", t, "partition", p, "err", err)
		})
		if fetches.Empty() {
			continue
		}
		batch := make([]Record, 0, fetches.NumRecords())
		fetches.EachRecord(func(kr *kgo.Record) { batch = append(batch, fromKgo(kr)) })
		if len(batch) == 0 {
			continue
		}
		if err := h(ctx, batch); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("tail %s: %w", topic, err)
		}
	}
}

// topicPartitions lists topic's partitions, waiting (with backoff, until
// ctx is done) for the topic to exist.
func topicPartitions(ctx context.Context, cfg KafkaConfig, topic string) ([]int32, error) {
	cl, err := kgo.NewClient(cfg.clientOpts("")...)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	bo := newBackoff()
	for {
		md, err := adm.Metadata(ctx, topic)
		if err == nil {
			if td, ok := md.Topics[topic]; ok && td.Err == nil && len(td.Partitions) > 0 {
				return td.Partitions.Numbers(), nil
			} else if ok && td.Err != nil {
				err = td.Err
			} else {
				err = errors.New("topic has no partitions")
			}
		}
		wait := bo.next()
		cfg.Logger.Warn("tail: waiting for the topic's metadata", "topic", topic, "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil, fmt.Errorf("metadata of %s: %w", topic, errors.Join(ctx.Err(), err))
		}
	}
}
