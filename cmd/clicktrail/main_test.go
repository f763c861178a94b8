package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestDevThenLinksCreate runs the real CLI: `clicktrail dev` on the embedded
// default, `clicktrail links create` against it, a click, and the enriched
// click in the dev sink file.
func TestDevThenLinksCreate(t *testing.T) {
	dir := t.TempDir()
	const key = "ct_cli_test_0123456789"
	var out testenv.Buffer
	dev := newApp()
	dev.Writer = &out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- dev.RunContext(ctx, []string{"clicktrail", "--log-level", "warn", "dev", "--data-dir", dir,
			"--redirect-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--api-key", key})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev: %v", err)
		}
	}()

	urls := regexp.MustCompile(`redirector: (\S+)\n\s+link API:\s+(\S+)`)
	var m []string
	testutil.Eventually(t, "dev to print its URLs", func() (bool, string) {
		select {
		case err := <-done:
			done <- nil // for the deferred stop
			t.Fatalf("dev exited early: %v\n%s", err, out.String())
		default:
		}
		m = urls.FindStringSubmatch(out.String())
		return m != nil, "printed:\n" + out.String()
	}, testutil.Every(50*time.Millisecond))
	redirectURL, apiURL := m[1], m[2]
	if !strings.Contains(out.String(), "curl") {
		t.Errorf("the banner has no curl example:\n%s", out.String())
	}
	if strings.Contains(out.String(), key) {
		t.Errorf("the banner shows the key given with --api-key:\n%s", out.String())
	}

	var created testenv.Buffer
	client := newApp()
	client.Writer = &created
	err := client.Run([]string{"clicktrail", "links", "create", "--api-url", apiURL, "--api-key", key,
		"--destination", "https://example.com/landing", "--path", "cli", "--utm-source", "cli",
		"--metadata", "contact_id=c_7"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(created.String(), `"short_url":"`+redirectURL+`/cli"`) {
		t.Fatalf("links create printed %s", created.String())
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(redirectURL + "/cli")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://example.com/landing?utm_source=cli" {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	cliKeyLifecycle(t, apiURL, key)
	cliWebhooks(t, apiURL, key)
	cliIntegrations(t, apiURL, key)
	cliConversions(t, apiURL, key)

	file := filepath.Join(dir, "clicks.jsonl")
	var b []byte
	testutil.Eventually(t, "the click in "+file, func() (bool, string) {
		b, _ = os.ReadFile(file)
		return bytes.Contains(b, []byte(`"contact_id":"c_7"`)), string(b)
	}, testutil.Every(100*time.Millisecond))
	if bytes.Contains(b, []byte(`"ip":`)) {
		t.Fatalf("the dev sink stored a raw IP: %s", b)
	}
}

// cliConversions reports a conversion with `conversions report` (the
// link's contact_id=c_7 was clicked above) and sees a bad one refused with
// the field named.
func cliConversions(t *testing.T, apiURL, key string) {
	t.Helper()
	run := func(args ...string) (string, error) {
		var out testenv.Buffer
		app := newApp()
		app.Writer = &out
		err := app.Run(append([]string{"clicktrail", "conversions", "report", "--api-url", apiURL, "--api-key", key}, args...))
		return out.String(), err
	}
	out, err := run("--name", "purchase", "--contact-id", "c_7", "--amount", "4999", "--currency", "EUR",
		"--external-id", "o-1", "--metadata", "plan=pro")
	var conv struct {
		ID, Name  string
		ContactID string `json:"contact_id"`
		Amount    int64
		Metadata  map[string]string
	}
	if err != nil || json.Unmarshal([]byte(out), &conv) != nil || len(conv.ID) != 36 || conv.Name != "purchase" ||
		conv.ContactID != "c_7" || conv.Amount != 4999 || conv.Metadata["plan"] != "pro" {
		t.Fatalf("conversions report: %v %s", err, out)
	}
	if _, err := run("--name", "purchase", "--contact-id", "c_7", "--amount", "5"); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Fatalf("an amount without a currency: %v", err)
	}
}

// cliKeyLifecycle creates a read-only key with `keys create`, lists and
// changes links with it and the bootstrap key, revokes it and sees it
// refused: all through the CLI against a running API.
func cliKeyLifecycle(t *testing.T, apiURL, bootstrap string) {
	t.Helper()
	run := func(args ...string) (string, error) {
		var out testenv.Buffer
		app := newApp()
		app.Writer = &out
		err := app.Run(append([]string{"clicktrail"}, args...))
		return out.String(), err
	}
	out, err := run("keys", "create", "--api-url", apiURL, "--api-key", bootstrap, "--name", "reader", "--scope", "links:read")
	if err != nil {
		t.Fatal(err)
	}
	var k struct{ ID, Key string }
	if err := json.Unmarshal([]byte(out), &k); err != nil || k.Key == "" {
		t.Fatalf("keys create printed %s (%v)", out, err)
	}
	if out, err = run("links", "list", "--api-url", apiURL, "--api-key", k.Key, "--q", "cli"); err != nil || !strings.Contains(out, `"path":"cli"`) {
		t.Fatalf("links list: %v %s", err, out)
	}
	var l struct{ ID string }
	listOut, _ := run("links", "list", "--api-url", apiURL, "--api-key", k.Key, "--limit", "1")
	var page struct{ Links []struct{ ID string } }
	if err := json.Unmarshal([]byte(listOut), &page); err != nil || len(page.Links) != 1 {
		t.Fatalf("links list --limit 1: %s (%v)", listOut, err)
	}
	l.ID = page.Links[0].ID
	if _, err := run("links", "disable", "--api-url", apiURL, "--api-key", k.Key, l.ID); err == nil || !strings.Contains(err.Error(), "missing_scope") {
		t.Fatalf("a read-only key disabled a link: %v", err)
	}
	if out, err = run("links", "update", "--api-url", apiURL, "--api-key", bootstrap, "--tag", "spring", l.ID); err != nil || !strings.Contains(out, `"tags":["spring"]`) {
		t.Fatalf("links update: %v %s", err, out)
	}
	if out, err = run("links", "disable", "--api-url", apiURL, "--api-key", bootstrap, l.ID); err != nil || !strings.Contains(out, `"disabled":true`) {
		t.Fatalf("links disable: %v %s", err, out)
	}
	if out, err = run("links", "update", "--api-url", apiURL, "--api-key", bootstrap, "--enable", l.ID); err != nil || !strings.Contains(out, `"disabled":false`) {
		t.Fatalf("links update --enable: %v %s", err, out)
	}
	png := filepath.Join(t.TempDir(), "qr.png")
	if _, err = run("links", "qr", "--api-url", apiURL, "--api-key", k.Key, "--out", png, l.ID); err != nil {
		t.Fatalf("links qr: %v", err)
	}
	if b, _ := os.ReadFile(png); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("links qr wrote %d bytes that are not a PNG", len(b))
	}
	if _, err = run("keys", "revoke", "--api-url", apiURL, "--api-key", bootstrap, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := run("links", "list", "--api-url", apiURL, "--api-key", k.Key); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a revoked key still lists: %v", err)
	}
}

