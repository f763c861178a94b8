package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaProducer produces records to Kafka with franz-go's defaults: an
// idempotent producer with acks=all (every in-sync replica), so a retried
// produce does not duplicate within a producer session and per-partition
// order holds. Records are partitioned by key (murmur2, like the Java
// client), so all records of a key land in one partition, in order.
//
// Produce bounds each call by KafkaConfig.ProduceTimeout with a context, not
// with franz-go's RecordDeliveryTimeout: that one is measured from each
// record's Timestamp, so records spooled during an outage longer than the
// timeout (they keep their click time) would time out at once, forever.
type KafkaProducer struct {
	cl      *kgo.Client
	timeout time.Duration
}

var _ Producer = (*KafkaProducer)(nil)

// NewKafkaProducer returns a producer for cfg. It does not contact the
// brokers: the first Produce does.
func NewKafkaProducer(cfg KafkaConfig) (*KafkaProducer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new kafka producer: %w", err)
	}
	cl, err := kgo.NewClient(cfg.clientOpts("producer")...)
	if err != nil {
		return nil, fmt.Errorf("new kafka producer: %w", err)
	}
	return &KafkaProducer{cl: cl, timeout: cfg.ProduceTimeout}, nil
}

// Produce implements Producer: it returns nil once every record is
// acknowledged by all in-sync replicas. It fails when ctx is done or a record
// was not acknowledged within KafkaConfig.ProduceTimeout; then some records
// may have been written, and the caller retries the whole slice (consumers
// dedup on the event id). Record.Partition and Offset are ignored.
func (p *KafkaProducer) Produce(ctx context.Context, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	krs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		krs[i] = toKgo(r)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if err := p.cl.ProduceSync(ctx, krs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka produce %d records: %w", len(recs), err)
	}
	return nil
}

// Close closes the client. Call it once no Produce is in flight.
func (p *KafkaProducer) Close() {
	p.cl.Close()
}

func toKgo(r Record) *kgo.Record {
	kr := &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Timestamp: r.Timestamp}
	if len(r.Headers) > 0 {
		kr.Headers = make([]kgo.RecordHeader, len(r.Headers))
		for i, h := range r.Headers {
			kr.Headers[i] = kgo.RecordHeader{Key: h.Key, Value: h.Value}
		}
	}
	return kr
}

func fromKgo(kr *kgo.Record) Record {
	r := Record{
		Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset,
		Key: kr.Key, Value: kr.Value, Timestamp: kr.Timestamp,
	}
	if len(kr.Headers) > 0 {
		r.Headers = make([]Header, len(kr.Headers))
		for i, h := range kr.Headers {
			r.Headers[i] = Header{Key: h.Key, Value: h.Value}
		}
	}
	return r
}
