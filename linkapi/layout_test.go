package linkapi

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// previousLayout is a link store as the single redirect package wrote it
// before the link API moved out (issue 10): literal keys and values, one
// per record kind the API reads. The bytes must keep opening.
var previousLayout = []struct{ key, value string }{
	{"r/go.example.com/spring", "\x01" + `{"id":"lnk_0123456789ABCDEFGHIJKL","workspace_id":"ws_AAAAAAAAAAAAAAAA","domain":"go.example.com","path":"spring","destination_url":"https://shop.example.org/spring","utm":{"source":"newsletter","medium":"email"},"tags":["spring"],"metadata":{"contact_id":"c_42"},"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z","disabled":false,"external_id":"crm:42","redirect_code":302}`},
	{"i/lnk_0123456789ABCDEFGHIJKL", "r/go.example.com/spring"},
	{"x/ws_AAAAAAAAAAAAAAAA/crm:42", "lnk_0123456789ABCDEFGHIJKL"},
	{"w/ws_AAAAAAAAAAAAAAAA", `{"id":"ws_AAAAAAAAAAAAAAAA","name":"Acme","created_at":"2026-11-01T09:00:00Z","destination_allow_hosts":["*.example.org"],"destination_deny_hosts":null,"updated_at":"2026-11-02T09:00:00Z"}`},
	{"ak/key_AbCdEf012345", `{"id":"key_AbCdEf012345","workspace_id":"ws_AAAAAAAAAAAAAAAA","name":"crm","scopes":["links:read","links:write"],"hash":"851ea3a7b39bfc2007c6f2ba8f3aa1edc45216a47ae4ade3841d94855e6cd8f5","prefix":"ctk_AbCdEf01","created_at":"2026-11-01T09:00:00Z","created_by":"bootstrap_0"}`},
	{"d/go.example.com", `{"domain":"go.example.com","workspace_id":"ws_AAAAAAAAAAAAAAAA","created_at":"2026-11-01T09:00:00Z"}`},
	{"tp/ws_AAAAAAAAAAAAAAAA/default", `{"name":"default","workspace_id":"ws_AAAAAAAAAAAAAAAA","utm":{"medium":"email"},"force":["medium"],"updated_at":"2026-11-01T09:00:00Z"}`},
}

// previousToken is the secret of the key stored at "ak/key_AbCdEf012345".
const previousToken = "ctk_AbCdEf012345SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"

// TestOpensPreviousLayout writes the previous layout's bytes with pebble
// alone, opens the store through redirect and reads links, workspaces,
// keys, domains and templates through the new packages; then writes the
// same records again through them and checks that the bytes are the same.
func TestOpensPreviousLayout(t *testing.T) {
	dir := t.TempDir()
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range previousLayout {
		if err := db.Set([]byte(r.key), []byte(r.value), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := redirect.OpenStore(dir, redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const ws, id = "ws_AAAAAAAAAAAAAAAA", "lnk_0123456789ABCDEFGHIJKL"

	l, err := s.Get(ctx, id)
	if err != nil || l.Path != "spring" || l.WorkspaceID != ws || l.UTM.Medium != "email" || l.Metadata["contact_id"] != "c_42" ||
		l.RedirectCode != 302 || !l.CreatedAt.Equal(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("Get: %+v, %v", l, err)
	}
	if got, ok := s.Lookup("go.example.com", "spring"); !ok || got.ID != id {
		t.Errorf("Lookup: %+v, %v", got, ok)
	}
	if got, err := s.GetByExternalID(ctx, ws, "crm:42"); err != nil || got.ID != id {
		t.Errorf("GetByExternalID: %+v, %v", got, err)
	}

	ten := tenancy.NewStore(s)
	w, err := ten.GetWorkspace(ctx, ws)
	if err != nil || w.Name != "Acme" || len(w.DestinationAllowHosts) != 1 || w.DestinationAllowHosts[0] != "*.example.org" {
		t.Errorf("GetWorkspace: %+v, %v", w, err)
	}
	k, err := ten.Authenticate(ctx, previousToken)
	if err != nil || k.ID != "key_AbCdEf012345" || k.WorkspaceID != ws || !k.CreatedAt.Equal(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Authenticate: %+v, %v", k, err)
	}
	if _, err := ten.Authenticate(ctx, previousToken[:len(previousToken)-1]+"T"); err == nil {
		t.Error("Authenticate accepted a wrong secret")
	}
	d, err := ten.GetDomain(ctx, "go.example.com")
	if err != nil || d.WorkspaceID != ws {
		t.Errorf("GetDomain: %+v, %v", d, err)
	}
	tp, err := templates.NewStore(s).Get(ctx, ws, templates.DefaultName)
	if err != nil || tp.UTM.Medium != "email" || len(tp.Force) != 1 {
		t.Errorf("template: %+v, %v", tp, err)
	}

	// Written again through the new packages, every record keeps its bytes.
	if err := s.Put(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := ten.UpdateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := ten.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := templates.NewStore(s).Put(ctx, tp); err != nil {
		t.Fatal(err)
	}
	for _, r := range previousLayout {
		var got []byte
		if _, err := pebblekv.Get(s.DB(), []byte(r.key), func(v []byte) error { got = bytes.Clone(v); return nil }); err != nil {
			t.Fatal(err)
		}
		if string(got) != r.value {
			t.Errorf("%s after a rewrite:\n got %q\nwant %q", r.key, got, r.value)
		}
	}
}
