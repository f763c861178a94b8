package linkapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

// listPage fetches one page of GET /v1/links.
func listPage(t testing.TB, f *lifecycleFixture, query string) listLinksResponse {
	t.Helper()
	rec := f.call(t, "GET", "/v1/links?"+query, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("list ?%s: %d %s", query, rec.Code, rec.Body)
	}
	var page listLinksResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatalf("list ?%s: %v", query, err)
	}
	return page
}

// listAll walks every page of query and returns the paths in order.
func listAll(t testing.TB, f *lifecycleFixture, query string) []string {
	t.Helper()
	var paths []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("the walk does not end")
		}
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := listPage(t, f, q)
		for _, l := range page.Links {
			paths = append(paths, l.Path)
		}
		if page.NextCursor == "" {
			return paths
		}
		cursor = page.NextCursor
	}
}

func TestListFilters(t *testing.T) {
	f := newLifecycleFixture(t)
	mk := func(path, dest, tags string, at time.Duration) *redirect.Link {
		f.mu.Lock()
		f.clock.Set(testNow.Add(at))
		f.mu.Unlock()
		return f.create(t, fmt.Sprintf(`{"destination_url":%q,"path":%q,"tags":%s}`, dest, path, tags))
	}
	mk("spring-sale", "https://shop.example.org/spring", `["q2","mail"]`, 0)
	mk("summer", "https://shop.example.org/SUMMER-deals", `["q3"]`, time.Hour)
	autumn := mk("autumn", "https://blog.example.org/autumn", `["q4","mail"]`, 2*time.Hour)
	gone := mk("gone", "https://shop.example.org/gone", `[]`, 3*time.Hour)
	f.clock.Advance(time.Hour) // now testNow+4h
	if rec := f.call(t, "PATCH", "/v1/links/"+autumn.ID, `{"tags":["q4","mail","late"]}`); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	if rec := f.call(t, "DELETE", "/v1/links/"+gone.ID, ""); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	ts := func(d time.Duration) string { return url.QueryEscape(testNow.Add(d).Format(time.RFC3339)) }
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"all but deleted", "", []string{"autumn", "spring-sale", "summer"}},
		{"include deleted", "include_deleted=true", []string{"autumn", "gone", "spring-sale", "summer"}},
		{"domain", "domain=" + testDomain, []string{"autumn", "spring-sale", "summer"}},
		{"other domain", "domain=other.example.com", nil},
		{"tag", "tag=mail", []string{"autumn", "spring-sale"}},
		{"text in path", "q=SALE", []string{"spring-sale"}},
		{"text in destination", "q=summer-DEALS", []string{"summer"}},
		{"text and tag", "q=example.org&tag=q3", []string{"summer"}},
		{"created after is inclusive", "created_after=" + ts(time.Hour), []string{"autumn", "summer"}},
		{"created before is exclusive", "created_before=" + ts(time.Hour), []string{"spring-sale"}},
		{"created range", "created_after=" + ts(time.Hour) + "&created_before=" + ts(2*time.Hour), []string{"summer"}},
		{"updated after", "updated_after=" + ts(4*time.Hour), []string{"autumn"}},
		{"updated before", "updated_before=" + ts(4*time.Hour) + "&include_deleted=true", []string{"spring-sale", "summer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []string{"limit=1", "limit=2", "limit=1000"} {
				got := listAll(t, f, tc.query+"&"+limit)
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: %v, want %v", limit, got, tc.want)
				}
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	f := newLifecycleFixture(t)
	for _, tc := range []struct{ name, query, code, field string }{
		{"limit zero", "limit=0", CodeInvalidField, "limit"},
		{"limit too big", "limit=1001", CodeInvalidField, "limit"},
		{"limit not a number", "limit=ten", CodeInvalidField, "limit"},
		{"bad cursor", "cursor=abc", CodeInvalidField, "cursor"},
		{"forged cursor", "cursor=" + encodeListCursor("lnk_short"), CodeInvalidField, "cursor"},
		{"bad time", "created_after=yesterday", CodeInvalidField, "created_after"},
		{"bad include_deleted", "include_deleted=yes", CodeInvalidField, "include_deleted"},
		{"unknown parameter", "sort=path", CodeUnknownField, "sort"},
		{"repeated parameter", "tag=a&tag=b", CodeInvalidField, "tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, f.call(t, "GET", "/v1/links?"+tc.query, ""), 400, tc.code, tc.field)
		})
	}
	if page := listPage(t, f, ""); len(page.Links) != 0 || page.NextCursor != "" || page.Links == nil {
		t.Errorf("empty store: %+v", page)
	}
}

