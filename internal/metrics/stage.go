package metrics

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clicktrail/clicktrail/ingest/record"
)

// batchBuckets are record and row counts per batch, 1 to 100,000.
var batchBuckets = prometheus.ExponentialBuckets(1, 4, 9)

// Results of a batch, a write or an attempt.
const (
	resultOK    = "ok"
	resultError = "error"
)

// StageHandler wraps h, the handler of a stage's input topic:
//
//	clicktrail_stage_batch_records{stage,topic}           histogram of records per batch
//	clicktrail_stage_batch_duration_seconds{stage,topic,result}  time to handle a batch (result ok or error; an error is retried)
func (r *Registry) StageHandler(stage, topic string, h record.Handler) record.Handler {
	if r == nil {
		return h
	}
	sizes := vec(r, "stage_batch_records", func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "stage", Name: "batch_records",
			Help: "Records per batch a stage handled.", Buckets: batchBuckets}, []string{"stage", "topic"})
	}).WithLabelValues(stage, topic)
	durs := vec(r, "stage_batch_duration_seconds", func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "stage", Name: "batch_duration_seconds",
			Help: "Time a stage took to handle a batch, until its output was durable (result error: the batch is retried)."},
			[]string{"stage", "topic", "result"})
	})
	ok, failed := durs.WithLabelValues(stage, topic, resultOK), durs.WithLabelValues(stage, topic, resultError)
	return func(ctx context.Context, batch []record.Record) error {
		start := time.Now()
		err := h(ctx, batch)
		took := time.Since(start).Seconds()
		if err != nil {
			failed.Observe(took)
			return err
		}
		sizes.Observe(float64(len(batch)))
		ok.Observe(took)
		return nil
	}
}

// DeadLetters wraps p, a stage's producer, counting what it produces to
// dead-letter topics (named *.dlq, or webhooks.dlq.v1) once p took it:
//
//	clicktrail_stage_dead_letters_total{topic}
//
// topic is the dead-letter topic's full name.
func (r *Registry) DeadLetters(p record.Producer) record.Producer {
	if r == nil {
		return p
	}
	return deadLetterCounter{p, vec(r, "stage_dead_letters_total", func() *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "stage", Name: "dead_letters_total",
			Help: "Records a stage produced to a dead-letter topic (they never can be processed: alert on any increase)."},
			[]string{"topic"})
	})}
}

type deadLetterCounter struct {
	record.Producer
	n *prometheus.CounterVec
}

func (d deadLetterCounter) Produce(ctx context.Context, recs []record.Record) error {
	if err := d.Producer.Produce(ctx, recs); err != nil {
		return err
	}
	for _, rec := range recs {
		if isDeadLetterTopic(rec.Topic) {
			d.n.WithLabelValues(rec.Topic).Inc()
		}
	}
	return nil
}

func isDeadLetterTopic(topic string) bool {
	return strings.HasSuffix(topic, ".dlq") || strings.Contains(topic, ".dlq.")
}
