package clickhouse

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/schemas/clickhouse/guidetest"
)

// TestAnalystGuideQueries runs every query of the analyst guide
// (schemas/clickhouse/README.md) on the test server over the guide's
// dataset, written twice through the writer (a replay), and checks each
// answer against the one computed in Go.
func TestAnalystGuideQueries(t *testing.T) {
	readme, err := os.ReadFile("../../schemas/clickhouse/README.md")
	if err != nil {
		t.Fatal(err)
	}
	queries := guidetest.Queries(string(readme))
	w := openTestWriter(t)
	ctx := context.Background()
	now := time.Now()
	clicks, convs := guidetest.Dataset(now)
	for range 2 { // the second write is a replay: FINAL and uniqExact must hide it
		if err := w.Write(ctx, clicks); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteConversions(ctx, guideConversions(convs)); err != nil {
			t.Fatal(err)
		}
	}
	// the guide's queries name no database: run them in a session of the
	// test database (the writer's session selects none)
	opts, err := ch.ParseDSN(dsnWithDatabase(t, testenv.ClickHouse(t), w.Database()))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ch.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make([][][]string, len(queries))
	for i, q := range queries {
		if got[i], err = queryCells(ctx, conn, q); err != nil {
			t.Fatalf("query %d on ClickHouse %s: %v\n%s", i, w.ServerVersion(), err, q)
		}
	}
	for _, err := range guidetest.Check(queries, got, guidetest.Truth(clicks, convs, now)) {
		t.Errorf("on ClickHouse %s: %v", w.ServerVersion(), err)
	}
}

// guideConversions are the guide's conversions as the writer takes them.
func guideConversions(in []guidetest.Conversion) []Conversion {
	out := make([]Conversion, len(in))
	for i, c := range in {
		out[i] = Conversion{EventID: c.EventID, Name: c.Name, OccurredAt: c.OccurredAt, WorkspaceID: guidetest.Workspace,
			LinkID: c.LinkID, Domain: "go.example", ContactID: c.ContactID, Amount: c.Amount, Currency: c.Currency,
			MatchedBy: "contact_id", ClickID: fmt.Sprintf("0193a6f2-7c1e-7b3a-af00-%012d", i), ClickType: schemas.ClickTypeClick,
			ClickedAt: c.ClickedAt, UTM: schemas.UTM{Source: c.Source, Campaign: c.Campaign}, DeviceType: "mobile"}
	}
	return out
}

// queryCells runs q in the writer's database and returns its rows as text:
// dates as 2006-01-02, arrays as ['a','b'], the rest as fmt prints them.
func queryCells(ctx context.Context, conn driver.Conn, q string) ([][]string, error) {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var out [][]string
	for rows.Next() {
		dst := make([]any, len(types))
		for i, ct := range types {
			dst[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		row := make([]string, len(dst))
		for i, d := range dst {
			switch v := reflect.ValueOf(d).Elem().Interface().(type) {
			case time.Time:
				row[i] = v.Format(time.DateOnly)
			case []string:
				row[i] = "['" + strings.Join(v, "','") + "']"
				if len(v) == 0 {
					row[i] = "[]"
				}
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
