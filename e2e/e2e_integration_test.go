package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// TestClickThroughKafkaToClickHouse is the spine: create a link through the
// API, follow it, and find exactly one enriched row for the click in
// ClickHouse, with the raw IP nowhere in ClickHouse or clicks.enriched.v1.
func TestClickThroughKafkaToClickHouse(t *testing.T) {
	p := startKafkaPipeline(t, "e2e")
	brokers, conn, db, kafka, redirectURL, apiURL := p.brokers, p.conn, p.db, p.kafka, p.redirectURL, p.apiURL

	l := createLink(t, apiURL, client.CreateLinkRequest{
		DestinationURL: "https://shop.example.com/spring?ref=mail",
		Path:           "spring",
		UTM:            &client.UTM{Source: "newsletter", Medium: "email", Campaign: "spring"},
		Tags:           []string{"q4"},
		Metadata:       map[string]string{"contact_id": "hs_42"},
	})
	// A malformed record ahead of the click must be dead-lettered, not
	// block the click behind it.
	badOffset := produceGarbage(t, brokers, kafka.Topic(schemas.TopicClicksRaw), l.ID)
	status, loc := click(t, redirectURL, "go.brand.test", "spring")
	if status != http.StatusFound {
		t.Fatalf("status %d, want 302", status)
	}
	if !strings.HasPrefix(loc, "https://shop.example.com/spring?") || !strings.Contains(loc, "utm_source=newsletter") || !strings.Contains(loc, "ref=mail") {
		t.Fatalf("Location %q lacks the destination or its UTM fields", loc)
	}
	if status, _ := click(t, redirectURL, "go.brand.test", "no-such-path"); status != http.StatusNotFound {
		t.Fatalf("unknown path: status %d, want 404", status)
	}

	assertOneEnrichedRow(t, conn, db, l.ID)
	assertIPAbsentFromTopic(t, brokers, kafka.Topic(schemas.TopicClicksEnriched), l.ID)
	assertDeadLettered(t, brokers, kafka.Topic(schemas.DeadLetterTopic(schemas.TopicClicksRaw)), badOffset)
}

// produceGarbage writes a record that is not a click and returns its offset.
func produceGarbage(t *testing.T, brokers []string, topic, key string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	r := &kgo.Record{Topic: topic, Key: []byte(key), Value: []byte(`{"v":1,"event_id":"oops"`)}
	if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return r.Offset
}

// assertDeadLettered finds the malformed record in the dead-letter topic,
// with its original offset and an error in the headers.
func assertDeadLettered(t *testing.T, brokers []string, topic string, offset int64) {
	t.Helper()
	found := scanTopic(t, brokers, topic, func(r *kgo.Record) bool {
		h := map[string]string{}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		return h[ingest.HeaderDLQOffset] == strconv.FormatInt(offset, 10) && h[ingest.HeaderDLQError] != ""
	})
	if !found {
		t.Fatalf("the malformed record (offset %d) never reached %s", offset, topic)
	}
}

// TestClickThroughEmbeddedDev runs the same flow through `clicktrail dev`'s
// embedded path: no Kafka, the spool is the event log.
func TestClickThroughEmbeddedDev(t *testing.T) {
	dsn, conn, db := clickhouseDB(t)
	dev := app.Dev{
		RedirectNode: nodeConfig(t),
		StageConfigs: app.StageConfigs{Enrich: enrich.Config{GeoIPPath: geoDB(t), HashSecret: hashSecret},
			ClickHouse: clickhouse.Config{DSN: dsn}},
		Batch: app.Batch{MaxRecords: 1000, MaxWait: 100 * time.Millisecond},
	}
	dev.AnyHost = true
	redirectURL, apiURL := startNode(t, "dev", &dev.RedirectNode, func(ctx context.Context) error { return app.RunDev(ctx, dev) })

	l := createLink(t, apiURL, client.CreateLinkRequest{
		DestinationURL: "https://shop.example.com/spring",
		Metadata:       map[string]string{"contact_id": "hs_42"},
	})
	if status, _ := click(t, redirectURL, "anything.localhost", l.Path); status != http.StatusFound {
		t.Fatalf("status %d, want 302 (dev serves any Host as the default domain)", status)
	}
	assertOneEnrichedRow(t, conn, db, l.ID)
	assertStatsAPI(t, apiURL, l.ID)
}

