package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestMigrateIsIdempotent(t *testing.T) {
	w := openTestWriter(t) // migrated once
	ctx := context.Background()
	if err := w.Migrate(ctx, MigrateOptions{RawRetentionDays: 30}); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	applied, err := w.AppliedVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 5 || !applied[1] || !applied[2] || !applied[3] || !applied[4] || !applied[5] {
		t.Errorf("applied versions %v, want {1, 2, 3, 4, 5}", applied)
	}
	var records uint64
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM %s.schema_migrations FINAL", w.db)).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if records != 5 {
		t.Errorf("%d migration records, want 5", records)
	}
}

// TestMigrateAddsInternalToAnOldTable: a table made by migration 1 alone
// gets the internal column, its old rows read 0, and a migration 2 that
// ran without being recorded (a crash in between) is taken as applied.
func TestMigrateAddsInternalToAnOldTable(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if err := w.conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Back to a version-1 table holding one row: no internal column.
	exec(fmt.Sprintf("ALTER TABLE %s.clicks DROP COLUMN internal", w.db))
	exec(fmt.Sprintf("DROP TABLE %s.schema_migrations", w.db))
	old := testClicks(1, time.Now().UTC())[0]
	// INSERT ... SELECT: clickhouse-go sends an INSERT ... VALUES as a batch
	// and would wait for its rows.
	exec(fmt.Sprintf("INSERT INTO %s.clicks (event_id, type, ts, link_id) SELECT toUUID('%s'), 'click', now(), 'lnk_old'", w.db, old.EventID))
	if err := w.Migrate(ctx, MigrateOptions{}); err != nil {
		t.Fatalf("migrate a version-1 table: %v", err)
	}
	var internal uint8
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT internal FROM %s.clicks WHERE link_id = 'lnk_old'", w.db)).Scan(&internal); err != nil || internal != 0 {
		t.Fatalf("old row: internal=%d err=%v", internal, err)
	}
	// The column exists but version 2 is not recorded: Migrate again.
	exec(fmt.Sprintf("DROP TABLE %s.schema_migrations", w.db))
	if err := w.Migrate(ctx, MigrateOptions{}); err != nil {
		t.Fatalf("migrate with migration 2 applied but unrecorded: %v", err)
	}
	c := testClicks(1, time.Now().UTC())[0]
	c.Internal = true
	if err := w.Write(ctx, []*schemas.EnrichedClick{c}); err != nil {
		t.Fatal(err)
	}
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT internal FROM %s.clicks WHERE event_id = '%s'", w.db, c.EventID)).Scan(&internal); err != nil || internal != 1 {
		t.Fatalf("internal click: internal=%d err=%v", internal, err)
	}
}

func TestWriteReplayDoesNotDoubleCount(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	const rawIP = "198.51.100.77" // what the redirector saw; enrich kept 198.51.100.0/24
	clicks := testClicks(1000, time.Now().UTC())
	for i := range 2 { // the second Write is a redelivery of the same batch
		if err := w.Write(ctx, clicks); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	var final, unique uint64
	q := fmt.Sprintf("SELECT (SELECT count() FROM %[1]s.clicks FINAL), (SELECT uniqExact(event_id) FROM %[1]s.clicks)", w.db)
	if err := w.conn.QueryRow(ctx, q).Scan(&final, &unique); err != nil {
		t.Fatal(err)
	}
	if final != 1000 || unique != 1000 {
		t.Errorf("count() FINAL = %d, uniqExact(event_id) = %d, want 1000 each", final, unique)
	}
	rows := readClicks(t, w, "")
	if len(rows) != 1000 {
		t.Fatalf("read %d rows, want 1000", len(rows))
	}
	for _, r := range rows {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), rawIP) {
			t.Fatalf("row carries the raw IP: %s", b)
		}
		if r.IPPrefix != "198.51.100.0/24" {
			t.Fatalf("ip_prefix = %q", r.IPPrefix)
		}
	}
}

func TestWriteRoundTripsEveryField(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	clicks := testClicks(3, time.Date(2026, 3, 1, 10, 30, 15, 123456789, time.UTC))
	clicks[1].Tags, clicks[1].Metadata, clicks[1].Bot = nil, nil, false
	if err := w.Write(ctx, clicks); err != nil {
		t.Fatal(err)
	}
	for _, want := range clicks {
		got := readClicks(t, w, want.EventID)
		if len(got) != 1 {
			t.Fatalf("event %s: %d rows, want 1", want.EventID, len(got))
		}
		exp := *want
		exp.Time = want.Time.Truncate(time.Second) // DateTime has seconds
		if exp.Tags == nil {
			exp.Tags = []string{}
		}
		if exp.Metadata == nil {
			exp.Metadata = map[string]string{}
		}
		gotJSON, _ := json.Marshal(got[0])
		wantJSON, _ := json.Marshal(&exp)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("round trip of %s:\n got %s\nwant %s", want.EventID, gotJSON, wantJSON)
		}
	}
}

func TestWriteRejectsInvalidAndInsertsTheRest(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	clicks := testClicks(4, time.Now().UTC())
	clicks[1].EventID = "not-a-uuid"
	clicks[3].Type = "view"
	err := w.Write(ctx, clicks)
	var rej *RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("Write() = %v, want a *RejectedError", err)
	}
	idx := []int{}
	for _, r := range rej.Rejected {
		idx = append(idx, r.Index)
	}
	if !slices.Equal(idx, []int{1, 3}) {
		t.Errorf("rejected %v, want [1 3]: %v", idx, err)
	}
	if n := len(readClicks(t, w, "")); n != 2 {
		t.Errorf("%d rows stored, want the 2 valid ones", n)
	}
	if err := w.Write(ctx, nil); err != nil {
		t.Errorf("empty Write = %v", err)
	}
}

