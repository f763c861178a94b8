package redirect

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

func TestStoreCreateGetLookup(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	l := testLink("spring")
	mustCreate(t, s, l)

	got, err := s.Get(context.Background(), l.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("Get = %+v, want %+v", got, l)
	}
	lk, ok := s.Lookup(testDomain, "spring")
	if !ok || !reflect.DeepEqual(lk, l) {
		t.Errorf("Lookup = %+v, %v; want %+v", lk, ok, l)
	}
	for _, tc := range []struct{ name, domain, path string }{
		{"other path", testDomain, "summer"},
		{"other case", testDomain, "Spring"},
		{"other domain", "go.other.com", "spring"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := s.Lookup(tc.domain, tc.path); ok {
				t.Errorf("Lookup(%s, %s) found a link", tc.domain, tc.path)
			}
		})
	}
	if _, err := s.Get(context.Background(), NewLinkID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.Get(context.Background(), "not an id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(malformed) = %v, want ErrNotFound", err)
	}
}

func TestStoreCreateAssignsID(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	l := testLink("x")
	l.ID = ""
	mustCreate(t, s, l)
	if !ValidLinkID(l.ID) {
		t.Fatalf("Create set ID %q", l.ID)
	}
}

func TestStoreCopiesLinks(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	l := testLink("copy")
	mustCreate(t, s, l)
	l.Tags[0] = "changed"
	l.Metadata["contact_id"] = "changed"
	got, _ := s.Lookup(testDomain, "copy")
	if got.Tags[0] != "spring" || got.Metadata["contact_id"] != "c_42" {
		t.Errorf("the cached link shares memory with the caller's: %+v", got)
	}
}

func TestStoreDuplicatePath(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	first := testLink("dup")
	mustCreate(t, s, first)

	err := s.Create(context.Background(), testLink("dup"))
	if !errors.Is(err, ErrPathTaken) {
		t.Fatalf("second Create = %v, want ErrPathTaken", err)
	}
	var pt *PathTakenError
	if !errors.As(err, &pt) || pt.ExistingID != first.ID {
		t.Fatalf("error %v does not carry existing id %s", err, first.ID)
	}
}

func TestStoreConcurrentCreateSamePath(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	const n = 16
	links := make([]*Link, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		links[i] = testLink("race")
		wg.Go(func() {
			<-start
			errs[i] = s.Create(context.Background(), links[i])
		})
	}
	close(start)
	wg.Wait()

	var winners []string
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, links[i].ID)
		case !errors.Is(err, ErrPathTaken):
			t.Errorf("Create %d: %v", i, err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d creates won, want exactly 1", len(winners))
	}
	for i, err := range errs {
		var pt *PathTakenError
		if err != nil && (!errors.As(err, &pt) || pt.ExistingID != winners[0]) {
			t.Errorf("Create %d: %v does not name the winner %s", i, err, winners[0])
		}
	}
	if l, ok := s.Lookup(testDomain, "race"); !ok || l.ID != winners[0] {
		t.Errorf("Lookup = %v, %v; want the winner %s", l, ok, winners[0])
	}
}

