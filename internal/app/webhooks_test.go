package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// TestLinkEventReachesEndpoint: a link created through the real link API,
// whose OnLinkEvent is publishLinkChanges on a spool, reaches an endpoint
// subscribed to link.created as a verified webhook, through the dev
// consumers of the webhook stage.
func TestLinkEventReachesEndpoint(t *testing.T) {
	dir := t.TempDir()
	var (
		mu     sync.Mutex
		secret string
		got    []map[string]any
		ids    []string
		bad    []error
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhooksig.Verify([]string{secret}, r.Header, body, time.Now(), 0); err != nil {
			bad = append(bad, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			bad = append(bad, err)
		}
		got, ids = append(got, p), append(ids, r.Header.Get(webhooksig.HeaderID))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)

	spool, err := ingest.OpenSpool(filepath.Join(dir, "spool"), ingest.SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	cfg := Webhooks{Delivery: webhook.Config{AllowPrivate: true}}
	rt, err := openWebhookRegistry(dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	var list []Stage // the webhook stage of the list, as dev opens it
	for _, s := range Stages() {
		if s.Name == "webhooks" {
			list = append(list, s)
		}
	}
	opened, closeStages, err := openStages(context.Background(), list, StageEnv{Out: spool, Topic: Kafka{}.Topic, StageConfigs: StageConfigs{Webhooks: cfg}, Hooks: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer closeStages()
	ep, err := rt.reg.Create(webhook.EndpointSpec{URL: recv.URL + "/hooks", Events: []string{schemas.EventLinkCreated}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = ep.Secrets[0].Value
	mu.Unlock()

	store, err := redirect.OpenStore(filepath.Join(dir, "links"), redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const key = "test-key-0123456789abcdef"
	api, err := linkapi.NewAPI(linkapi.APIConfig{
		Store: store, APIKeys: []string{key}, DefaultDomain: "go.brand.com",
		Destinations: linkapi.DestinationPolicy{AllowPrivateDestinations: true},
		OnLinkEvent:  publishLinkChanges(spool, "", schemas.TopicLinkEvents, nil).one,
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	g := newGroup(ctx)
	batch := ingest.BatchOptions{MaxRecords: 100, MaxWait: 10 * time.Millisecond}
	if err := runStages(g, opened, Kafka{}.Topic, nil, func(in BoundInput) (ingest.Consumer, error) {
		return spool.Consumer(in.SpoolGroup, in.Topic, batch), nil
	}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Error(err)
		}
	}()

	req := httptest.NewRequest("POST", "/v1/links", strings.NewReader(`{"destination_url":"http://127.0.0.1:9/spring","path":"spring","tags":["vip"]}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create link: %d %s", rec.Code, rec.Body)
	}
	var link struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &link)

	testutil.WaitFor(t, "the link.created webhook", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got)+len(bad) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if len(bad) != 0 || len(got) != 1 {
		t.Fatalf("received %d, refused %v", len(got), bad)
	}
	data, _ := got[0]["data"].(map[string]any)
	if got[0]["type"] != schemas.EventLinkCreated || data["id"] != link.ID || data["path"] != "spring" || len(ids[0]) != 36 {
		t.Errorf("webhook %s %v", ids[0], got[0])
	}
}

func TestSinkAPIGuard(t *testing.T) {
	rt, err := openWebhookRegistry(t.TempDir(), Webhooks{Delivery: webhook.Config{AllowPrivate: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	const key = "sink-key-0123456789abcdef"
	if _, err := rt.sinkAPI(WebhookAPI{}, Webhooks{}, nil); err == nil || !strings.Contains(err.Error(), "api-key") {
		t.Errorf("no keys: %v, want an error naming api-key", err)
	}
	if _, err := rt.sinkAPI(WebhookAPI{Keys: []string{"short"}}, Webhooks{}, nil); err == nil || !strings.Contains(err.Error(), "api-key[0]") {
		t.Errorf("short key: %v, want an error naming api-key[0]", err)
	}
	h, err := rt.sinkAPI(WebhookAPI{Keys: []string{"other-key-0123456789abcdef", key}}, Webhooks{Delivery: webhook.Config{AllowPrivate: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"url":"http://127.0.0.1:9/hook","events":["click.created"]}`
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"unknown key", "Bearer sink-key-0123456789abcdeX", http.StatusUnauthorized},
		{"not bearer", "Basic " + key, http.StatusUnauthorized},
		{"known key", "Bearer " + key, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", webhook.PathEndpoints, strings.NewReader(body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("= %d %s, want %d", rec.Code, rec.Body, tt.want)
			}
		})
	}
	if eps := rt.reg.List(webhook.DefaultWorkspace); len(eps) != 1 {
		t.Errorf("%d endpoints in the default workspace, want the one created", len(eps))
	}
}
