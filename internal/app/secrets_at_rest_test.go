package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestNoSecretAtRest creates every kind of secret through the API of the
// embedded default (an API key, a webhook endpoint's signing secret, a
// rotated one, a bulk job's callback secret), replays each creation with
// its Idempotency-Key, revokes the key and replays again, then searches
// every file of the data directory (pebble tables, WAL, MANIFEST, OPTIONS;
// raw, base64 and hex) and the captured log for every secret seen: none
// may be there (issue 11). A restart on the same directory must still sign
// with the sealed secrets.
func TestNoSecretAtRest(t *testing.T) {
	dev := webhookDev(t)
	dev.AllowPrivateCallbacks = true
	var logs testenv.Buffer
	dev.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, stop := context.WithCancel(context.Background())
	apiURL, done := runDevUntil(t, ctx, dev)

	secrets := []string{devKey}
	call := func(method, path, ikey string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, apiURL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+devKey)
		if ikey != "" {
			req.Header.Set("Idempotency-Key", ikey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		for _, f := range []string{"key", "secret", "callback_secret"} { // every secret any answer showed
			if s, ok := out[f].(string); ok && s != "" && !slices.Contains(secrets, s) {
				secrets = append(secrets, s)
			}
		}
		return resp.StatusCode, out
	}
	// replayWithholds replays a creation and checks that the answer names
	// the same resource without its secret field.
	replayWithholds := func(method, path, ikey string, body any, first map[string]any, field string) {
		t.Helper()
		status, again := call(method, path, ikey, body)
		if status >= 300 || again["id"] != first["id"] || again[field] != nil || again["secret_withheld"] != true {
			t.Errorf("replay of %s %s: %d %v; want %v without %s, with secret_withheld", method, path, status, again, first["id"], field)
		}
	}

	// An API key: created, replayed, revoked, replayed again.
	keyBody := map[string]any{"name": "crm", "scopes": []string{"links:read"}}
	status, key := call("POST", "/v1/keys", "key-1", keyBody)
	if status != http.StatusCreated || key["key"] == nil {
		t.Fatalf("create key: %d %v", status, key)
	}
	replayWithholds("POST", "/v1/keys", "key-1", keyBody, key, "key")
	if status, out := call("DELETE", "/v1/keys/"+key["id"].(string), "", nil); status != http.StatusOK {
		t.Fatalf("revoke: %d %v", status, out)
	}
	replayWithholds("POST", "/v1/keys", "key-1", keyBody, key, "key")

	// A webhook endpoint's secret, and a rotated one. The endpoint API
	// does not replay (it is not behind the Idempotency-Key protocol): a
	// repeat is another call, whose secrets are searched for too.
	rc := testenv.NewWebhookReceiver(t, nil)
	epBody := map[string]any{"url": rc.URL + "/hooks", "events": []string{"link.created"}}
	status, ep := call("POST", "/v1/webhooks/endpoints", "ep-1", epBody)
	if status != http.StatusCreated || ep["secret"] == nil {
		t.Fatalf("create endpoint: %d %v", status, ep)
	}
	if status, dup := call("POST", "/v1/webhooks/endpoints", "ep-1", epBody); status != http.StatusCreated {
		t.Fatalf("repeat endpoint: %d %v", status, dup)
	} else if status, out := call("DELETE", "/v1/webhooks/endpoints/"+dup["id"].(string), "", nil); status >= 300 {
		t.Fatalf("delete the repeat: %d %v", status, out)
	}
	rotatePath := "/v1/webhooks/endpoints/" + ep["id"].(string) + "/rotate-secret"
	status, rotated := call("POST", rotatePath, "rot-1", nil)
	if status != http.StatusOK || rotated["secret"] == nil {
		t.Fatalf("rotate: %d %v", status, rotated)
	}
	rc.SetSecret(rotated["secret"].(string))

	// A bulk job's callback secret.
	cb := testenv.NewWebhookReceiver(t, nil)
	jobBody := map[string]any{"callback_url": cb.URL + "/done",
		"items": []any{map[string]any{"destination_url": "https://example.com/a", "path": "sealed-a"}}}
	status, job := call("POST", "/v1/links/bulk", "job-1", jobBody)
	if status != http.StatusAccepted || job["callback_secret"] == nil {
		t.Fatalf("create job: %d %v", status, job)
	}
	cb.SetSecret(job["callback_secret"].(string))
	replayWithholds("POST", "/v1/links/bulk", "job-1", jobBody, job, "callback_secret")
	// The callback is signed with the sealed secret, opened to sign.
	testutil.WaitFor(t, "the job's signed callback", func() bool { ok, _ := cb.Received(); return len(ok) == 1 })
	// The endpoint signs with its sealed, rotated secret.
	call("POST", "/v1/links", "", map[string]any{"destination_url": "https://example.com/b", "path": "sealed-b"})
	waitLinkCreated(t, rc, "sealed-b")

	// While dev runs, the WAL holds the recent writes uncompressed.
	running, err := testutil.FindSecrets(dev.DataDir, nil, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("RunDev: %v", err)
	}
	if len(secrets) != 6 { // the bootstrap key, the API key, two endpoints' and a rotated secret, the callback's
		t.Fatalf("collected %d secrets, want 6", len(secrets))
	}
	// Then, the files again, every key and value of every pebble database
	// (whose tables are compressed, so a byte search alone could miss a
	// record), and the log.
	blobs := pebbleContents(t, dev.DataDir)
	blobs["log"] = []byte(logs.String())
	found, err := testutil.FindSecrets(dev.DataDir, blobs, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(running, found...) {
		t.Error("secret at rest: " + f)
	}

	// Restarted on the same directory, dev opens the sealed secrets and
	// signs with them.
	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	apiURL, _ = runDevUntil(t, ctx, dev)
	call("POST", "/v1/links", "", map[string]any{"destination_url": "https://example.com/c", "path": "sealed-c"})
	waitLinkCreated(t, rc, "sealed-c")
	if _, bad := rc.Received(); len(bad) != 0 {
		t.Errorf("refused signatures: %v", bad)
	}
}

// runDevUntil runs RunDev with dev until ctx ends and returns its API URL
// once it listens, and the channel of RunDev's result; a cleanup waits for
// it.
func runDevUntil(t *testing.T, ctx context.Context, dev Dev) (string, chan error) {
	t.Helper()
	ready := make(chan string, 1)
	dev.OnReady = func(_, a string) { ready <- a }
	done := make(chan error, 1)
	go func() { done <- RunDev(ctx, dev) }()
	select {
	case u := <-ready:
		return u, done
	case err := <-done:
		t.Fatalf("RunDev ended before serving: %v", err)
	}
	return "", nil
}

// waitLinkCreated waits for rc's verified link.created of the link at path.
func waitLinkCreated(t *testing.T, rc *testenv.WebhookReceiver, path string) {
	t.Helper()
	testutil.WaitFor(t, "the link.created webhook of "+path, func() bool {
		for _, p := range rc.OfType("link.created") {
			if data, _ := p["data"].(map[string]any); data["path"] == path {
				return true
			}
		}
		return false
	})
}

// pebbleContents returns every key and value of each pebble database
// under dir (a directory with an OPTIONS file), by directory.
func pebbleContents(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "OPTIONS-") {
			return err
		}
		db, err := pebble.Open(filepath.Dir(path), &pebble.Options{ReadOnly: true, Logger: pebblelog.New(nil)})
		if err != nil {
			return err
		}
		defer db.Close()
		it, err := db.NewIter(nil)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		for it.First(); it.Valid(); it.Next() {
			b.Write(it.Key())
			b.WriteByte(0)
			b.Write(it.Value())
			b.WriteByte(0)
		}
		out["pebble "+filepath.Dir(path)] = b.Bytes()
		return it.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 3 { // links, spool, webhooks at least
		t.Fatalf("found %d pebble databases under %s, want at least 3", len(out), dir)
	}
	return out
}
