package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestWebhookSinkOnKafka runs `clicktrail sink webhook` against the real
// broker with its own endpoint API: an endpoint created through that API
// receives a link event and an alert.threshold computed from enriched
// clicks read from Kafka, and a conversion reported ahead of its click is
// attributed once the click arrives (conversion.attributed).
func TestWebhookSinkOnKafka(t *testing.T) {
	brokers := testenv.Kafka(t)
	const key = "sink-test-key-0123456789abcdef"
	k := Kafka{Brokers: brokers, TopicPrefix: testenv.Name("wh") + ".", Partitions: 2}
	ready := make(chan string, 1)
	cfg := Worker{Name: "sink webhook",
		Kafka: k, Group: testenv.Name("whgroup"), Local: Local{DataDir: t.TempDir()},
		StageConfigs: StageConfigs{Webhooks: Webhooks{Delivery: webhook.Config{AllowPrivate: true}}},
		Batch:        Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
		WebhookAPI:   WebhookAPI{Addr: "127.0.0.1:0", Keys: []string{key}, OnReady: func(u string) { ready <- u }},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunWorker(ctx, cfg) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunWorker(sink webhook): %v", err)
		}
	}()
	var apiURL string
	select {
	case apiURL = <-ready:
	case err := <-done:
		t.Fatalf("sink ended before serving: %v", err)
	case <-time.After(120 * time.Second):
		t.Fatal("sink API never listened")
	}

	rc := testenv.NewWebhookReceiver(t, nil)
	b, _ := json.Marshal(map[string]any{
		"url": rc.URL + "/hooks", "events": []string{"link.created", "alert.threshold", "conversion.attributed"},
		"alerts": map[string]any{"threshold": map[string]any{"clicks": 2, "window": "1h"}},
	})
	req, _ := http.NewRequest("POST", apiURL+"/v1/webhooks/endpoints", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ep map[string]any
	json.NewDecoder(resp.Body).Decode(&ep)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create endpoint through the sink's API: %d %v", resp.StatusCode, ep)
	}
	rc.SetSecret(ep["secret"].(string))

	producer, err := ingest.NewKafkaProducer(kafkaConfig(k, "webhook-test", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	now := time.Now().UTC()
	l := &redirect.Link{ID: "lnk_kafkatest", WorkspaceID: redirect.DefaultWorkspaceID, Domain: "go.brand.test", Path: "k",
		DestinationURL: "https://shop.example.com/", CreatedAt: now, UpdatedAt: now}
	publishLinkChanges(producer, "", k.Topic(schemas.TopicLinkEvents), nil).one(linkapi.EventLinkCreated, l)
	// The conversion goes first: it waits in the attributor for its click.
	conv := &schemas.Conversion{V: schemas.ConversionVersion, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c0de",
		WorkspaceID: redirect.DefaultWorkspaceID, Name: "signup", ClickID: "0193a6f2-7c1e-7b3a-9f00-000000000000",
		OccurredAt: now, ReceivedAt: now}
	if err := queueConversions(producer, k.Topic(conversionsTopic))(context.Background(), conv); err != nil {
		t.Fatal(err)
	}
	var clicks []ingest.Record
	for i := range 2 {
		c := schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i),
			Type: schemas.ClickTypeClick, Time: now.Add(time.Duration(i) * time.Millisecond), LinkID: l.ID, Domain: l.Domain,
			Path: l.Path, Destination: l.DestinationURL, DeviceType: "desktop"}
		v, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		clicks = append(clicks, ingest.Record{Topic: k.Topic(enrichedTopic), Key: []byte(l.ID), Value: v})
	}
	if err := producer.Produce(context.Background(), clicks); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the link.created webhook", func() bool { return len(rc.OfType("link.created")) == 1 })
	testutil.WaitFor(t, "the alert.threshold webhook", func() bool { return len(rc.OfType("alert.threshold")) == 1 })
	a := rc.OfType("alert.threshold")[0]
	if data, _ := a["data"].(map[string]any); data["link_id"] != l.ID {
		t.Errorf("alert %v", a)
	}
	testutil.WaitFor(t, "the conversion.attributed webhook", func() bool { return len(rc.OfType("conversion.attributed")) == 1 })
	c := rc.OfType("conversion.attributed")[0]
	data, _ := c["data"].(map[string]any)
	click, _ := data["click"].(map[string]any)
	if c["webhook-id"] != conv.EventID || data["link_id"] != l.ID || click["click_id"] != conv.ClickID {
		t.Errorf("conversion.attributed %v", c)
	}
}
