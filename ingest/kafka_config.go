package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaConfig configures the Kafka clients of this package. The zero values
// of all fields but Brokers are replaced by defaults (see WithDefaults).
type KafkaConfig struct {
	// Brokers are the seed brokers, host:port. Required.
	Brokers []string
	// ClientID names the client in broker logs and quotas (default "clicktrail").
	ClientID string
	// Partitions is the partition count of topics EnsureTopics creates when
	// their TopicSpec does not say (default 6).
	Partitions int32
	// ReplicationFactor of created topics (default 1, right for one local
	// broker; use 3 in production so acks=all survives a broker loss).
	ReplicationFactor int16
	// ProduceTimeout bounds one KafkaProducer.Produce call, retries included
	// (default 10s, at least 1s). During a Kafka outage
	// Produce fails after it instead of hanging, so a forwarder backs off
	// and the spool grows.
	ProduceTimeout time.Duration
	// HandlerRetryTimeout bounds how long a KafkaConsumer retries a failing
	// batch while it holds its partitions (default 30s, below the group's
	// 60s rebalance timeout). Past it the consumer leaves the group and
	// rejoins, and the batch is redelivered from the last commit.
	HandlerRetryTimeout time.Duration
	// Logger receives franz-go's logs (its info level mapped to debug); nil
	// discards.
	Logger *slog.Logger
	// Hooks, when set, gives the hooks of each long-lived client this
	// package makes, by a name that says what the client is for
	// ("producer", "consumer <group> <topic>", "tail <topic>"): the
	// processes' metrics (franz-go's kprom plugin, internal/metrics).
	// Short-lived admin clients get none. Nil: none.
	Hooks func(client string) []kgo.Hook
}

// Kafka defaults.
const (
	DefaultKafkaClientID             = "clicktrail"
	DefaultKafkaPartitions     int32 = 6
	DefaultReplicationFactor   int16 = 1
	DefaultProduceTimeout            = 10 * time.Second
	DefaultHandlerRetryTimeout       = 30 * time.Second
)

// WithDefaults returns c with zero fields set to their defaults.
func (c KafkaConfig) WithDefaults() KafkaConfig {
	if c.ClientID == "" {
		c.ClientID = DefaultKafkaClientID
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultKafkaPartitions
	}
	if c.ReplicationFactor == 0 {
		c.ReplicationFactor = DefaultReplicationFactor
	}
	if c.ProduceTimeout == 0 {
		c.ProduceTimeout = DefaultProduceTimeout
	}
	if c.HandlerRetryTimeout == 0 {
		c.HandlerRetryTimeout = DefaultHandlerRetryTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every bad field of c (after WithDefaults), naming its key.
func (c KafkaConfig) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("brokers: at least one seed broker is required"))
	}
	for i, b := range c.Brokers {
		if _, port, err := net.SplitHostPort(b); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("brokers[%d]: want host:port, got %q", i, b))
		}
	}
	if c.Partitions < 1 {
		errs = append(errs, fmt.Errorf("partitions: want at least 1, got %d", c.Partitions))
	}
	if c.ReplicationFactor < 1 {
		errs = append(errs, fmt.Errorf("replication_factor: want at least 1, got %d", c.ReplicationFactor))
	}
	if c.ProduceTimeout < time.Second {
		errs = append(errs, fmt.Errorf("produce_timeout: want at least 1s, got %s", c.ProduceTimeout))
	}
	if c.HandlerRetryTimeout < 0 {
		errs = append(errs, fmt.Errorf("handler_retry_timeout: must not be negative, got %s", c.HandlerRetryTimeout))
	}
	return errors.Join(errs...)
}

// clientOpts are the options every client of this package starts with;
// name says what the client is for (see Hooks; "": a short-lived client,
// no hooks).
func (c KafkaConfig) clientOpts(name string) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.WithLogger(kgoLogger{c.Logger}),
	}
	if c.Hooks != nil && name != "" {
		if hooks := c.Hooks(name); len(hooks) > 0 {
			opts = append(opts, kgo.WithHooks(hooks...))
		}
	}
	return opts
}
