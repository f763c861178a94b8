package linkapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

const springBody = `{"destination_url":"https://shop.example.org/spring","path":"spring",
	"utm":{"source":"news","medium":"email","campaign":"spring"},"tags":["q2"],
	"metadata":{"contact_id":"c_1","segment":"vip"},"expires_at":"2027-01-01T00:00:00Z","redirect_code":307}`

func TestLinkPatch(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		check      func(t *testing.T, l *redirect.Link)
		event      string
		redirect   int // the redirector's answer for the link afterwards
	}{
		{"destination only", `{"destination_url":"https://shop.example.org/summer"}`, func(t *testing.T, l *redirect.Link) {
			if l.DestinationURL != "https://shop.example.org/summer" || l.UTM.Source != "news" || l.RedirectCode != 307 ||
				!slices.Equal(l.Tags, []string{"q2"}) || l.Metadata["segment"] != "vip" || l.ExpiresAt == nil {
				t.Errorf("%+v", l)
			}
		}, EventLinkUpdated, http.StatusTemporaryRedirect},
		{"utm merged member by member", `{"utm":{"source":"ads","campaign":null}}`, func(t *testing.T, l *redirect.Link) {
			if l.UTM.Source != "ads" || l.UTM.Medium != "email" || l.UTM.Campaign != "" {
				t.Errorf("utm %+v", l.UTM)
			}
		}, EventLinkUpdated, 0},
		{"metadata key removed", `{"metadata":{"segment":null,"owner":"ann"}}`, func(t *testing.T, l *redirect.Link) {
			if len(l.Metadata) != 2 || l.Metadata["contact_id"] != "c_1" || l.Metadata["owner"] != "ann" {
				t.Errorf("metadata %v", l.Metadata)
			}
		}, EventLinkUpdated, 0},
		{"nulls clear", `{"utm":null,"tags":null,"metadata":null,"expires_at":null,"redirect_code":null}`, func(t *testing.T, l *redirect.Link) {
			if l.UTM != (redirect.Link{}).UTM || l.Tags != nil || l.Metadata != nil || l.ExpiresAt != nil || l.RedirectCode != 302 {
				t.Errorf("%+v", l)
			}
		}, EventLinkUpdated, 0},
		{"arrays replaced", `{"tags":["a","b"]}`, func(t *testing.T, l *redirect.Link) {
			if !slices.Equal(l.Tags, []string{"a", "b"}) {
				t.Errorf("tags %v", l.Tags)
			}
		}, EventLinkUpdated, 0},
		{"expiry and fallback", `{"expires_at":"2026-01-01T00:00:00Z","expired_url":"https://shop.example.org/over"}`,
			func(t *testing.T, l *redirect.Link) {
				if l.ExpiresAt == nil || !l.ExpiresAt.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || l.ExpiredURL == "" {
					t.Errorf("%+v", l)
				}
			}, EventLinkUpdated, http.StatusGone},
		{"rules and variants", `{"rules":[{"id":"ios","os":["IOS"],"destination_url":"https://apps.example.org/ios"}],
			"variants":[{"id":"a","weight":1,"destination_url":"https://shop.example.org/a"},
			{"id":"b","weight":3,"destination_url":"https://shop.example.org/b"}],"track_conversions":true}`,
			func(t *testing.T, l *redirect.Link) {
				if len(l.Rules) != 1 || l.Rules[0].OS[0] != "ios" || len(l.Variants) != 2 || !l.TrackConversions {
					t.Errorf("%+v", l)
				}
			}, EventLinkUpdated, 0},
		{"disable", `{"disabled":true}`, func(t *testing.T, l *redirect.Link) {
			if !l.Disabled || l.DeletedAt != nil {
				t.Errorf("%+v", l)
			}
		}, EventLinkDisabled, http.StatusNotFound},
		{"empty patch", `{}`, func(t *testing.T, l *redirect.Link) {
			if l.DestinationURL != "https://shop.example.org/spring" {
				t.Errorf("%+v", l)
			}
		}, EventLinkUpdated, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLifecycleFixture(t)
			created := f.create(t, springBody)
			f.takeEvents()
			f.clock.Advance(time.Minute)
			rec := f.call(t, "PATCH", "/v1/links/"+created.ID, tc.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("patch: %d %s", rec.Code, rec.Body)
			}
			got := decodeLinkBody(t, rec)
			tc.check(t, got)
			if got.ID != created.ID || got.Path != "spring" || !got.CreatedAt.Equal(created.CreatedAt) ||
				!got.UpdatedAt.Equal(testNow.Add(time.Minute)) {
				t.Errorf("identity or times changed: %+v", got)
			}
			stored, err := f.store.Get(t.Context(), created.ID)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, stored)
			if ev := f.takeEvents(); !slices.Equal(ev, []string{tc.event + " " + created.ID}) {
				t.Errorf("events %v, want %s", ev, tc.event)
			}
			if got := f.redirectStatus("spring"); tc.redirect != 0 && got != tc.redirect {
				t.Errorf("redirector answers %d, want %d", got, tc.redirect)
			}
		})
	}
}