func TestStoreReopenKeepsLinks(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := testLink("persist/me")
	mustCreate(t, s, l)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenStore(dir, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Get(context.Background(), l.ID); err != nil || !reflect.DeepEqual(got, l) {
		t.Errorf("Get after reopen = %+v, %v", got, err)
	}
	if got, ok := s.Lookup(testDomain, "persist/me"); !ok || got.ID != l.ID {
		t.Errorf("Lookup after reopen = %+v, %v", got, ok)
	}
}

func TestStorePut(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := context.Background()
	l := testLink("old")
	mustCreate(t, s, l)
	other := testLink("other")
	mustCreate(t, s, other)
	s.Lookup(testDomain, "old") // warm the cache so that coherence is tested
	s.Lookup(testDomain, "new")

	l.DestinationURL = "https://example.org/updated"
	if err := s.Put(ctx, l); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if got, _ := s.Lookup(testDomain, "old"); got.DestinationURL != l.DestinationURL {
		t.Errorf("Lookup after update: destination %q, want %q", got.DestinationURL, l.DestinationURL)
	}

	l.Path = "new"
	if err := s.Put(ctx, l); err != nil {
		t.Fatalf("Put (move): %v", err)
	}
	if _, ok := s.Lookup(testDomain, "old"); ok {
		t.Error("old path still resolves after the move")
	}
	if got, ok := s.Lookup(testDomain, "new"); !ok || got.ID != l.ID {
		t.Errorf("new path: %v, %v", got, ok)
	}
	if got, err := s.Get(ctx, l.ID); err != nil || got.Path != "new" {
		t.Errorf("Get after move = %+v, %v", got, err)
	}

	l.Path = "other"
	if err := s.Put(ctx, l); !errors.Is(err, ErrPathTaken) {
		t.Errorf("Put onto another link's path = %v, want ErrPathTaken", err)
	}
	if err := s.Put(ctx, testLink("ghost")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Put of an unknown id = %v, want ErrNotFound", err)
	}
}

func TestStoreApplyTakesOverPath(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := context.Background()
	local := testLink("shared")
	mustCreate(t, s, local)

	replicated := testLink("shared")
	if applied, err := s.ApplyNewerUnsynced(ctx, replicated); err != nil || !applied {
		t.Fatalf("ApplyNewerUnsynced: %v, %v", applied, err)
	}
	if got, ok := s.Lookup(testDomain, "shared"); !ok || got.ID != replicated.ID {
		t.Errorf("Lookup = %v, want the replicated link", got)
	}
	if _, err := s.Get(ctx, local.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(displaced link) = %v, want ErrNotFound", err)
	}
	if _, err := s.ApplyNewerUnsynced(ctx, replicated); err != nil { // replays are harmless
		t.Errorf("ApplyNewerUnsynced again: %v", err)
	}
}

func TestStoreLookupMissThenCreate(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	if _, ok := s.Lookup(testDomain, "later"); ok {
		t.Fatal("found a link before creating it")
	}
	mustCreate(t, s, testLink("later"))
	if _, ok := s.Lookup(testDomain, "later"); !ok {
		t.Fatal("a cached miss hides the created link")
	}
}

func TestStoreSmallCacheEvicts(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{CacheEntries: cacheShards}) // one slot per shard
	links := make([]*Link, 200)
	for i := range links {
		links[i] = testLink(fmt.Sprintf("p%d", i))
		mustCreate(t, s, links[i])
	}
	for round := range 2 {
		for _, l := range links {
			if got, ok := s.Lookup(testDomain, l.Path); !ok || got.ID != l.ID {
				t.Fatalf("round %d: Lookup(%s) = %v, %v", round, l.Path, got, ok)
			}
		}
	}
	total := 0
	for i := range s.cache.shards {
		sh := &s.cache.shards[i]
		if int64(len(sh.slots)) > s.cache.max || len(sh.idx) != len(sh.slots) {
			t.Fatalf("shard %d: %d slots, %d indexed, max %d", i, len(sh.slots), len(sh.idx), s.cache.max)
		}
		total += len(sh.slots)
	}
	if total > cacheShards {
		t.Errorf("cache holds %d entries, bound %d", total, cacheShards)
	}
}

func TestCacheFillLosesToWrite(t *testing.T) {
	c := newLinkCache(100)
	k := cacheKey{testDomain, "k"}
	_, gen := c.get(k) // a reader misses and goes to pebble...
	written := &entry{link: testLink("k")}
	c.set(k, written)       // ...a writer commits and updates the cache...
	c.fill(k, missing, gen) // ...and the reader's stale fill must be dropped.
	if e, _ := c.get(k); e != written {
		t.Fatalf("stale fill replaced the written entry")
	}
}

func TestStoreRejectsInvalidLinks(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	for _, tc := range []struct {
		name, field string
		mutate      func(*Link)
	}{
		{"bad id", "id", func(l *Link) { l.ID = "lnk_short" }},
		{"no workspace", "workspace_id", func(l *Link) { l.WorkspaceID = "" }},
		{"upper-case domain", "domain", func(l *Link) { l.Domain = "Go.Example.com" }},
		{"domain with slash", "domain", func(l *Link) { l.Domain = "a/b" }},
		{"bad path", "path", func(l *Link) { l.Path = "a b" }},
		{"bad destination", "destination_url", func(l *Link) { l.DestinationURL = "ftp://x.org/" }},
		{"bad redirect code", "redirect_code", func(l *Link) { l.RedirectCode = 303 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink("valid")
			tc.mutate(l)
			err := s.Create(context.Background(), l)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Create = %v, want a FieldError for %s", err, tc.field)
			}
		})
	}
}

func TestStoreOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*StoreOptions)
		wantErr string
	}{
		{"zero value", func(*StoreOptions) {}, ""},
		{"negative cache", func(o *StoreOptions) { o.CacheEntries = -1 }, "CacheEntries"},
		{"negative block cache", func(o *StoreOptions) { o.BlockCacheBytes = -1 }, "BlockCacheBytes"},
		{"small memtable", func(o *StoreOptions) { o.MemTableBytes = 64 << 10 }, "MemTableBytes"},
		{"huge memtable", func(o *StoreOptions) { o.MemTableBytes = 2 << 30 }, "MemTableBytes"},
		{"memtable of 8 MiB", func(o *StoreOptions) { o.MemTableBytes = 8 << 20 }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o StoreOptions
			tc.mutate(&o)
			err := o.Validate()
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestStoreCreateHonoursContext(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Create(ctx, testLink("ctx")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Create with a cancelled context = %v", err)
	}
}

func BenchmarkLookup(b *testing.B) {
	s, _ := openTestStore(b, StoreOptions{})
	const n = 1000
	for i := range n {
		mustCreate(b, s, testLink(fmt.Sprintf("bench%d", i)))
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("bench%d", i)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := s.Lookup(testDomain, paths[i%n]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("uncached", func(b *testing.B) { // nearly every lookup misses the link cache: pebble read, decode, entry build
		s2, _ := openTestStore(b, StoreOptions{CacheEntries: cacheShards})
		for i := range n {
			mustCreate(b, s2, testLink(fmt.Sprintf("bench%d", i)))
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s2.Lookup(testDomain, paths[(i*7919)%n])
			i++
		}
	})
}

func BenchmarkCreateParallel(b *testing.B) {
	s, _ := openTestStore(b, StoreOptions{})
	b.ReportAllocs()
	b.SetParallelism(8) // concurrent API requests share WAL syncs
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l := testLink(RandomPath() + RandomPath())
			if err := s.Create(context.Background(), l); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// crashAndReopen closes s and opens the store "links" as a crash would have
// left it: every write not synced to disk dropped.
func crashAndReopen(t *testing.T, s *Store, fs *vfs.MemFS) *Store {
	t.Helper()
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore("links", StoreOptions{FS: crashed})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStoreAcknowledgedCreatesSurviveCrash checks the durability contract:
// after Create returns nil the link survives a crash that drops every write
// not synced to disk.
func TestStoreAcknowledgedCreatesSurviveCrash(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s, err := OpenStore("links", StoreOptions{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	links := make([]*Link, 40)
	var wg sync.WaitGroup
	for i := range links {
		links[i] = testLink(fmt.Sprintf("crash%d", i))
		wg.Go(func() { mustCreate(t, s, links[i]) })
	}
	wg.Wait()
	s = crashAndReopen(t, s, fs)
	for _, l := range links {
		if got, err := s.Get(context.Background(), l.ID); err != nil || got.Path != l.Path {
			t.Errorf("acknowledged link %s lost in the crash: %v", l.Path, err)
		}
	}
}

func TestApplyNewerKeepsTheLatest(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := t.Context()
	l := testLink("lww")
	mustCreate(t, s, l)
	older := l.Clone()
	older.DestinationURL, older.UpdatedAt = "https://example.com/older", l.UpdatedAt.Add(-time.Minute)
	if applied, err := s.ApplyNewerUnsynced(ctx, older); err != nil || applied {
		t.Fatalf("an older version: applied=%v err=%v", applied, err)
	}
	newer := l.Clone()
	newer.DestinationURL, newer.UpdatedAt = "https://example.com/newer", l.UpdatedAt.Add(time.Minute)
	if applied, err := s.ApplyNewerUnsynced(ctx, newer); err != nil || !applied {
		t.Fatalf("a newer version: applied=%v err=%v", applied, err)
	}
	got, ok := s.Lookup(l.Domain, l.Path)
	if !ok || got.DestinationURL != "https://example.com/newer" {
		t.Fatalf("lookup after apply: %+v %v", got, ok)
	}
	if applied, err := s.ApplyNewerUnsynced(ctx, newer.Clone()); err != nil || applied {
		t.Fatalf("the version the store holds: applied=%v err=%v", applied, err)
	}
	fresh := testLink("fresh")
	if applied, err := s.ApplyNewerUnsynced(ctx, fresh); err != nil || !applied {
		t.Fatalf("an unknown link: applied=%v err=%v", applied, err)
	}
	offsets := map[int32]int64{0: 12, 2: 7}
	if err := s.SetReplicaOffsets(ctx, "links.v1", offsets); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReplicaOffsets(ctx, "links.v1"); err != nil || len(got) != 2 || got[0] != 12 || got[2] != 7 {
		t.Fatalf("offsets %v %v", got, err)
	}
	if got, err := s.ReplicaOffsets(ctx, "other"); err != nil || len(got) != 0 {
		t.Fatalf("offsets of an unread topic %v %v", got, err)
	}
}

// TestApplyNewerDecidesUnderTheLock: the write itself refuses an older
// version, also when it moved path, so an update that lands between
// ApplyNewerUnsynced's first read and its write is never reverted.
func TestApplyNewerDecidesUnderTheLock(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := t.Context()
	l := testLink("race")
	mustCreate(t, s, l)
	for _, path := range []string{"race", "race-moved"} {
		older := l.Clone()
		older.Path, older.DestinationURL, older.UpdatedAt = path, "https://example.com/older", l.UpdatedAt.Add(-time.Second)
		if err := s.write(ctx, older, modeApplyNewer); !errors.Is(err, errNotNewer) {
			t.Fatalf("an older version at %s: %v, want errNotNewer", path, err)
		}
	}
	if got, ok := s.Lookup(l.Domain, "race"); !ok || got.DestinationURL != l.DestinationURL {
		t.Fatalf("the stored link changed: %+v %v", got, ok)
	}
	if _, ok := s.Lookup(l.Domain, "race-moved"); ok {
		t.Fatal("a refused older version took a path")
	}
}

// TestReplicaBatchSyncedByItsOffsets checks the replication contract: links
// applied with ApplyNewerUnsynced survive a crash once SetReplicaOffsets
// has returned, with one sync for the whole batch.
func TestReplicaBatchSyncedByItsOffsets(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s, err := OpenStore("links", StoreOptions{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	links := make([]*Link, 30)
	for i := range links {
		links[i] = testLink(fmt.Sprintf("replica%d", i))
		links[i].ID = NewLinkID()
		if applied, err := s.ApplyNewerUnsynced(ctx, links[i]); err != nil || !applied {
			t.Fatalf("apply %s: applied=%v err=%v", links[i].Path, applied, err)
		}
		if got, err := s.Get(ctx, links[i].ID); err != nil || got.Path != links[i].Path {
			t.Fatalf("applied link %s not visible at once: %v", links[i].Path, err)
		}
	}
	offsets := map[int32]int64{0: 17, 3: 12}
	if err := s.SetReplicaOffsets(ctx, "links", offsets); err != nil {
		t.Fatal(err)
	}
	s = crashAndReopen(t, s, fs)
	for _, l := range links {
		if got, err := s.Get(ctx, l.ID); err != nil || got.Path != l.Path {
			t.Errorf("link %s applied before the synced offsets lost in the crash: %v", l.Path, err)
		}
	}
	if got, err := s.ReplicaOffsets(ctx, "links"); err != nil || len(got) != 2 || got[0] != 17 || got[3] != 12 {
		t.Errorf("offsets after the crash: %v, %v", got, err)
	}
}

// BenchmarkReplicaApply applies replicated links on disk in batches of 1,000,
// as a node tailing the links topic does: each link synced on its own
// (a WAL sync after each), or the batch synced once by its offsets.
func BenchmarkReplicaApply(b *testing.B) {
	for _, tc := range []struct {
		name  string
		apply func(*Store, context.Context, *Link) (bool, error)
	}{
		{"synced per link", func(s *Store, ctx context.Context, l *Link) (bool, error) {
			applied, err := s.ApplyNewerUnsynced(ctx, l)
			if err == nil && applied {
				err = s.syncWAL()
			}
			return applied, err
		}},
		{"synced per batch", (*Store).ApplyNewerUnsynced},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, _ := openTestStore(b, StoreOptions{})
			ctx := context.Background()
			offsets := map[int32]int64{}
			i := 0
			for b.Loop() {
				l := testLink(fmt.Sprintf("r%d", i))
				l.ID = NewLinkID()
				if _, err := tc.apply(s, ctx, l); err != nil {
					b.Fatal(err)
				}
				i++
				if i%1000 == 0 {
					offsets[0] = int64(i)
					if err := s.SetReplicaOffsets(ctx, "links", offsets); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
