package redirect

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/schemas"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testDomain = "go.example.com"

func openTestStore(t testing.TB, opts StoreOptions) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenStore(dir, opts)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dir
}

// testLink returns a valid link at testDomain/path.
func testLink(path string) *Link {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	return &Link{
		ID:             NewLinkID(),
		WorkspaceID:    DefaultWorkspaceID,
		Domain:         testDomain,
		Path:           path,
		DestinationURL: "https://shop.example.org/spring?ref=mail",
		UTM:            schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring 26"},
		Tags:           []string{"spring"},
		Metadata:       map[string]string{"contact_id": "c_42"},
		CreatedAt:      now,
		UpdatedAt:      now,
		RedirectCode:   302,
	}
}

func mustCreate(t testing.TB, s *Store, l *Link) {
	t.Helper()
	if err := s.Create(context.Background(), l); err != nil {
		t.Fatalf("Create(%s): %v", l.Path, err)
	}
}
