package stage

import (
	"context"
	"log/slog"
	"time"

	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// Compactor runs rollup compaction passes; *clickhouse.Writer is one.
type Compactor interface {
	CompactRollups(ctx context.Context) (clickhouse.Compaction, error)
}

// Compaction returns the loop the sink worker runs beside its consumers:
// a pass of c right away, then one every interval, until ctx ends. A
// failed pass is logged and the next one retries it (a pass is
// idempotent, and its watermark moves only when it succeeded); the loop
// returns nil when ctx ends. Several sink instances may each run it: passes
// that overlap leave the same numbers (docs/adr/008-exact-rollups.md).
func Compaction(c Compactor, interval time.Duration, log *slog.Logger) func(ctx context.Context) error {
	log = logs.OrDiscard(log)
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			_, err := c.CompactRollups(ctx)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				log.WarnContext(ctx, "rollup compaction failed; the next pass retries", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
