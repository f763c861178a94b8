package stage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// passes counts passes and ends the loop's context at the third, the
// first two failing.
type passes struct {
	n      int
	cancel context.CancelFunc
}

func (p *passes) CompactRollups(context.Context) (clickhouse.Compaction, error) {
	p.n++
	if p.n == 3 {
		p.cancel()
		return clickhouse.Compaction{}, nil
	}
	return clickhouse.Compaction{}, errors.New("server away")
}

func TestCompactionRetriesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &passes{cancel: cancel}
	if err := Compaction(p, time.Nanosecond, nil)(ctx); err != nil {
		t.Fatalf("loop returned %v, want nil at cancellation", err)
	}
	if p.n != 3 {
		t.Fatalf("%d passes, want 3 (two failed, retried)", p.n)
	}
}
