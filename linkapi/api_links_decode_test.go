package linkapi

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// FuzzDecodePatch checks that no PATCH body panics, that every refusal is
// a 400 naming what is wrong, and that every accepted patch yields a valid
// link with the same identity, leaving the old link untouched.
func FuzzDecodePatch(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"destination_url":"https://a.example/"}`,
		`{"utm":{"source":"x","campaign":null}}`, `{"utm":null}`, `{"utm":"x"}`,
		`{"metadata":{"a":null,"b":"c"}}`, `{"metadata":{"a":1}}`, `{"tags":["a",null]}`,
		`{"expires_at":"2026-01-01T00:00:00Z"}`, `{"expires_at":null}`, `{"expires_at":5}`,
		`{"redirect_code":1e400}`, `{"redirect_code":-1}`, `{"redirect_code":301.5}`,
		`{"rules":[{"id":"r","devices":["MOBILE"],"destination_url":"https://m.example/"}]}`,
		`{"variants":[{"id":"a","weight":1,"destination_url":"https://a.example/"},{"id":"b","weight":1,"destination_url":"https://b.example/"}]}`,
		`{"path":"x"}`, `{"id":"lnk_x"}`, `{"external_id":"sku:1"}`, `{"disabled":true}`,
		`{"a":{"b":{"c":null}}}`, `{"tags":` + fmt.Sprint(make([]int, 30)) + `}`, `{"utm":{"source":"\u0000"}}`,
	} {
		f.Add([]byte(seed))
	}
	old := testLink("fuzz")
	exp := testNow.Add(time.Hour)
	old.ExpiresAt, old.ExpiredURL = &exp, "https://shop.example.org/over"
	before := old.Clone()
	now := testNow.Add(time.Minute)
	// An accepted link must be servable: Put compiles it as the
	// redirector's cache does.
	store, err := redirect.OpenStore("", redirect.StoreOptions{FS: vfs.NewMem()})
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	if err := store.Create(context.Background(), old.Clone()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		l, aerr := decodePatch(body, old, now)
		if !reflect.DeepEqual(old, before) {
			t.Fatalf("decodePatch modified the old link")
		}
		if aerr != nil {
			if aerr.status != 400 || aerr.Code == "" || aerr.Message == "" {
				t.Fatalf("refusal %+v", aerr)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("accepted an invalid link: %v", err)
		}
		if l.ID != old.ID || l.Path != old.Path || l.Domain != old.Domain || !l.CreatedAt.Equal(old.CreatedAt) || !l.UpdatedAt.Equal(now) {
			t.Fatalf("identity changed: %+v", l)
		}
		if err := store.Put(context.Background(), l); err != nil {
			t.Fatalf("accepted link is not servable: %v", err)
		}
	})
}

func TestDecodePatchKeepsUntouchedMembers(t *testing.T) {
	old := testLink("keep")
	old.Rules = []redirect.Rule{{ID: "ios", OS: []string{"ios"}, DestinationURL: "https://apps.example.org/"}}
	l, aerr := decodePatch([]byte(`{"tags":["new"]}`), old, testNow)
	if aerr != nil {
		t.Fatal(aerr)
	}
	want := old.Clone()
	want.Tags, want.UpdatedAt = []string{"new"}, testNow
	if !reflect.DeepEqual(l, want) {
		t.Errorf("patched\n%+v\nwant\n%+v", l, want)
	}
}

func BenchmarkDecodePatch(b *testing.B) {
	old := testLink("bench")
	body := []byte(`{"destination_url":"https://shop.example.org/new","utm":{"campaign":"autumn"},"tags":["a","b"]}`)
	for b.Loop() {
		if _, aerr := decodePatch(body, old, testNow); aerr != nil {
			b.Fatal(aerr)
		}
	}
}

// BenchmarkStoreList measures one page of 50 over 10,000 links, unfiltered
// and with a filter that matches one link in 100 (so a page reads 5,000).
func BenchmarkStoreList(b *testing.B) {
	s, _ := openTestStore(b, redirect.StoreOptions{})
	ctx := context.Background()
	for i := range 10_000 {
		l := testLink(fmt.Sprintf("p%d", i))
		if i%100 == 0 {
			l.Tags = []string{"rare"}
		}
		mustCreate(b, s, l)
	}
	for _, bc := range []struct {
		name string
		q    redirect.ListQuery
	}{
		{"all", redirect.ListQuery{WorkspaceID: redirect.DefaultWorkspaceID}},
		{"tag 1 in 100", redirect.ListQuery{WorkspaceID: redirect.DefaultWorkspaceID, Tag: "rare"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				links, _, err := s.List(ctx, bc.q)
				if err != nil || len(links) != 50 {
					b.Fatalf("%d links, %v", len(links), err)
				}
			}
		})
	}
}
