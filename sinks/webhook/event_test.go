package webhook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/schemas"
)

// checkGolden compares got with testdata/name; REGENERATE_SNAPSHOTS=true
// rewrites the file instead.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("REGENERATE_SNAPSHOTS") == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with REGENERATE_SNAPSHOTS=true to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (REGENERATE_SNAPSHOTS=true to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestClickMessageGolden(t *testing.T) {
	msg, err := ClickMessage(testClick(), "https://go.brand.com/spring")
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != testClick().EventID || msg.Type != schemas.EventClickCreated {
		t.Errorf("message id %q type %q, want the event id and %q", msg.ID, msg.Type, schemas.EventClickCreated)
	}
	checkGolden(t, "click_created.json", append(msg.Body, '\n'))
}

func TestClickMessageIsPrivacySafe(t *testing.T) {
	c := testClick()
	msg, err := ClickMessage(c, "https://go.brand.com/spring")
	if err != nil {
		t.Fatal(err)
	}
	body := string(msg.Body)
	for _, leak := range []string{"203.0.113", "ip", c.Metadata["email"], "metadata", c.City, c.Region, "vip", c.WorkspaceID} {
		if strings.Contains(body, `"`+leak) || strings.Contains(body, leak+`"`) {
			t.Errorf("payload carries %q: %s", leak, body)
		}
	}
}

func TestClickEventType(t *testing.T) {
	tests := []struct {
		name, clickType, want string
	}{
		{"click", schemas.ClickTypeClick, schemas.EventClickCreated},
		{"qr scan", schemas.ClickTypeQRScan, schemas.EventQRScanCreated},
		{"unknown", "hover", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClick()
			c.Type = tt.clickType
			got, err := schemas.ClickEventType(c)
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Fatalf("ClickEventType(%q) = %q, %v; want %q", tt.clickType, got, err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "field type") {
				t.Errorf("error %q does not name the field", err)
			}
			if _, err := ClickMessage(c, "https://go.brand.com/x"); (err != nil) != (tt.want == "") {
				t.Errorf("ClickMessage error = %v", err)
			}
		})
	}
}

func TestNewMessageRequiresID(t *testing.T) {
	if _, err := NewMessage("", schemas.WebhookPayload{Type: schemas.EventLinkCreated}); err == nil {
		t.Fatal("NewMessage with an empty id succeeded")
	}
}

func BenchmarkClickMessage(b *testing.B) {
	c := testClick()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ClickMessage(c, "https://go.brand.com/spring"); err != nil {
			b.Fatal(err)
		}
	}
}
