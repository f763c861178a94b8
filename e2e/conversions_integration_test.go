package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestConversionAttributedThroughKafka runs the scale-out shape: a click
// on a redirect node (whose link tracks conversions) goes through Kafka
// and the enrich worker to the webhook sink; a conversion reported to the
// node's API with the click id the destination received goes through the
// node's spool and Kafka to the same sink, which attributes it and sends
// a verified conversion.attributed with the enriched click's facts; the
// ClickHouse sink stores it once in the conversions table, where analysts
// find it with its campaign and country.
func TestConversionAttributedThroughKafka(t *testing.T) {
	brokers := testenv.Kafka(t)
	kafka := app.Kafka{Brokers: brokers, TopicPrefix: testenv.Name("conv") + ".", Partitions: 2, ReplicationFactor: 1}
	sinkDir := t.TempDir()
	rc := newReceiver(t, nil)
	rc.subscribe(t, sinkDir, schemas.EventConversionAttributed)

	node := nodeConfig(t)
	node.Kafka = kafka
	redirectURL, apiURL := startNode(t, "redirect node", &node, func(ctx context.Context) error { return app.RunRedirectNode(ctx, node) })
	batch := app.Batch{MaxRecords: 100, MaxWait: 50 * time.Millisecond}
	run(t, "enrich", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "enrich", Kafka: kafka, Group: testenv.Name("enrich"),
			StageConfigs: app.StageConfigs{Enrich: enrich.Config{GeoIPPath: geoDB(t), HashSecret: hashSecret}}, Batch: batch})
	})
	run(t, "webhook sink", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink webhook", Kafka: kafka, Group: testenv.Name("webhook"), Local: app.Local{DataDir: sinkDir},
			StageConfigs: app.StageConfigs{Webhooks: app.Webhooks{Delivery: webhook.Config{AllowPrivate: true}}}, Batch: batch})
	})
	dsn, conn, db := clickhouseDB(t)
	if _, err := app.Migrate(context.Background(), clickhouse.Config{DSN: dsn}, nil); err != nil {
		t.Fatal(err)
	}
	run(t, "clickhouse sink", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink clickhouse", Kafka: kafka, Group: testenv.Name("sink"), StageConfigs: app.StageConfigs{ClickHouse: clickhouse.Config{DSN: dsn}}, Batch: batch})
	})

	l := createLink(t, apiURL, client.CreateLinkRequest{DestinationURL: "https://shop.example.com/cart", Path: "cart",
		TrackConversions: true, Values: map[string]string{"contact_id": "sf_0031"},
		UTM: &client.UTM{Source: "newsletter", Campaign: "black-friday"}})
	status, loc := click(t, redirectURL, l.Domain, "cart")
	u, err := url.Parse(loc)
	if status != http.StatusFound || err != nil || len(u.Query().Get("ct_click")) != 36 {
		t.Fatalf("click: %d, Location %q: want a 302 carrying ct_click", status, loc)
	}
	clickID := u.Query().Get("ct_click")

	report := func(order string, amount int64) *client.Conversion {
		t.Helper()
		var status int
		conv, err := api(t, apiURL).ReportConversion(context.Background(), client.ConversionRequest{Name: "purchase",
			ClickID: clickID, Amount: &amount, Currency: "GBP", ExternalID: order}, client.Status(&status))
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("report conversion: %d %v", status, err)
		}
		return conv
	}
	// The CRM reports order o-1 twice (a retried workflow): one event.
	conv := report("o-1", 12900)
	if again := report("o-1", 12900); again.ID != conv.ID {
		t.Fatalf("the same external_id reported twice got ids %v and %v", conv.ID, again.ID)
	}

	rc.waitFor(t, "the conversion.attributed webhook", 1, 120*time.Second)
	got, bad := rc.Received()
	p := got[0]
	data, _ := p["data"].(map[string]any)
	c, _ := data["click"].(map[string]any)
	if p["type"] != schemas.EventConversionAttributed || p["webhook-id"] != conv.ID || data["link_id"] != l.ID ||
		data["contact_id"] != "sf_0031" || data["amount"] != float64(12900) || c["click_id"] != clickID ||
		c["country"] != "GB" || c["device_class"] != "mobile" || len(bad) != 0 {
		t.Fatalf("webhook %v (refused %v)", p, bad)
	}

	// Then order o-2, on the same topics and partitions (same click, same
	// link) as both reports of o-1: once it is in the table, so is
	// whatever the pipeline made of the repeat, and analysts see o-1 once.
	report("o-2", 100)
	var rows, amount uint64
	var country, campaign, linkID string
	q := "SELECT countIf(external_id = 'o-1'), toUInt64(sumIf(amount, external_id = 'o-1')), any(country), any(utm_campaign), any(link_id) FROM " +
		db + ".conversions FINAL"
	testutil.Eventually(t, "order o-2 in ClickHouse", func() (bool, string) {
		var o2 uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+db+".conversions FINAL WHERE external_id = 'o-2'").Scan(&o2); err != nil {
			return false, err.Error()
		}
		return o2 == 1, fmt.Sprint(o2, " rows of o-2")
	}, testutil.Timeout(60*time.Second), pollEvery)
	if err := conn.QueryRow(context.Background(), q).Scan(&rows, &amount, &country, &campaign, &linkID); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || amount != 12900 || country != "GB" || campaign != "black-friday" || linkID != l.ID {
		t.Fatalf("conversions table: %d rows, amount %d, country %q, campaign %q, link %q", rows, amount, country, campaign, linkID)
	}
}
