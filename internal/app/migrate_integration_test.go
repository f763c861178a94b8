package app

import (
	"context"
	"testing"

	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// TestMigrateSchemaSaysWhatItApplied: on a fresh database every migration
// is applied and named; a second run applies none.
func TestMigrateSchemaSaysWhatItApplied(t *testing.T) {
	dsn := clickhouseTestDB(t)
	first, err := MigrateSchema(context.Background(), clickhouse.Config{DSN: dsn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Applied) == 0 || first.ServerVersion == "" {
		t.Fatalf("first run: %+v, want every migration applied", first)
	}
	again, err := MigrateSchema(context.Background(), clickhouse.Config{DSN: dsn}, nil)
	if err != nil || len(again.Applied) != 0 {
		t.Fatalf("second run: %+v, %v; want nothing applied", again, err)
	}
}