// assertStatsAPI reads the link's stats through the link API (the stats
// API mounted by dev over the rollups): the one click, from GB.
func assertStatsAPI(t *testing.T, apiURL, linkID string) {
	t.Helper()
	req, _ := http.NewRequest("GET", apiURL+"/v1/links/"+linkID+"/stats?group_by=country", nil)
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Totals struct{ Clicks uint64 }
		Groups []struct {
			Key    string
			Clicks uint64
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stats: %d %v", resp.StatusCode, err)
	}
	if got.Totals.Clicks != 1 || len(got.Groups) != 1 || got.Groups[0].Key != "GB" || got.Groups[0].Clicks != 1 {
		t.Errorf("stats %+v, want the one click from GB", got)
	}
}

func assertOneEnrichedRow(t *testing.T, conn ch.Conn, db, linkID string) {
	t.Helper()
	testutil.Eventually(t, "the click in ClickHouse", func() (bool, string) {
		n, err := countFinal(t, conn, db, linkID)
		return err == nil && n >= 1, fmt.Sprintf("count=%d err=%v", n, err)
	}, testutil.Timeout(90*time.Second), pollEvery)
	if n, err := countFinal(t, conn, db, linkID); err != nil || n != 1 {
		t.Fatalf("rows for the click: %d (%v), want exactly 1", n, err)
	}
	var country, city, device, os, browser, prefix, referrer, contact string
	var hash uint64
	err := conn.QueryRow(context.Background(), fmt.Sprintf(`SELECT toString(country), toString(city),
		toString(device_type), toString(os), toString(browser), ip_prefix, toString(referrer_host), contact_id, visitor_hash
		FROM %s.clicks FINAL WHERE link_id = ?`, db), linkID).
		Scan(&country, &city, &device, &os, &browser, &prefix, &referrer, &contact, &hash)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"country", country, "GB"}, {"city", city, "London"}, {"device_type", device, "mobile"},
		{"os", os, "iOS"}, {"browser", browser, "Safari"}, {"ip_prefix", prefix, "81.2.69.0/24"},
		{"referrer_host", referrer, "mail.example.com"}, {"contact_id", contact, "hs_42"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if hash == 0 {
		t.Error("visitor_hash is empty")
	}
	if dump := dumpTable(t, db); strings.Contains(dump, visitorIP) {
		t.Fatalf("the raw IP %s is stored in ClickHouse:\n%s", visitorIP, dump)
	}
}

// assertIPAbsentFromTopic reads the enriched topic from the start until it
// has seen the link's click, and fails if any record before it carries the
// raw IP.
func assertIPAbsentFromTopic(t *testing.T, brokers []string, topic, linkID string) {
	t.Helper()
	found := scanTopic(t, brokers, topic, func(r *kgo.Record) bool {
		if strings.Contains(string(r.Value), visitorIP) {
			t.Fatalf("record at offset %d of %s carries the raw IP: %s", r.Offset, topic, r.Value)
		}
		return string(r.Key) == linkID
	})
	if !found {
		t.Fatalf("the click never appeared in %s", topic)
	}
}

// scanTopic reads topic from its start, handing every record to match, until
// match returns true (scanTopic returns true) or 60 s pass (false). The
// records of the poll that matched are all handed to match first.
func scanTopic(t *testing.T, brokers []string, topic string, match func(*kgo.Record) bool) bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		found := false
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if match(r) {
				found = true
			}
		})
		if found {
			return true
		}
	}
	return false
}