func TestLinkPatchErrors(t *testing.T) {
	f := newLifecycleFixture(t)
	l := f.create(t, springBody)
	other := f.create(t, `{"destination_url":"https://shop.example.org/","path":"other","external_id":"crm-2"}`)
	f.takeEvents()
	for _, tc := range []struct {
		name, id, body string
		status         int
		code, field    string
	}{
		{"path", l.ID, `{"path":"autumn"}`, 400, CodeInvalidField, "path"},
		{"domain", l.ID, `{"domain":"other.example.com"}`, 400, CodeInvalidField, "domain"},
		{"unknown member", l.ID, `{"id":"lnk_x"}`, 400, CodeUnknownField, "id"},
		{"wrong type", l.ID, `{"tags":"q3"}`, 400, CodeInvalidField, "tags"},
		{"nested wrong type", l.ID, `{"utm":{"source":5}}`, 400, CodeInvalidField, "utm.source"},
		{"destination cleared", l.ID, `{"destination_url":null}`, 400, CodeInvalidField, "destination_url"},
		{"bad expiry", l.ID, `{"expires_at":"tomorrow"}`, 400, CodeInvalidField, "expires_at"},
		{"bad redirect code", l.ID, `{"redirect_code":308}`, 400, CodeInvalidField, "redirect_code"},
		{"fallback required", l.ID, `{"expired_redirect":true}`, 400, CodeInvalidField, "expired_url"},
		{"javascript", l.ID, `{"destination_url":"javascript:alert(1)"}`, 400, CodeInvalidField, "destination_url"},
		{"private destination", l.ID, `{"destination_url":"https://intranet.example.org/"}`, 400, CodeDestinationRefused, "destination_url"},
		{"bad external id", l.ID, `{"external_id":"a b"}`, 400, CodeInvalidField, "external_id"},
		{"external id taken", l.ID, `{"external_id":"crm-2"}`, 409, CodeExternalIDTaken, "external_id"},
		{"array body", l.ID, `[]`, 400, CodeInvalidJSON, ""},
		{"null body", l.ID, `null`, 400, CodeInvalidJSON, ""},
		{"empty body", l.ID, ``, 400, CodeInvalidJSON, ""},
		{"malformed", l.ID, `{"tags":`, 400, CodeInvalidJSON, ""},
		{"unknown id", "lnk_0000000000000000000000", `{}`, 404, CodeNotFound, ""},
		{"malformed id", "nope", `{}`, 404, CodeNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := checkErr(t, f.call(t, "PATCH", "/v1/links/"+tc.id, tc.body), tc.status, tc.code, tc.field)
			if tc.code == CodeExternalIDTaken && e.ExistingID != other.ID {
				t.Errorf("existing_id %q, want %s", e.ExistingID, other.ID)
			}
		})
	}
	stored, err := f.store.Get(t.Context(), l.ID)
	if err != nil || stored.DestinationURL != "https://shop.example.org/spring" || !stored.UpdatedAt.Equal(l.UpdatedAt) {
		t.Errorf("a refused patch changed the link: %+v %v", stored, err)
	}
	if ev := f.takeEvents(); len(ev) != 0 {
		t.Errorf("events for refused patches: %v", ev)
	}
}

