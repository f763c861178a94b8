package attribution

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// fixture is an Attributor on a real pebble directory with a settable clock.
type fixture struct {
	a     *Attributor
	dir   string
	clock *testutil.Clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), clock: testutil.NewClock(t0)}
	f.open(t)
	return f
}

func (f *fixture) open(t *testing.T) {
	t.Helper()
	a, err := Open(Config{Dir: f.dir, Window: 30 * 24 * time.Hour, PendingFor: time.Hour, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.a = a
	t.Cleanup(func() { f.a.Close() })
}

func (f *fixture) reopen(t *testing.T) {
	t.Helper()
	if err := f.a.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := Open(Config{Dir: f.dir, Window: 30 * 24 * time.Hour, PendingFor: time.Hour, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.a = a
}

// idAt is a UUIDv7 of millisecond at, distinguished by n.
func idAt(at time.Time, n int) string {
	ms := uint64(at.UnixMilli())
	return fmt.Sprintf("%08x-%04x-7%03x-8000-%012x", ms>>16, ms&0xffff, n&0xfff, n)
}

func click(id, ws, link, contact string, at time.Time) *schemas.EnrichedClick {
	return &schemas.EnrichedClick{V: 1, EventID: id, Type: schemas.ClickTypeClick, Time: at, WorkspaceID: ws,
		LinkID: link, Domain: "go.brand.com", Path: "spring", Destination: "https://brand.com/",
		UTM: schemas.UTM{Campaign: "spring"}, Tags: []string{"q4"}, ContactID: contact, DeviceType: "mobile", VisitorHash: 42}
}

func conversion(id, ws, clickID, contact string, at time.Time) *schemas.Conversion {
	return &schemas.Conversion{V: 1, EventID: id, WorkspaceID: ws, Name: "purchase", ClickID: clickID, ContactID: contact,
		OccurredAt: at, ReceivedAt: at, Amount: 100, Currency: "EUR"}
}

func (f *fixture) index(t *testing.T, clicks ...*schemas.EnrichedClick) []Attributed {
	t.Helper()
	got, err := f.a.IndexClicks(clicks)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) attribute(t *testing.T, c *schemas.Conversion) (*Attributed, Outcome) {
	t.Helper()
	at, out, err := f.a.Attribute(c)
	if err != nil {
		t.Fatal(err)
	}
	return at, out
}

func TestAttributeByClickID(t *testing.T) {
	f := newFixture(t)
	cid := idAt(t0, 1)
	f.index(t, click(cid, "ws_a", "lnk_1", "", t0))
	at, out := f.attribute(t, conversion(idAt(t0, 100), "ws_a", cid, "", t0.Add(time.Hour)))
	if out != Credited || at.Click.LinkID != "lnk_1" || at.MatchedBy != schemas.MatchedByClickID || at.Click.UTM.Campaign != "spring" {
		t.Fatalf("got %v %+v", out, at)
	}
}

func TestAttributeOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		clicks  []*schemas.EnrichedClick
		conv    *schemas.Conversion
		want    Outcome
		wantBy  string
		wantHit string // the credited click id
	}{
		{
			name:   "another workspace's click is never credited",
			clicks: []*schemas.EnrichedClick{click(idAt(t0, 1), "ws_b", "lnk_b", "", t0)},
			conv:   conversion(idAt(t0, 100), "ws_a", idAt(t0, 1), "", t0),
			want:   Unattributed,
		},
		{
			name:   "a click older than the window is not credited",
			clicks: []*schemas.EnrichedClick{click(idAt(t0, 1), "ws_a", "lnk_1", "", t0)},
			conv:   conversion(idAt(t0, 100), "ws_a", idAt(t0, 1), "", t0.Add(31*24*time.Hour)),
			want:   Unattributed,
		},
		{
			name: "an unknown click parks the conversion",
			conv: conversion(idAt(t0, 100), "ws_a", idAt(t0, 1), "", t0),
			want: Parked,
		},
		{
			name: "the contact's latest click, when no click id is given",
			clicks: []*schemas.EnrichedClick{
				click(idAt(t0, 1), "ws_a", "lnk_1", "hs_7", t0),
				click(idAt(t0.Add(time.Minute), 2), "ws_a", "lnk_2", "hs_7", t0.Add(time.Minute)),
				click(idAt(t0, 3), "ws_b", "lnk_b", "hs_7", t0.Add(2*time.Minute)), // same contact id, other workspace
			},
			conv:    conversion(idAt(t0, 100), "ws_a", "", "hs_7", t0.Add(time.Hour)),
			want:    Credited,
			wantBy:  schemas.MatchedByContactID,
			wantHit: idAt(t0.Add(time.Minute), 2),
		},
		{
			name:    "a click of another workspace falls back to the contact",
			clicks:  []*schemas.EnrichedClick{click(idAt(t0, 1), "ws_b", "lnk_b", "", t0), click(idAt(t0, 2), "ws_a", "lnk_1", "hs_7", t0)},
			conv:    conversion(idAt(t0, 100), "ws_a", idAt(t0, 1), "hs_7", t0),
			want:    Credited,
			wantBy:  schemas.MatchedByContactID,
			wantHit: idAt(t0, 2),
		},
		{
			name: "an unknown contact parks the conversion",
			conv: conversion(idAt(t0, 100), "ws_a", "", "hs_9", t0),
			want: Parked,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if len(tc.clicks) > 0 {
				f.index(t, tc.clicks...)
			}
			at, out := f.attribute(t, tc.conv)
			if out != tc.want {
				t.Fatalf("outcome %d, want %d", out, tc.want)
			}
			if tc.want == Credited && (at.MatchedBy != tc.wantBy || at.Click.EventID != tc.wantHit) {
				t.Fatalf("credited %s by %s, want %s by %s", at.Click.EventID, at.MatchedBy, tc.wantHit, tc.wantBy)
			}
			if tc.want != Credited && at != nil {
				t.Fatalf("%v outcome with an attribution %+v", out, at)
			}
		})
	}
}

// TestContactCreditsTheLastClickBeforeTheConversion: a conversion reported
// late, after the contact clicked again, credits the click before it; one
// whose contact only clicked after it waits, and a later click does not
// resolve it.
func TestContactCreditsTheLastClickBeforeTheConversion(t *testing.T) {
	f := newFixture(t)
	f.index(t, click(idAt(t0, 1), "ws_a", "lnk_1", "hs_7", t0), click(idAt(t0.Add(2*time.Hour), 2), "ws_a", "lnk_2", "hs_7", t0.Add(2*time.Hour)))
	at, out := f.attribute(t, conversion(idAt(t0, 100), "ws_a", "", "hs_7", t0.Add(time.Hour)))
	if out != Credited || at.Click.LinkID != "lnk_1" {
		t.Fatalf("credited %v %+v, want the click on lnk_1 an hour before", out, at)
	}

	early := conversion(idAt(t0, 101), "ws_a", "", "hs_8", t0)
	if _, out := f.attribute(t, early); out != Parked {
		t.Fatalf("a contact without clicks: outcome %d, want parked", out)
	}
	if got := f.index(t, click(idAt(t0.Add(time.Hour), 3), "ws_a", "lnk_3", "hs_8", t0.Add(time.Hour))); len(got) != 0 {
		t.Fatalf("a click an hour after the conversion resolved it: %+v", got)
	}
	if got := f.index(t, click(idAt(t0.Add(-time.Minute), 4), "ws_a", "lnk_4", "hs_8", t0.Add(-time.Minute))); len(got) != 1 || got[0].Click.LinkID != "lnk_4" {
		t.Fatalf("the click a minute before (arriving late) resolved %+v, want the conversion on lnk_4", got)
	}
}

func TestContactHistoryIsBounded(t *testing.T) {
	f := newFixture(t)
	for i := range 3 * contactClicks {
		at := t0.Add(time.Duration(i) * time.Minute)
		f.index(t, click(idAt(at, i), "ws_a", fmt.Sprint("lnk_", i), "hs_7", at))
	}
	var ref contactRef
	if ok, err := f.a.get(contactKey("ws_a", "hs_7"), &ref); !ok || err != nil || len(ref.Clicks) != contactClicks {
		t.Fatalf("history of %d clicks (%v), want %d", len(ref.Clicks), err, contactClicks)
	}
	if newest := ref.Clicks[0].Time; !newest.Equal(t0.Add(time.Duration(3*contactClicks-1) * time.Minute)) {
		t.Fatalf("newest kept click at %s", newest)
	}
}

func TestRedeliveredOlderClickKeepsTheContactsLatest(t *testing.T) {
	f := newFixture(t)
	older, newer := click(idAt(t0, 1), "ws_a", "lnk_1", "hs_7", t0), click(idAt(t0.Add(time.Minute), 2), "ws_a", "lnk_2", "hs_7", t0.Add(time.Minute))
	f.index(t, newer)
	f.index(t, older) // a redelivery, or a late node's spool
	at, _ := f.attribute(t, conversion(idAt(t0, 100), "ws_a", "", "hs_7", t0.Add(time.Hour)))
	if at == nil || at.Click.LinkID != "lnk_2" {
		t.Fatalf("credited %+v, want the newer click on lnk_2", at)
	}
}

func TestParkedConversionResolvedByItsClick(t *testing.T) {
	f := newFixture(t)
	cid := idAt(t0, 1)
	conv := conversion(idAt(t0, 100), "ws_a", cid, "", t0)
	contactConv := conversion(idAt(t0, 101), "ws_a", "", "hs_7", t0)
	otherWS := conversion(idAt(t0, 102), "ws_b", cid, "", t0)
	for _, c := range []*schemas.Conversion{conv, contactConv, otherWS} {
		if _, out := f.attribute(t, c); out != Parked {
			t.Fatalf("conversion %s: outcome %d, want parked", c.EventID, out)
		}
	}
	f.reopen(t) // parked conversions are durable

	got := f.index(t, click(cid, "ws_a", "lnk_1", "hs_7", t0.Add(-time.Second)))
	ids := map[string]string{}
	for _, at := range got {
		ids[at.Conversion.EventID] = at.MatchedBy
	}
	if len(got) != 2 || ids[conv.EventID] != schemas.MatchedByClickID || ids[contactConv.EventID] != schemas.MatchedByContactID {
		t.Fatalf("resolved %v, want the click's and the contact's conversions (not the other workspace's)", ids)
	}
	// Not yet Resolved: a redelivered click batch resolves them again.
	if again := f.index(t, click(cid, "ws_a", "lnk_1", "hs_7", t0.Add(-time.Second))); len(again) != 2 {
		t.Fatalf("before Resolved, a redelivery resolved %d, want 2 again", len(again))
	}
	if err := f.a.Resolved(got); err != nil {
		t.Fatal(err)
	}
	if again := f.index(t, click(cid, "ws_a", "lnk_1", "hs_7", t0.Add(-time.Second))); len(again) != 0 {
		t.Fatalf("after Resolved, a redelivery resolved %d, want none", len(again))
	}
	// The other workspace's conversion expires unattributed.
	f.clock.Advance(2 * time.Hour)
	expired, err := f.a.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 1 || expired[0].EventID != otherWS.EventID {
		t.Fatalf("expired %v, want only %s", expired, otherWS.EventID)
	}
}

func TestSweepForgetsOldClicksAndContacts(t *testing.T) {
	f := newFixture(t)
	old := click(idAt(t0, 1), "ws_a", "lnk_1", "hs_old", t0)
	recent := click(idAt(t0.Add(20*24*time.Hour), 2), "ws_a", "lnk_2", "hs_new", t0.Add(20*24*time.Hour))
	mixedOld := click(idAt(t0, 3), "ws_a", "lnk_3", "hs_mixed", t0)
	mixedNew := click(idAt(t0.Add(30*24*time.Hour), 4), "ws_a", "lnk_4", "hs_mixed", t0.Add(30*24*time.Hour))
	f.index(t, old, recent, mixedOld, mixedNew)
	f.clock.Advance(40 * 24 * time.Hour) // old is 40 days old, recent 20
	if _, err := f.a.Sweep(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.a.click(old.EventID); ok {
		t.Fatal("a click older than the window survived the sweep")
	}
	if _, ok, _ := f.a.click(recent.EventID); !ok {
		t.Fatal("a click within the window was swept")
	}
	if ok, _ := f.a.get(contactKey("ws_a", "hs_old"), &contactRef{}); ok {
		t.Fatal("a contact whose latest click is outside the window survived the sweep")
	}
	if ok, _ := f.a.get(contactKey("ws_a", "hs_new"), &contactRef{}); !ok {
		t.Fatal("a recent contact was swept")
	}
	var mixed contactRef
	if ok, err := f.a.get(contactKey("ws_a", "hs_mixed"), &mixed); !ok || err != nil ||
		len(mixed.Clicks) != 1 || mixed.Clicks[0].ClickID != mixedNew.EventID {
		t.Fatalf("a contact with an old and a recent click: %+v (%v, %v), want only the recent click", mixed, ok, err)
	}
}

// TestUUIDv7FloorOrdersLikeIDs: the sweep's bound sorts after every id of
// an earlier millisecond and at or before every id of that millisecond on.
func TestUUIDv7FloorOrdersLikeIDs(t *testing.T) {
	var ids []string
	var times []time.Time
	for i := range 200 {
		at := t0.Add(time.Duration(i*7919) * time.Millisecond)
		u, err := uuid.NewV7()
		if err != nil {
			t.Fatal(err)
		}
		// Put at's millisecond into a real generator's id.
		ms := uint64(at.UnixMilli())
		for b := range 6 {
			u[b] = byte(ms >> (40 - 8*b))
		}
		ids, times = append(ids, u.String()), append(times, at)
	}
	sort.Strings(ids)
	for i, at := range times {
		floor := uuidV7Floor(at)
		if i > 0 && !(ids[i-1] < floor) || !(floor <= ids[i]) {
			t.Fatalf("floor %s of %s is not between %v and %s", floor, at, ids[max(i-1, 0)], ids[i])
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if _, err := Open(Config{}); err == nil {
		t.Fatal("opened without a directory")
	}
	if err := (Config{Dir: "x", Window: -1, PendingFor: -1}).Validate(); err == nil {
		t.Fatal("negative durations accepted")
	}
}

func BenchmarkIndexClicks(b *testing.B) {
	a, err := Open(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	batch := make([]*schemas.EnrichedClick, 500)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range batch {
			batch[j] = click(idAt(t0, i*len(batch)+j), "ws_a", "lnk_1", fmt.Sprint("hs_", j%50), t0)
		}
		if _, err := a.IndexClicks(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/click")
}

// TestClickRoundTrip: Enriched gives back every field ClickOf keeps.
func TestClickRoundTrip(t *testing.T) {
	ec := click(idAt(t0, 1), "ws_a", "lnk_1", "hs_7", t0)
	ec.Country, ec.ReferrerHost, ec.Bot, ec.RuleID, ec.Variant = "GB", "mail.example.com", true, "r1", "b"
	c := ClickOf(ec)
	if again := ClickOf(c.Enriched()); !reflect.DeepEqual(again, c) {
		t.Fatalf("round trip\n got %+v\nwant %+v", again, c)
	}
}

// TestParkedConversionResolvedOnceByABatch: two clicks of the waiting
// contact in one batch credit the conversion once, to the contact's last
// click before it, as Attribute would have.
func TestParkedConversionResolvedOnceByABatch(t *testing.T) {
	f := newFixture(t)
	conv := conversion(idAt(t0, 100), "ws_a", "", "hs_1", t0.Add(time.Hour))
	if _, out := f.attribute(t, conv); out != Parked {
		t.Fatalf("no click yet: %v, want Parked", out)
	}
	got := f.index(t,
		click(idAt(t0, 1), "ws_a", "lnk_1", "hs_1", t0),
		click(idAt(t0.Add(30*time.Minute), 2), "ws_a", "lnk_2", "hs_1", t0.Add(30*time.Minute)),
		click(idAt(t0.Add(2*time.Hour), 3), "ws_a", "lnk_3", "hs_1", t0.Add(2*time.Hour)), // after the conversion
	)
	if len(got) != 1 || got[0].Click.LinkID != "lnk_2" || got[0].MatchedBy != schemas.MatchedByContactID {
		t.Fatalf("resolved %+v, want the conversion once, credited to lnk_2 by contact", got)
	}
	if err := f.a.Resolved(got); err != nil {
		t.Fatal(err)
	}
	if again := f.index(t, click(idAt(t0.Add(40*time.Minute), 4), "ws_a", "lnk_4", "hs_1", t0.Add(40*time.Minute))); len(again) != 0 {
		t.Fatalf("a resolved conversion came back: %+v", again)
	}
}

// TestParkedConversionFallsBackToItsContact: a conversion waiting for the
// click it names is credited to its contact's click when that click id
// turns up in another workspace, as Attribute would have done had the
// click come first; one whose contact has no click yet moves to wait for
// it.
func TestParkedConversionFallsBackToItsContact(t *testing.T) {
	f := newFixture(t)
	named := idAt(t0.Add(10*time.Minute), 1)
	f.index(t, click(idAt(t0, 2), "ws_a", "lnk_contact", "hs_1", t0))
	conv := conversion(idAt(t0, 100), "ws_a", named, "hs_1", t0.Add(time.Hour))
	if _, out := f.attribute(t, conv); out != Parked {
		t.Fatalf("named click not indexed: %v, want Parked", out)
	}
	got := f.index(t, click(named, "ws_b", "lnk_other_ws", "", t0.Add(10*time.Minute)))
	if len(got) != 1 || got[0].Click.LinkID != "lnk_contact" || got[0].MatchedBy != schemas.MatchedByContactID {
		t.Fatalf("resolved %+v, want the contact's click", got)
	}

	lone := conversion(idAt(t0, 101), "ws_a", idAt(t0.Add(20*time.Minute), 3), "hs_new", t0.Add(time.Hour))
	if _, out := f.attribute(t, lone); out != Parked {
		t.Fatal("not parked")
	}
	if got := f.index(t, click(lone.ClickID, "ws_b", "lnk_other_ws", "", t0.Add(20*time.Minute))); len(got) != 0 {
		t.Fatalf("nothing to credit yet: %+v", got)
	}
	got = f.index(t, click(idAt(t0.Add(30*time.Minute), 4), "ws_a", "lnk_new", "hs_new", t0.Add(30*time.Minute)))
	if len(got) != 1 || got[0].Conversion.EventID != lone.EventID || got[0].Click.LinkID != "lnk_new" {
		t.Fatalf("after its contact clicked: %+v, want the moved conversion credited to lnk_new", got)
	}
}