// TestListWalkWhileInserting walks every page while other goroutines
// create links: every link that existed before the walk is seen exactly
// once, and no link twice.
func TestListWalkWhileInserting(t *testing.T) {
	f := newLifecycleFixture(t)
	const before = 400
	want := map[string]bool{}
	for i := range before {
		l := testLink(fmt.Sprintf("old-%d", i))
		mustCreate(t, f.store, l)
		want[l.Path] = true
	}
	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		inserted atomic.Int64
	)
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := f.store.Create(t.Context(), testLink(fmt.Sprintf("new-%d-%d", w, i))); err != nil {
					t.Error(err)
					return
				}
				inserted.Add(1)
			}
		})
	}
	// Walk only once some inserts have happened, so the walk overlaps them.
	for deadline := time.Now().Add(time.Minute); inserted.Load() < 20 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	paths := listAll(t, f, "limit=7")
	stop.Store(true)
	wg.Wait()
	seen := map[string]int{}
	for _, p := range paths {
		seen[p]++
		if seen[p] == 2 {
			t.Errorf("%s listed twice", p)
		}
	}
	for p := range want {
		if seen[p] != 1 {
			t.Errorf("%s listed %d times", p, seen[p])
		}
	}
	if inserted.Load() == 0 {
		t.Error("no link was inserted during the walk")
	}
}

func TestListScanBudget(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	var ids []string
	for i := range 5 {
		l := testLink(fmt.Sprintf("p%d", i))
		mustCreate(t, s, l)
		if i == 3 {
			l.Tags = []string{"rare"}
			if err := s.Put(t.Context(), l); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, l.ID)
	}
	slices.Sort(ids)
	// Two links read per call: a selective filter answers short pages with
	// a cursor that always moves forward, and finds the one match.
	q := redirect.ListQuery{WorkspaceID: redirect.DefaultWorkspaceID, Tag: "rare", MaxScan: 2}
	var found []*redirect.Link
	for calls := 1; ; calls++ {
		links, after, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(links) > 2 || calls > len(ids) {
			t.Fatalf("call %d: %d links", calls, len(links))
		}
		found = append(found, links...)
		if after == "" {
			break
		}
		if after <= q.After {
			t.Fatalf("cursor went back: %q after %q", after, q.After)
		}
		q.After = after
	}
	if len(found) != 1 || found[0].Path != "p3" {
		t.Errorf("found %d links", len(found))
	}
}

// TestCheckQueryNamesWhatTheRouteTakes: an unknown parameter's error lists
// the route's parameters, so a caller can fix a typo without the docs.
func TestCheckQueryNamesWhatTheRouteTakes(t *testing.T) {
	for _, tc := range []struct {
		values  map[string][]string
		allowed map[string]bool
		field   string
		msg     string
	}{
		{map[string][]string{"colour": {"red"}}, qrParamNames, "colour", "unknown query parameter; want format or size"},
		{map[string][]string{"": {"red"}}, qrParamNames, "", "a query parameter without a name; want format or size"},
		{map[string][]string{"sort": {"path"}}, map[string]bool{"tag": true, "limit": true, "cursor": true}, "sort",
			"unknown query parameter; want one of cursor, limit, tag"},
		{map[string][]string{"x": {"1"}}, map[string]bool{"limit": true}, "x", "unknown query parameter; want limit"},
		{map[string][]string{"size": {"1", "2"}}, qrParamNames, "size", "give it once"},
	} {
		aerr := CheckQuery(tc.values, tc.allowed)
		if aerr == nil || aerr.Field != tc.field || aerr.Message != tc.msg {
			t.Errorf("CheckQuery(%v) = %+v, want field %q message %q", tc.values, aerr, tc.field, tc.msg)
		}
	}
	if aerr := CheckQuery(map[string][]string{"size": {"512"}}, qrParamNames); aerr != nil {
		t.Errorf("a known parameter refused: %+v", aerr)
	}
}
