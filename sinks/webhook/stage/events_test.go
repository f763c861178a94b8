package stage

import (
	"context"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestLinkEventsPassOverUnsubscribedTypes: a record whose headers name a
// type no endpoint of its workspace wants is not decoded (not even
// dead-lettered when its body is bad); a record without headers is
// decoded as before.
func TestLinkEventsPassOverUnsubscribedTypes(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	f.endpoint(rc, webhook.Filters{}, schemas.EventLinkCreated)
	headers := func(typ, ws string) []record.Header {
		return []record.Header{{Key: schemas.HeaderEventType, Value: []byte(typ)}, {Key: schemas.HeaderEventWorkspace, Value: []byte(ws)}}
	}
	good := `{"v":1,"id":"0193a6f2-7c1e-7b3a-9f00-0000000011ef","type":"link.created","timestamp":"2026-11-23T12:00:00Z",` +
		`"workspace_id":"default","data":{"id":"lnk_a","domain":"go.brand.com","path":"a"}}`
	recs := []record.Record{
		{Topic: schemas.TopicLinkEvents, Key: []byte("unwanted"), Value: []byte(`{"v":1}`), Headers: headers(schemas.EventLinkUpdated, "default")},
		{Topic: schemas.TopicLinkEvents, Key: []byte("other-workspace"), Value: []byte(`{"v":1}`), Headers: headers(schemas.EventLinkCreated, "ws_x")},
		{Topic: schemas.TopicLinkEvents, Key: []byte("lnk_a"), Value: []byte(good), Headers: headers(schemas.EventLinkCreated, "default")},
		{Topic: schemas.TopicLinkEvents, Key: []byte("no-headers"), Value: []byte(`{"v":1}`)},
	}
	if err := f.stage.LinkEvents()(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	if got, bad := rc.requests(); len(got) != 1 || len(bad) != 0 || got[0].ID != "0193a6f2-7c1e-7b3a-9f00-0000000011ef" {
		t.Fatalf("receiver got %d (refused %v), want the link.created", len(got), bad)
	}
	// The dead letters of one batch are produced together: once the
	// header-less one is there, any other would be too.
	testutil.WaitFor(t, "the header-less bad record dead-lettered", func() bool { return len(f.dead()) >= 1 })
	if d := f.dead(); len(d) != 1 || string(d[0].Key) != "no-headers" {
		t.Fatalf("dead letters %d (first key %q), want only the header-less record", len(d), d[0].Key)
	}
}
