package linkapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/clicktrail/clicktrail/redirect"
)

func TestExternalIDUpsert(t *testing.T) {
	f := newLifecycleFixture(t)
	const url = "/v1/links/external/crm:0042"
	rec := f.call(t, "PUT", url, `{"destination_url":"https://shop.example.org/a","path":"contact-42","tags":["crm"]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("first PUT: %d %s", rec.Code, rec.Body)
	}
	created := decodeLinkBody(t, rec)
	if created.ExternalID != "crm:0042" || created.Path != "contact-42" || rec.Header().Get("Location") != "/v1/links/"+created.ID {
		t.Errorf("created: %s, Location %q", rec.Body, rec.Header().Get("Location"))
	}
	f.clock.Advance(1)
	// The workflow re-runs, without a path and with a new destination.
	rec = f.call(t, "PUT", url, `{"destination_url":"https://shop.example.org/b"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("second PUT: %d %s", rec.Code, rec.Body)
	}
	updated := decodeLinkBody(t, rec)
	if updated.ID != created.ID || updated.Path != "contact-42" || updated.DestinationURL != "https://shop.example.org/b" ||
		updated.Tags != nil || !updated.CreatedAt.Equal(created.CreatedAt) || updated.UpdatedAt.Equal(created.UpdatedAt) {
		t.Errorf("updated: %s", rec.Body)
	}
	if ev := f.takeEvents(); !slices.Equal(ev, []string{EventLinkCreated + " " + created.ID, EventLinkUpdated + " " + created.ID}) {
		t.Errorf("events %v", ev)
	}
	rec = f.call(t, "GET", url, "")
	if got := decodeLinkBody(t, rec); rec.Code != 200 || got.ID != created.ID || got.DestinationURL != "https://shop.example.org/b" {
		t.Errorf("GET by external id: %d %s", rec.Code, rec.Body)
	}
	links, _, err := f.store.List(t.Context(), redirect.ListQuery{WorkspaceID: redirect.DefaultWorkspaceID, Limit: 10})
	if err != nil || len(links) != 1 {
		t.Errorf("two PUTs made %d links (%v)", len(links), err)
	}

	e := checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","external_id":"crm:0042"}`),
		409, CodeExternalIDTaken, "external_id")
	if e.ExistingID != created.ID {
		t.Errorf("existing_id %q", e.ExistingID)
	}
	// Clearing the external id frees it.
	if rec := f.call(t, "PATCH", "/v1/links/"+created.ID, `{"external_id":null}`); rec.Code != 200 {
		t.Fatalf("clear external_id: %d %s", rec.Code, rec.Body)
	}
	checkErr(t, f.call(t, "GET", url, ""), 404, CodeNotFound, "")
	if l := f.create(t, `{"destination_url":"https://shop.example.org/","external_id":"crm:0042"}`); l.ID == created.ID {
		t.Error("the freed external id still names the old link")
	}
}

func TestExternalIDErrors(t *testing.T) {
	f := newLifecycleFixture(t)
	rec := f.call(t, "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://shop.example.org/","path":"sku-1"}`)
	if rec.Code != 201 {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	l := decodeLinkBody(t, rec)
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		code, field                string
	}{
		{"bad charset", "PUT", "/v1/links/external/a%20b", `{"destination_url":"https://shop.example.org/"}`, 400, CodeInvalidField, "external_id"},
		{"too long", "GET", "/v1/links/external/" + strings.Repeat("x", redirect.MaxExternalIDLen+1), "", 400, CodeInvalidField, "external_id"},
		{"unknown", "GET", "/v1/links/external/sku-2", "", 404, CodeNotFound, ""},
		{"path change", "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://shop.example.org/","path":"other"}`, 400, CodeInvalidField, "path"},
		{"body names another id", "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://shop.example.org/","external_id":"sku-9"}`, 400, CodeInvalidField, "external_id"},
		{"bad body", "PUT", "/v1/links/external/sku-1", `{"destination_url":5}`, 400, CodeInvalidField, "destination_url"},
		{"private destination", "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://intranet.example.org/"}`, 400, CodeDestinationRefused, "destination_url"},
		{"path taken on create", "PUT", "/v1/links/external/sku-3", `{"destination_url":"https://shop.example.org/","path":"sku-1"}`, 409, CodePathTaken, "path"},
		{"bad external id in create", "POST", "/v1/links", `{"destination_url":"https://shop.example.org/","external_id":"a/b"}`, 400, CodeInvalidField, "external_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, f.call(t, tc.method, tc.target, tc.body), tc.status, tc.code, tc.field)
		})
	}
	if rec := f.call(t, "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://shop.example.org/","path":"sku-1"}`); rec.Code != 200 {
		t.Errorf("PUT naming the same path: %d %s", rec.Code, rec.Body)
	}
	f.call(t, "DELETE", "/v1/links/"+l.ID, "")
	checkErr(t, f.call(t, "PUT", "/v1/links/external/sku-1", `{"destination_url":"https://shop.example.org/"}`), 409, CodeLinkDeleted, "")
}

func TestExternalIDConcurrentUpserts(t *testing.T) {
	f := newLifecycleFixture(t)
	const n = 12
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		ids      = map[string]bool{}
	)
	for range n {
		wg.Go(func() {
			rec := f.call(t, "PUT", "/v1/links/external/deal-7", `{"destination_url":"https://shop.example.org/deal"}`)
			var lr linkResponse
			json.Unmarshal(rec.Body.Bytes(), &lr)
			mu.Lock()
			defer mu.Unlock()
			statuses[rec.Code]++
			if lr.Link != nil {
				ids[lr.ID] = true
			}
		})
	}
	wg.Wait()
	if statuses[201] != 1 || statuses[200] != n-1 || len(ids) != 1 {
		t.Errorf("statuses %v, link ids %v; want one 201, %d 200 and one link", statuses, ids, n-1)
	}
}