// cliWebhooks manages an endpoint with `clicktrail webhooks`.
func cliWebhooks(t *testing.T, apiURL, key string) {
	t.Helper()
	run := func(args ...string) (string, error) {
		var out testenv.Buffer
		app := newApp()
		app.Writer = &out
		err := app.Run(append([]string{"clicktrail", "webhooks", args[0], "--api-url", apiURL, "--api-key", key}, args[1:]...))
		return out.String(), err
	}
	out, err := run("create", "--url", "https://93.184.216.34/hooks", "--event", "click.created,link.created",
		"--filter-tag", "spring", "--exclude-bots", "--alerts", `{"threshold":{"clicks":100,"window":"1h"}}`)
	if err != nil {
		t.Fatalf("webhooks create: %v", err)
	}
	var ep struct {
		ID, Secret string
		Events     []string
		Filters    struct {
			Tags        []string
			ExcludeBots bool `json:"exclude_bots"`
		}
	}
	if err := json.Unmarshal([]byte(out), &ep); err != nil || !strings.HasPrefix(ep.Secret, "whsec_") || len(ep.Events) != 2 ||
		len(ep.Filters.Tags) != 1 || !ep.Filters.ExcludeBots {
		t.Fatalf("webhooks create printed %s (%v)", out, err)
	}
	if out, err = run("update", "--disable", ep.ID); err != nil || !strings.Contains(out, `"enabled":false`) {
		t.Fatalf("webhooks update --disable: %v %s", err, out)
	}
	if out, err = run("list"); err != nil || !strings.Contains(out, ep.ID) || strings.Contains(out, ep.Secret) {
		t.Fatalf("webhooks list: %v %s", err, out)
	}
	if _, err = run("create", "--url", "https://93.184.216.34/hooks"); err == nil {
		t.Fatal("webhooks create without --event succeeded")
	}
	if _, err = run("delete", ep.ID); err != nil {
		t.Fatalf("webhooks delete: %v", err)
	}
	if _, err = run("get", ep.ID); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("webhooks get after delete: %v", err)
	}
}

func TestLinksCreateReportsAPIErrors(t *testing.T) {
	err := newApp().Run([]string{"clicktrail", "links", "create", "--api-url", "http://127.0.0.1:1", "--api-key", "k",
		"--destination", "https://example.com", "--metadata", "novalue"})
	if err == nil || !strings.Contains(err.Error(), "metadata") {
		t.Fatalf("err = %v, want it to name the bad metadata flag", err)
	}
}
