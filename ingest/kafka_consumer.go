package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaConsumer consumes one topic as a member of a consumer group and hands
// batches to a Handler (see Run for the delivery contract).
type KafkaConsumer struct {
	cfg   KafkaConfig
	group string
	topic string
	opts  BatchOptions
	log   *slog.Logger

	// extraOpts are appended to every client's options (tests shorten
	// group timings with them).
	extraOpts []kgo.Opt

	lagMu sync.Mutex
	lag   map[int32]int64 // partition -> records behind its high watermark at the last fetch
}

var _ Consumer = (*KafkaConsumer)(nil)

// errRejoin ends a group session whose handler kept failing.
var errRejoin = errors.New("handler kept failing: leaving the group to rejoin")

// NewKafkaConsumer returns a consumer of topic in group. It does not contact
// the brokers: Run does.
func NewKafkaConsumer(cfg KafkaConfig, group, topic string, opts BatchOptions) (*KafkaConsumer, error) {
	cfg = cfg.WithDefaults()
	errs := []error{cfg.Validate()}
	if group == "" {
		errs = append(errs, errors.New("group: required"))
	}
	errs = append(errs, validName("topic", topic))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new kafka consumer: %w", err)
	}
	return &KafkaConsumer{cfg: cfg, group: group, topic: topic, opts: opts.WithDefaults(), log: cfg.Logger}, nil
}

// Run implements Consumer. It joins the group (a new group starts at the
// earliest offset) and loops: poll up to MaxRecords records, waiting up to
// MaxWait for a batch to fill; call h; after nil, commit exactly the handed
// records, synchronously. Rebalances are blocked from a poll until its batch
// is committed (BlockRebalanceOnPoll), so a batch is never committed by a
// member that lost its partitions.
//
// When h fails, Run retries the batch with backoff (50ms doubling to 5s) for
// up to HandlerRetryTimeout while holding its partitions. If h still fails,
// Run leaves the group and joins again with a new client: the batch is
// redelivered from the last commit (to this member or another), and the group
// is not blocked from rebalancing forever.
//
// Run returns nil when ctx is done, after leaving the group; the batch in
// hand, if any, is not committed and will be redelivered.
func (c *KafkaConsumer) Run(ctx context.Context, h Handler) error {
	bo := newBackoff()
	for {
		err := c.session(ctx, h)
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, errRejoin) {
			return fmt.Errorf("kafka consumer %s on %s: %w", c.group, c.topic, err)
		}
		wait := bo.next()
		c.log.Warn("kafka consumer: rejoining the group", "group", c.group, "topic", c.topic, "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// session is one membership of the group: one client from join to leave.
func (c *KafkaConsumer) session(ctx context.Context, h Handler) error {
	var cm committer
	opts := append(c.cfg.clientOpts("consumer "+c.group+" "+c.topic),
		kgo.ConsumerGroup(c.group),
		kgo.ConsumeTopics(c.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
			cm.onRevoked(c.log)(ctx, cl, revoked)
			c.forgetLag(revoked[c.topic])
		}),
		kgo.OnPartitionsLost(func(ctx context.Context, cl *kgo.Client, lost map[string][]int32) {
			cm.onLost(ctx, cl, lost)
			c.forgetLag(lost[c.topic])
		}),
	)
	opts = append(opts, c.extraOpts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("new client: %w", err)
	}
	// Leaving the group runs OnPartitionsRevoked, which commits what is
	// complete; AllowRebalance first or Close would wait on our own block.
	defer cl.CloseAllowingRebalance()
	defer c.resetLag() // a new session starts from the partitions it is given

	var batch []*kgo.Record
	var deadline time.Time
	for {
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if len(batch) > 0 {
			pollCtx, cancel = context.WithDeadline(ctx, deadline)
		}
		fs := cl.PollRecords(pollCtx, c.opts.MaxRecords-len(batch))
		cancel()
		if fs.IsClientClosed() {
			return kgo.ErrClientClosed
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fs.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				c.log.Warn("kafka consumer: fetch", "group", c.group, "topic", topic, "partition", p, "err", err)
			}
		})
		if len(batch) == 0 {
			deadline = time.Now().Add(c.opts.MaxWait)
		}
		fs.EachPartition(c.noteLag)
		fs.EachRecord(func(r *kgo.Record) { batch = append(batch, r) })
		if len(batch) == 0 {
			cl.AllowRebalance()
			continue
		}
		if len(batch) < c.opts.MaxRecords && time.Now().Before(deadline) {
			continue // keep the rebalance blocked: these records are ours
		}
		if err := c.process(ctx, cl, &cm, h, batch); err != nil {
			return err
		}
		batch = batch[:0]
		cl.AllowRebalance()
	}
}