func TestWriteFailsWhenTableIsMissing(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	if err := w.conn.Exec(ctx, fmt.Sprintf("DROP TABLE %s.clicks", w.db)); err != nil {
		t.Fatal(err)
	}
	w.cfg.MaxRetries, w.cfg.RetryBackoff = 1, time.Millisecond
	err := w.Write(ctx, testClicks(2, time.Now()))
	if err == nil || !strings.Contains(err.Error(), "insert 2 rows into "+w.db+".clicks (attempt 2)") {
		t.Fatalf("Write() = %v, want an insert error after 2 attempts", err)
	}
}

func TestOpenErrors(t *testing.T) {
	live := testenv.ClickHouse(t)
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{name: "malformed dsn", dsn: "clickhouse//127.0.0.1:19000", want: "config: dsn"},
		{name: "http protocol", dsn: "http://127.0.0.1:8123/default", want: "native protocol"},
		{name: "unreachable server", dsn: "clickhouse://127.0.0.1:1/default", want: "ping 127.0.0.1:1"},
		{name: "wrong password", dsn: strings.Replace(live, "://", "://default:wrong@", 1), want: "ping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Open(context.Background(), NewConfig(tt.dsn), nil)
			if err == nil {
				w.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %q, want it to contain %q", tt.dsn, err, tt.want)
			}
		})
	}
}

func TestOpenReadsServerVersion(t *testing.T) {
	w := openTestWriter(t)
	v := w.ServerVersion()
	if v.Version.Major == 0 {
		t.Fatalf("server version %+v", v)
	}
	var cols uint64
	q := fmt.Sprintf("SELECT count() FROM system.columns WHERE database = '%s' AND table = 'clicks' AND type LIKE 'LowCardinality%%'", w.db)
	if err := w.conn.QueryRow(context.Background(), q).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if w.Features().LowCardinality != (cols > 0) {
		t.Errorf("server %s: features %+v but %d LowCardinality columns", v.DisplayName, w.Features(), cols)
	}
}

// readClicks reads back the rows of the test table (FINAL), all of them or
// those of one event id, into EnrichedClicks.
func readClicks(tb testing.TB, w *Writer, eventID string) []*schemas.EnrichedClick {
	tb.Helper()
	q := fmt.Sprintf(`SELECT event_id, type, ts, workspace_id, link_id, domain, path, destination,
		ip_prefix, visitor_hash, country, region, city, device_type, os, browser, bot, bot_name,
		referrer_host, language, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
		tags, metadata.key, metadata.value, contact_id, rule_id, variant
		FROM %s.clicks FINAL`, w.db)
	var args []any
	if eventID != "" {
		q += " WHERE event_id = toUUID(?)"
		args = append(args, eventID)
	}
	rows, err := w.conn.Query(context.Background(), q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []*schemas.EnrichedClick
	for rows.Next() {
		c := &schemas.EnrichedClick{V: schemas.EnrichedClickVersion}
		var (
			id         uuid.UUID
			bot        uint8
			keys, vals []string
		)
		if err := rows.Scan(&id, &c.Type, &c.Time, &c.WorkspaceID, &c.LinkID, &c.Domain, &c.Path, &c.Destination,
			&c.IPPrefix, &c.VisitorHash, &c.Country, &c.Region, &c.City, &c.DeviceType, &c.OS, &c.Browser, &bot, &c.BotName,
			&c.ReferrerHost, &c.Language, &c.UTM.Source, &c.UTM.Medium, &c.UTM.Campaign, &c.UTM.Term, &c.UTM.Content,
			&c.Tags, &keys, &vals, &c.ContactID, &c.RuleID, &c.Variant); err != nil {
			tb.Fatal(err)
		}
		c.EventID, c.Bot = id.String(), bot == 1
		c.Metadata = make(map[string]string, len(keys))
		for i := range keys {
			c.Metadata[keys[i]] = vals[i]
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestWriteSendsAsyncInsertOnlyWhenKnown checks both sides of the switch:
// the suite passing on 18.16 shows the setting is not sent there, and
// forcing the feature on makes 18.16 reject the unknown setting, which shows
// it is sent when the feature is on.
func TestWriteSendsAsyncInsertOnlyWhenKnown(t *testing.T) {
	w := openTestWriter(t)
	if w.Features().AsyncInsertSetting {
		t.Skipf("server %s knows async_insert: nothing to force", w.ServerVersion().DisplayName)
	}
	w.features.AsyncInsertSetting = true
	w.cfg.MaxRetries = 0
	err := w.Write(context.Background(), testClicks(1, time.Now()))
	if err == nil || !strings.Contains(err.Error(), "async_insert") {
		t.Fatalf("Write() with async_insert forced on an old server = %v, want the server to reject the setting", err)
	}
}

func TestWriteHonoursCancelledContext(t *testing.T) {
	w := openTestWriter(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := w.Write(ctx, testClicks(1, time.Now()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Write(cancelled ctx) = %v, want context.Canceled", err)
	}
}
