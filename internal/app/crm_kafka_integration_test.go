package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
	crmstage "github.com/clicktrail/clicktrail/sinks/crm/stage"
)

// TestCRMSinkOnKafka runs `clicktrail sink crm` against the real broker:
// a click of a HubSpot contact read from clicks.enriched.v1 lands on the
// contact's timeline in the fake HubSpot exactly once, also when the
// worker is stopped and started again and the same click is produced
// again (a redelivery), beside a new click that lands once too.
func TestCRMSinkOnKafka(t *testing.T) {
	brokers := testenv.Kafka(t)
	hs := hubspotfake.New("tok", "pe1_click")
	defer hs.Close()
	contact := hs.AddContact(nil)
	dir := t.TempDir()
	opts := crmstage.Options{AllowPrivate: true, AttemptBudget: 5 * time.Second}
	reg, err := openCRMRegistry(dir, opts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Create(crm.Integration{WorkspaceID: "default", CRM: "hubspot", Events: []string{crm.EventClick},
		Settings: map[string]string{"base_url": hs.URL, "click_event": "pe1_click"}, Credentials: map[string]string{"token": "tok"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	reg.Close()

	k := Kafka{Brokers: brokers, TopicPrefix: testenv.Name("crm") + ".", Partitions: 2}
	cfg := Worker{Name: "sink crm", Kafka: k, Group: testenv.Name("crmgroup"), Local: Local{DataDir: dir},
		StageConfigs: StageConfigs{CRM: opts}, Batch: Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond}}
	start := func() func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- RunWorker(ctx, cfg) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("RunWorker(sink crm): %v", err)
			}
		}
	}
	producer, err := ingest.NewKafkaProducer(kafkaConfig(k, "crm-test", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	click := func(i int) ingest.Record {
		c := schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i),
			Type: schemas.ClickTypeClick, Time: time.Now().UTC(), WorkspaceID: "default", LinkID: "lnk_crm", Domain: "go.brand.test",
			Path: "c", Destination: "https://shop.example.com/", DeviceType: "desktop", ContactID: contact}
		v, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return ingest.Record{Topic: k.Topic(enrichedTopic), Key: []byte("lnk_crm"), Value: v}
	}

	stop := start()
	if err := producer.Produce(context.Background(), []ingest.Record{click(1)}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the click on the contact's timeline", func() bool { return len(hs.Occurrences()) == 1 })
	stop()

	stop = start()
	defer stop()
	if err := producer.Produce(context.Background(), []ingest.Record{click(1), click(2)}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the second click on the timeline", func() bool { return len(hs.Occurrences()) >= 2 })
	// One key, one partition: the redelivered click(1) is handled before
	// click(2) (in the same call or an earlier one), so a duplicate would
	// be there by now.
	occ := hs.Occurrences()
	if len(occ) != 2 || occ[0].UUID == occ[1].UUID || occ[0].ObjectID != contact {
		t.Fatalf("occurrences %+v, want the two clicks once each", occ)
	}
}
