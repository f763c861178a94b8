package webhook

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
)

const testLinkEvent = `{"v":1,"id":"0193a6f2-7c1e-7b3a-9f00-0000000011ee","type":"link.created","timestamp":"2026-11-23T12:00:00Z",` +
	`"workspace_id":"ws_1","data":{"id":"lnk_spring","domain":"go.brand.com","path":"spring","tags":["vip"]}}`

func TestDecodeLinkEvent(t *testing.T) {
	tests := []struct {
		name, in, field string // field "" means valid
	}{
		{"valid", testLinkEvent, ""},
		{"version", strings.Replace(testLinkEvent, `"v":1`, `"v":2`, 1), "field v"},
		{"id", strings.Replace(testLinkEvent, `0193a6f2-7c1e-7b3a-9f00-0000000011ee`, `x`, 1), "field id"},
		{"type", strings.Replace(testLinkEvent, `link.created`, `click.created`, 1), "field type"},
		{"timestamp", strings.Replace(testLinkEvent, `"timestamp":"2026-11-23T12:00:00Z",`, ``, 1), "field timestamp"},
		{"workspace", strings.Replace(testLinkEvent, `"ws_1"`, `""`, 1), "field workspace_id"},
		{"data", strings.Replace(testLinkEvent, `"id":"lnk_spring",`, ``, 1), "field data"},
		{"not json", `{`, "decode link event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := schemas.DecodeLinkEvent([]byte(tt.in))
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				msg, err := LinkEventMessage(e)
				if err != nil {
					t.Fatal(err)
				}
				var p struct {
					Type      string
					Timestamp time.Time
					Data      map[string]any
				}
				if err := json.Unmarshal(msg.Body, &p); err != nil || msg.ID != e.ID || p.Type != schemas.EventLinkCreated || p.Data["path"] != "spring" {
					t.Errorf("message %s %s (%v)", msg.ID, msg.Body, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
}

func TestMatchLinkEvent(t *testing.T) {
	r := openTestRegistry(t, t.TempDir(), testutil.NewClock(time.Now()))
	mk := func(ws string, f Filters, events ...string) string {
		e, err := r.Create(EndpointSpec{WorkspaceID: ws, URL: "https://hooks.example.com/", Events: events, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	all := mk("ws_1", Filters{}, schemas.EventLinkCreated)
	vip := mk("ws_1", Filters{Tags: []string{"vip"}, ExcludeBots: true}, schemas.EventLinkCreated)
	mk("ws_1", Filters{ExcludeTags: []string{"vip"}}, schemas.EventLinkCreated)
	mk("ws_1", Filters{}, schemas.EventLinkDeleted)
	mk("ws_2", Filters{}, schemas.EventLinkCreated)
	e, err := schemas.DecodeLinkEvent([]byte(testLinkEvent))
	if err != nil {
		t.Fatal(err)
	}
	// Decoded, or built by hand from the same record: the same endpoints.
	built := &schemas.LinkEvent{V: e.V, ID: e.ID, Type: e.Type, Time: e.Time, WorkspaceID: e.WorkspaceID, Data: e.Data}
	for name, ev := range map[string]*schemas.LinkEvent{"decoded": e, "built": built} {
		got := map[string]bool{}
		for _, ep := range r.MatchLinkEvent(ev, time.Now()) {
			got[ep.ID] = true
		}
		if len(got) != 2 || !got[all] || !got[vip] {
			t.Errorf("%s: matched %v, want the unfiltered and the vip endpoint of ws_1", name, got)
		}
	}
}

// FuzzDecodeLinkEvent: link event records come from the log; decoding
// never panics, and a decoded event always makes a message.
func FuzzDecodeLinkEvent(f *testing.F) {
	f.Add(testLinkEvent)
	f.Add(`{"v":1,"data":null}`)
	f.Add(`{"v":1,"id":"0193a6f2-7c1e-7b3a-9f00-0000000011ee","type":"link.deleted","timestamp":"2026-11-23T12:00:00Z","workspace_id":"w","data":{"id":"x","tags":[1]}}`)
	f.Fuzz(func(t *testing.T, in string) {
		e, err := schemas.DecodeLinkEvent([]byte(in))
		if err != nil {
			return
		}
		if _, err := LinkEventMessage(e); err != nil {
			t.Fatalf("decoded event %q makes no message: %v", in, err)
		}
	})
}