// process hands batch to h until it succeeds (or HandlerRetryTimeout passes)
// and commits it.
func (c *KafkaConsumer) process(ctx context.Context, cl *kgo.Client, cm *committer, h Handler, batch []*kgo.Record) error {
	recs := make([]Record, len(batch))
	for i, kr := range batch {
		recs[i] = fromKgo(kr)
	}
	giveUp := time.Now().Add(c.cfg.HandlerRetryTimeout)
	bo := newBackoff()
	for {
		err := h(ctx, recs)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		left := time.Until(giveUp)
		if left <= 0 {
			return fmt.Errorf("%w: batch at %s/%d offset %d: %w", errRejoin, batch[0].Topic, batch[0].Partition, batch[0].Offset, err)
		}
		wait := min(bo.next(), left)
		c.log.Warn("kafka consumer: handler failed, retrying the batch", "group", c.group, "topic", c.topic,
			"records", len(batch), "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
	cm.done(batch)
	if err := cm.commit(ctx, cl); err != nil {
		// The batch stays marked done: the next commit or the revoke
		// callback retries it. If the group moved on meanwhile, the batch
		// is redelivered, which at-least-once allows.
		c.log.Warn("kafka consumer: commit", "group", c.group, "topic", c.topic, "err", err)
	}
	return nil
}

// committer tracks offsets whose records were handled but not yet committed.
// It is shared by the poll loop and the rebalance callbacks.
type committer struct {
	mu      sync.Mutex
	pending map[string]map[int32]kgo.EpochOffset
}

// done marks every record of batch as handled.
func (cm *committer) done(batch []*kgo.Record) {
	cm.mu.Lock()
	defer cm.mu.Unlock()
	if cm.pending == nil {
		cm.pending = make(map[string]map[int32]kgo.EpochOffset)
	}
	for _, r := range batch {
		ps := cm.pending[r.Topic]
		if ps == nil {
			ps = make(map[int32]kgo.EpochOffset)
			cm.pending[r.Topic] = ps
		}
		if cur, ok := ps[r.Partition]; !ok || r.Offset+1 > cur.Offset {
			ps[r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
		}
	}
}

// commit synchronously commits the handled offsets and forgets them on
// success.
func (cm *committer) commit(ctx context.Context, cl *kgo.Client) error {
	cm.mu.Lock()
	defer cm.mu.Unlock()
	if len(cm.pending) == 0 {
		return nil
	}
	if err := commitSync(ctx, cl, cm.pending); err != nil {
		return err
	}
	cm.pending = nil
	return nil
}

// onRevoked commits what is complete before partitions go to another member.
func (cm *committer) onRevoked(log *slog.Logger) func(context.Context, *kgo.Client, map[string][]int32) {
	return func(ctx context.Context, cl *kgo.Client, _ map[string][]int32) {
		if err := cm.commit(ctx, cl); err != nil {
			log.Warn("kafka consumer: commit on revoke", "err", err)
		}
	}
}

// onLost forgets offsets of partitions already owned by another member: it
// is too late to commit them.
func (cm *committer) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	cm.mu.Lock()
	defer cm.mu.Unlock()
	for t, ps := range lost {
		for _, p := range ps {
			delete(cm.pending[t], p)
		}
	}
}

// Lag returns, for each partition this consumer holds and has fetched
// from, how many records it was behind the partition's high watermark at
// its last fetch: what a lag metric per group and partition reads.
func (c *KafkaConsumer) Lag() map[int32]int64 {
	c.lagMu.Lock()
	defer c.lagMu.Unlock()
	out := make(map[int32]int64, len(c.lag))
	for p, l := range c.lag {
		out[p] = l
	}
	return out
}

// Group and Topic are what the consumer reads.
func (c *KafkaConsumer) Group() string { return c.group }
func (c *KafkaConsumer) Topic() string { return c.topic }

// noteLag records the lag of a fetched partition: its high watermark less
// the offset after its last fetched record.
func (c *KafkaConsumer) noteLag(p kgo.FetchTopicPartition) {
	n := len(p.Records)
	if n == 0 || p.Topic != c.topic {
		return
	}
	lag := max(p.HighWatermark-(p.Records[n-1].Offset+1), 0)
	c.lagMu.Lock()
	if c.lag == nil {
		c.lag = map[int32]int64{}
	}
	c.lag[p.Partition] = lag
	c.lagMu.Unlock()
}

// forgetLag drops the lag of partitions the consumer no longer holds.
func (c *KafkaConsumer) forgetLag(partitions []int32) {
	c.lagMu.Lock()
	defer c.lagMu.Unlock()
	for _, p := range partitions {
		delete(c.lag, p)
	}
}

// resetLag drops every partition's lag: the session ended.
func (c *KafkaConsumer) resetLag() {
	c.lagMu.Lock()
	c.lag = nil
	c.lagMu.Unlock()
}
