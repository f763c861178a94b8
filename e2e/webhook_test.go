package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestWebhookThroughEmbeddedDev: an endpoint created through the mounted
// webhook API receives a click.created, verified with the shipped verifier.
func TestWebhookThroughEmbeddedDev(t *testing.T) {
	rc := newReceiver(t, nil)

	dev := app.Dev{
		RedirectNode: nodeConfig(t),
		StageConfigs: app.StageConfigs{Enrich: enrich.Config{GeoIPPath: geoDB(t), HashSecret: hashSecret},
			Webhooks: app.Webhooks{Delivery: webhook.Config{AllowPrivate: true}}},
		Batch: app.Batch{MaxRecords: 1000, MaxWait: 50 * time.Millisecond},
	}
	dev.AnyHost = true
	redirectURL, apiURL := startNode(t, "dev", &dev.RedirectNode, func(ctx context.Context) error { return app.RunDev(ctx, dev) })

	hookURL := rc.URL + "/hooks"
	req := client.EndpointRequest{URL: &hookURL, Events: []string{"click.created"}}
	anonymous, err := client.New(apiURL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anonymous.CreateEndpoint(context.Background(), req); client.StatusOf(err) != http.StatusUnauthorized {
		t.Fatalf("create endpoint without an API key: %v, want 401", err)
	}
	var status int
	ep, err := api(t, apiURL).CreateEndpoint(context.Background(), req, client.Status(&status))
	if err != nil || status != http.StatusCreated || ep.Secret == "" {
		t.Fatalf("create endpoint: %d %+v %v", status, ep, err)
	}
	rc.SetSecret(ep.Secret)

	l := createLink(t, apiURL, client.CreateLinkRequest{DestinationURL: "https://shop.example.com/spring"})
	if status, _ := click(t, redirectURL, "anything.localhost", l.Path); status != http.StatusFound {
		t.Fatalf("click status %d, want 302", status)
	}
	rc.waitFor(t, "the verified click.created webhook", 1, 60*time.Second)
	got, bad := rc.Received()
	p := got[0]
	data, _ := p["data"].(map[string]any)
	if p["type"] != "click.created" || data["link_id"] != l.ID || p["webhook-id"] != data["click_id"] || len(bad) != 0 {
		t.Errorf("webhook %v (refused %v)", p, bad)
	}
}
