// Command statsload loads generated clicks into ClickHouse and measures the
// stats API over the rollups (bench/stats-load.sh runs it): p50 and p99 of
// a link's 90-day daily series and of a workspace's 30-day top-10.
//
// Rows are generated and batch-inserted with the ClickHouse sink's Writer,
// not sent through the pipeline; then one rollup compaction pass (what the
// sink worker runs every 30 s) computes the rollups, timed, and the rollups'
// size is printed. The API is the analytics package's handlers over
// analytics/clickhouse, served over HTTP on loopback without the link API's
// authentication in front.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/analytics"
	chstats "github.com/clicktrail/clicktrail/analytics/clickhouse"
	"github.com/clicktrail/clicktrail/schemas"
	sink "github.com/clicktrail/clicktrail/sinks/clickhouse"
)

func main() {
	dsn := flag.String("dsn", "clickhouse://127.0.0.1:19000/ct_statsload", "ClickHouse DSN; its database is dropped and re-created unless -skip-load")
	clicks := flag.Int("clicks", 10_000_000, "clicks to load")
	workspaces := flag.Int("workspaces", 10, "workspaces the clicks are spread over")
	linksPer := flag.Int("links", 1000, "links per workspace")
	batch := flag.Int("batch", 100_000, "rows per INSERT")
	requests := flag.Int("requests", 200, "requests per measured query")
	skipLoad := flag.Bool("skip-load", false, "measure the rows already loaded")
	flag.Parse()
	ctx := context.Background()
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if !*skipLoad {
		if err := load(ctx, *dsn, *clicks, *workspaces, *linksPer, *batch, end); err != nil {
			log.Fatal(err)
		}
	}
	reader, err := chstats.Open(ctx, chstats.Config{DSN: *dsn})
	if err != nil {
		log.Fatal(err)
	}
	defer reader.Close()
	mounts, err := analytics.Mounts(analytics.Config{Reader: reader, Links: anyLink{},
		Workspace: func(r *http.Request) (string, error) { return r.Header.Get("X-Workspace"), nil },
		Now:       func() time.Time { return end }})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range mounts {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r := rand.New(rand.NewPCG(1, 2))
	series := measure(srv.URL, *requests, func() (string, string) {
		ws := r.IntN(*workspaces)
		return wsName(ws), fmt.Sprintf("/v1/links/%s/stats?interval=day&from=%s&to=%s", linkName(ws, popularLink(r, *linksPer)), end.AddDate(0, 0, -90).Format(time.DateOnly), end.Format(time.DateOnly))
	})
	top := measure(srv.URL, *requests, func() (string, string) {
		return wsName(r.IntN(*workspaces)), fmt.Sprintf("/v1/stats?limit=10&from=%s&to=%s", end.AddDate(0, 0, -30).Format(time.DateOnly), end.Format(time.DateOnly))
	})
	fmt.Printf("clicks %d, workspaces %d, links per workspace %d (about %d clicks per workspace in 30 days)\n", *clicks, *workspaces, *linksPer, *clicks / *workspaces / 3)
	fmt.Printf("90-day daily series of a link: p50 %s p99 %s (%d requests)\n", series[0], series[1], *requests)
	fmt.Printf("30-day workspace top-10:       p50 %s p99 %s (%d requests)\n", top[0], top[1], *requests)
}

type anyLink struct{}

func (anyLink) WorkspaceOf(_ context.Context, id string) (string, error) {
	var ws, link int
	if _, err := fmt.Sscanf(id, "lnk_%d_%d", &ws, &link); err != nil {
		return "", analytics.ErrNotFound
	}
	return wsName(ws), nil
}

func wsName(i int) string                 { return fmt.Sprintf("ws_%d", i) }
func linkName(ws, i int) string           { return fmt.Sprintf("lnk_%d_%d", ws, i) }
func popularLink(r *rand.Rand, n int) int { return min(int(r.ExpFloat64()*float64(n)/8), n-1) }

// measure sends n requests and returns their p50 and p99.
func measure(base string, n int, next func() (ws, path string)) [2]time.Duration {
	var took []time.Duration
	for range n {
		ws, path := next()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("X-Workspace", ws)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took = append(took, time.Since(start))
		if resp.StatusCode != 200 || !json.Valid(body) {
			log.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	slices.Sort(took)
	return [2]time.Duration{took[n/2].Round(time.Millisecond / 10), took[(n*99)/100].Round(time.Millisecond / 10)}
}

// load re-creates the database and inserts n clicks over the 90 days
// before end in batches.
func load(ctx context.Context, dsn string, n, workspaces, linksPer, batch int, end time.Time) error {
	w, err := sink.Open(ctx, sink.NewConfig(dsn), nil)
	if err != nil {
		return err
	}
	defer w.Close()
	u, _ := url.Parse(dsn)
	if err := dropDatabase(ctx, u); err != nil {
		return err
	}
	if err := w.Migrate(ctx, sink.MigrateOptions{}); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	start := time.Now()
	rows := make([]*schemas.EnrichedClick, 0, batch)
	for i := range n {
		ws := r.IntN(workspaces)
		rows = append(rows, &schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: uuid.Must(uuid.NewV7()).String(), Type: schemas.ClickTypeClick,
			Time: end.Add(-time.Duration(r.Int64N(int64(90 * 24 * time.Hour)))), WorkspaceID: wsName(ws), LinkID: linkName(ws, popularLink(r, linksPer)),
			Domain: "go.example", Path: "/x", Destination: "https://d.example/", VisitorHash: r.Uint64N(1 << 20),
			Country: pick("DE", "FR", "US", "GB", "IN", "BR", "JP", ""), DeviceType: pick("mobile", "desktop", "tablet"), OS: pick("iOS", "Android", "Windows", "macOS"),
			Browser: pick("Safari", "Chrome", "Firefox"), ReferrerHost: pick("", "t.co", "news.example", "linkedin.com"),
			UTM:     schemas.UTM{Source: pick("news", "ads", "social"), Medium: pick("email", "cpc"), Campaign: fmt.Sprint("c", r.IntN(50))},
			Variant: pick("", "a", "b"), RuleID: pick("", "", "geo"), Bot: r.IntN(8) == 0})
		if len(rows) == batch || i == n-1 {
			if err := w.Write(ctx, rows); err != nil {
				return err
			}
			rows = rows[:0]
			if (i+1)%(10*batch) == 0 || i == n-1 {
				log.Printf("loaded %d clicks in %s", i+1, time.Since(start).Round(time.Second))
			}
		}
	}
	start = time.Now()
	c, err := w.CompactRollups(ctx)
	if err != nil {
		return err
	}
	log.Printf("compacted %d click hours and %d conversion hours in %s", c.ClickHours, c.ConversionHours, time.Since(start).Round(time.Millisecond))
	return printSizes(ctx, u)
}

// printSizes logs the rows and bytes on disk of every table of u's
// database.
func printSizes(ctx context.Context, u *url.URL) error {
	opts, err := ch.ParseDSN(u.String())
	if err != nil {
		return err
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.Query(ctx, fmt.Sprintf("SELECT table, sum(rows), sum(bytes) FROM system.parts WHERE database = '%s' AND active GROUP BY table ORDER BY table", u.Path[1:]))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var n, size uint64
		if err := rows.Scan(&table, &n, &size); err != nil {
			return err
		}
		log.Printf("table %s: %d rows, %.1f MiB on disk", table, n, float64(size)/(1<<20))
	}
	return rows.Err()
}

func dropDatabase(ctx context.Context, u *url.URL) error {
	r, err := chstats.Open(ctx, chstats.Config{DSN: u.String()})
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Exec(ctx, "DROP DATABASE IF EXISTS "+u.Path[1:])
}