func TestLinkDelete(t *testing.T) {
	f := newLifecycleFixture(t)
	l := f.create(t, `{"destination_url":"https://shop.example.org/deal","path":"deal"}`)
	if got := f.redirectStatus("deal"); got != http.StatusFound {
		t.Fatalf("before delete: %d", got)
	}
	f.takeEvents()
	f.clock.Advance(time.Hour)

	rec := f.call(t, "DELETE", "/v1/links/"+l.ID, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	deleted := decodeLinkBody(t, rec)
	if !deleted.Disabled || deleted.DeletedAt == nil || !deleted.DeletedAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("deleted link: %s", rec.Body)
	}
	if got := f.redirectStatus("deal"); got != http.StatusNotFound {
		t.Errorf("redirect after delete: %d, want 404", got)
	}
	if ev := f.takeEvents(); !slices.Equal(ev, []string{EventLinkDeleted + " " + l.ID}) {
		t.Errorf("events %v", ev)
	}

	rec = f.call(t, "GET", "/v1/links/"+l.ID, "")
	if got := decodeLinkBody(t, rec); rec.Code != http.StatusOK || !got.Disabled || got.DeletedAt == nil {
		t.Errorf("get after delete: %d %s", rec.Code, rec.Body)
	}
	if rec := f.call(t, "DELETE", "/v1/links/"+l.ID, ""); rec.Code != http.StatusOK {
		t.Errorf("second delete: %d %s", rec.Code, rec.Body)
	}
	if ev := f.takeEvents(); len(ev) != 0 {
		t.Errorf("second delete emitted %v", ev)
	}
	checkErr(t, f.call(t, "PATCH", "/v1/links/"+l.ID, `{"disabled":false}`), 409, CodeLinkDeleted, "")
	e := checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","path":"deal"}`),
		409, CodePathTaken, "path")
	if e.ExistingID != l.ID {
		t.Errorf("the deleted link does not hold its path: existing_id %q", e.ExistingID)
	}
	checkErr(t, f.call(t, "DELETE", "/v1/links/lnk_0000000000000000000000", ""), 404, CodeNotFound, "")
}

func TestLinkCreateConflict(t *testing.T) {
	f := newLifecycleFixture(t)
	first := f.create(t, `{"destination_url":"https://shop.example.org/","path":"deal"}`)
	e := checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","path":"deal"}`),
		409, CodePathTaken, "path")
	if e.ExistingID != first.ID {
		t.Errorf("existing_id %q, want %s", e.ExistingID, first.ID)
	}
	f.create(t, `{"destination_url":"https://shop.example.org/","path":"deal-x"}`) // not a numeric suffix
	for _, want := range []string{"deal-2", "deal-3", "deal-4"} {
		l := f.create(t, `{"destination_url":"https://shop.example.org/","path":"deal","on_conflict":"suffix"}`)
		if l.Path != want {
			t.Errorf("suffixed path %q, want %q", l.Path, want)
		}
	}
	if l := f.create(t, `{"destination_url":"https://shop.example.org/","path":"fresh","on_conflict":"suffix"}`); l.Path != "fresh" {
		t.Errorf("free path was suffixed: %q", l.Path)
	}
	checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","path":"deal","on_conflict":"merge"}`),
		400, CodeInvalidField, "on_conflict")
	long := strings.Repeat("a", redirect.MaxPathLen)
	f.create(t, `{"destination_url":"https://shop.example.org/","path":"`+long+`"}`)
	checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","path":"`+long+`","on_conflict":"suffix"}`),
		400, CodeInvalidField, "path")
}

func TestNextFreePathConcurrent(t *testing.T) {
	f := newLifecycleFixture(t)
	f.create(t, `{"destination_url":"https://shop.example.org/","path":"sale"}`)
	const n = 16
	paths := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			rec := f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","path":"sale","on_conflict":"suffix"}`)
			var lr linkResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &lr); rec.Code != http.StatusCreated || err != nil {
				t.Errorf("create: %d %s", rec.Code, rec.Body)
				return
			}
			paths <- lr.Path
		})
	}
	wg.Wait()
	close(paths)
	seen := map[string]bool{}
	for p := range paths {
		if seen[p] {
			t.Errorf("path %s given twice", p)
		}
		seen[p] = true
	}
}
