package redirect

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

func TestCreateBatch(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := context.Background()
	held := testLink("held")
	held.ExternalID = "sku-held"
	mustCreate(t, s, held)
	if _, ok := s.Lookup(testDomain, "fresh"); ok { // a remembered miss, to be replaced
		t.Fatal("fresh exists")
	}
	withExt := func(path, ext string) *Link { l := testLink(path); l.ExternalID = ext; return l }
	bad := testLink("bad")
	bad.DestinationURL = "javascript:alert(1)"
	sameID := testLink("same-id") // a caller-chosen id that is taken
	sameID.ID = held.ID
	noID := testLink("no-id") // gets one, not looked up (see commitBatch)
	noID.ID = ""
	links := []*Link{
		testLink("fresh"),
		testLink("held"),               // path of a stored link
		testLink("fresh"),              // path of an earlier link of the batch
		withExt("e1", "sku-held"),      // external id of a stored link
		withExt("e2", "sku-1"),         //
		withExt("e3", "sku-1"),         // external id of an earlier link of the batch
		bad,                            // invalid
		{Domain: testDomain, Path: ""}, // invalid, no id yet
		sameID,                         // id of a stored link
		noID,                           //
	}
	errs, err := s.CreateBatch(ctx, links, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "path", "path", "external", "", "external", "field", "field", "field", ""}
	for i, e := range errs {
		var got string
		switch {
		case e == nil:
		case errors.Is(e, ErrPathTaken):
			got = "path"
		case errors.As(e, new(*ExternalIDTakenError)):
			got = "external"
		case errors.As(e, new(*FieldError)):
			got = "field"
		default:
			got = e.Error()
		}
		if got != want[i] {
			t.Errorf("link %d (%s): %v, want %s", i, links[i].Path, e, want[i])
		}
	}
	var pt *PathTakenError
	if errors.As(errs[1], &pt); pt == nil || pt.ExistingID != held.ID {
		t.Errorf("path taken by %v, want %s", pt, held.ID)
	}
	if errors.As(errs[2], &pt); pt.ExistingID != links[0].ID {
		t.Errorf("in-batch path taken by %s, want %s", pt.ExistingID, links[0].ID)
	}
	if l, ok := s.Lookup(testDomain, "fresh"); !ok || l.ID != links[0].ID {
		t.Errorf("cached miss not replaced: %v %v", l, ok)
	}
	if l, err := s.GetByExternalID(ctx, DefaultWorkspaceID, "sku-1"); err != nil || l.ID != links[4].ID {
		t.Errorf("external id: %v %v", l, err)
	}
	if l, err := s.Get(ctx, links[4].ID); err != nil || l.Path != "e2" {
		t.Errorf("Get: %v %v", l, err)
	}
	for _, i := range []int{1, 2, 3, 5} {
		if _, err := s.Get(ctx, links[i].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("refused link %d stored: %v", i, err)
		}
	}
	if _, err := s.CreateBatch(canceled(), []*Link{testLink("late")}, BatchOptions{}); err == nil {
		t.Error("CreateBatch with a cancelled context succeeded")
	}
	if _, ok := s.Lookup(testDomain, "late"); ok {
		t.Error("late stored")
	}
}

// A batch survives a reopen: nil means durable.
func TestCreateBatchDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	links := make([]*Link, 100)
	for i := range links {
		links[i] = testLink(fmt.Sprint("d", i))
	}
	if _, err := s.CreateBatch(context.Background(), links, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = OpenStore(dir, StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := countLinks(t, s); n != len(links) {
		t.Errorf("%d links after reopen, want %d", n, len(links))
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// BenchmarkCreateBatch measures bulk creates in batches of 1000 links (one
// fsync each); links/s is the figure that matters.
func BenchmarkCreateBatch(b *testing.B) {
	s, _ := openTestStore(b, StoreOptions{})
	ctx := context.Background()
	const batch = 1000
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		links := make([]*Link, batch)
		for i := range links {
			links[i] = testLink(fmt.Sprint("b", n))
			n++
		}
		if _, err := s.CreateBatch(ctx, links, BatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "links/s")
}

// BenchmarkCreateOneByOne is the baseline CreateBatch replaces.
func BenchmarkCreateOneByOne(b *testing.B) {
	s, _ := openTestStore(b, StoreOptions{})
	ctx := context.Background()
	n := 0
	for b.Loop() {
		if err := s.Create(ctx, testLink(fmt.Sprint("o", n))); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "links/s")
}

// countLinks counts the links in the store.
func countLinks(t testing.TB, s *Store) int {
	t.Helper()
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(indexPrefix), UpperBound: prefixEnd(indexPrefix)})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for valid := it.First(); valid; valid = it.Next() {
		n++
	}
	return n
}
