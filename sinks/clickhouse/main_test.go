package clickhouse

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openTestWriter opens a Writer on a fresh database of the test server,
// migrated, and drops the database when tb ends.
func openTestWriter(tb testing.TB) *Writer {
	tb.Helper()
	ctx := context.Background()
	db := testenv.Name("ct_sink")
	cfg := NewConfig(dsnWithDatabase(tb, testenv.ClickHouse(tb), db))
	w, err := Open(ctx, cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := w.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
		if err := w.Close(); err != nil {
			tb.Error(err)
		}
	})
	if err := w.Migrate(ctx, MigrateOptions{RawRetentionDays: 30}); err != nil {
		tb.Fatal(err)
	}
	return w
}

// dsnWithDatabase replaces the database of a clickhouse://host:port/db DSN.
func dsnWithDatabase(tb testing.TB, dsn, db string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("test DSN: %v", err)
	}
	u.Path = "/" + db
	return u.String()
}

// testClicks returns n distinct clicks spread over the hour before base.
func testClicks(n int, base time.Time) []*schemas.EnrichedClick {
	out := make([]*schemas.EnrichedClick, n)
	for i := range out {
		out[i] = fullClick(i, base.Add(-time.Duration(i%3600)*time.Second))
	}
	return out
}
