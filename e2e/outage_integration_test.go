//go:build outage

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// TestKafkaOutage stops the broker while clicks are being served: the
// redirector keeps answering, the clicks wait in the spool, and once the
// broker is back every click served is in ClickHouse exactly once.
func TestKafkaOutage(t *testing.T) {
	p := startKafkaPipeline(t, "outage")
	conn, db, redirectURL, apiURL := p.conn, p.db, p.redirectURL, p.apiURL
	l := createLink(t, apiURL, client.CreateLinkRequest{DestinationURL: "https://shop.example.com/", Path: "outage"})

	served := 0
	clicks := func(n int) {
		for i := 0; i < n; i++ {
			if status, _ := click(t, redirectURL, "go.brand.test", "outage"); status != http.StatusFound {
				t.Fatalf("click %d: status %d, want 302", served, status)
			}
			served++
		}
	}

	clicks(50)
	waitClicksOnce(t, conn, db, l.ID, served)

	services(t, "stop")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			services(t, "start")
		}
	})
	clicks(200) // the broker is down: every one must still redirect
	services(t, "start")
	restarted = true

	clicks(50)
	waitClicksOnce(t, conn, db, l.ID, served)
}

// waitClicksOnce waits until ClickHouse has served clicks of linkID, then
// checks they are served distinct events: every click once.
func waitClicksOnce(t *testing.T, conn ch.Conn, db, linkID string, served int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d clicks in ClickHouse", served), func() (bool, string) {
		n, err := countFinal(t, conn, db, linkID)
		return err == nil && n == uint64(served), fmt.Sprintf("count=%d err=%v", n, err)
	}, testutil.Timeout(4*time.Minute), pollEvery)
	var rows, ids uint64
	err := conn.QueryRow(context.Background(), fmt.Sprintf(
		"SELECT count(), uniqExact(event_id) FROM %s.clicks FINAL WHERE link_id = ?", db), linkID).Scan(&rows, &ids)
	if err != nil {
		t.Fatal(err)
	}
	if rows != uint64(served) || ids != uint64(served) {
		t.Fatalf("served %d clicks; ClickHouse has %d rows with %d distinct event ids", served, rows, ids)
	}
}

func services(t *testing.T, verb string) {
	t.Helper()
	out, err := exec.Command("../deploy/local/services.sh", verb, "kafka").CombinedOutput()
	if err != nil {
		t.Fatalf("services.sh %s kafka: %v\n%s", verb, err, out)
	}
	t.Logf("services.sh %s kafka: %s", verb, out)
}

// TestRedirectNodeStartsDuringOutage starts a redirect node while the
// broker is down, as after a node restart in the middle of an outage: it
// must serve at once (links created, clicks redirected and spooled), and
// every click must reach ClickHouse exactly once after the broker returns.
func TestRedirectNodeStartsDuringOutage(t *testing.T) {
	brokers := testenv.Kafka(t)
	dsn, conn, db := clickhouseDB(t)
	if _, err := app.Migrate(context.Background(), clickhouse.Config{DSN: dsn}, nil); err != nil {
		t.Fatal(err)
	}
	kafka := app.Kafka{Brokers: brokers, TopicPrefix: testenv.Name("startdown") + ".", Partitions: 3, ReplicationFactor: 1}

	services(t, "stop")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			services(t, "start")
		}
	})
	node := nodeConfig(t)
	node.Kafka = kafka
	redirectURL, apiURL := startNode(t, "redirect node", &node, func(ctx context.Context) error { return app.RunRedirectNode(ctx, node) })
	l := createLink(t, apiURL, client.CreateLinkRequest{DestinationURL: "https://shop.example.com/", Path: "startdown"})
	const served = 120
	for i := 0; i < served; i++ {
		if status, _ := click(t, redirectURL, "go.brand.test", "startdown"); status != http.StatusFound {
			t.Fatalf("click %d with the broker down: status %d, want 302", i, status)
		}
	}

	services(t, "start")
	restarted = true
	batch := app.Batch{MaxRecords: 1000, MaxWait: 200 * time.Millisecond}
	run(t, "enrich", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "enrich", Kafka: kafka, Group: testenv.Name("enrich"),
			StageConfigs: app.StageConfigs{Enrich: enrich.Config{GeoIPPath: geoDB(t), HashSecret: hashSecret}}, Batch: batch})
	})
	run(t, "sink", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink clickhouse", Kafka: kafka, Group: testenv.Name("sink"), StageConfigs: app.StageConfigs{ClickHouse: clickhouse.Config{DSN: dsn}}, Batch: batch})
	})
	waitClicksOnce(t, conn, db, l.ID, served)
}
