package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestDevLogsNoSecretNorClientAddress runs dev with its listeners on
// 127.0.0.2, logging JSON lines at debug level, and goes through a few
// operations as a client on 127.0.0.1: create an API key, a webhook
// endpoint and a link, and click the link. Every log line must be a JSON
// object, none may hold a secret (the bootstrap key, the created key, the
// endpoint's signing secret) or the client's address, none may be a
// warning or an error, and the API request's line carries the request id
// the answer echoed.
func TestDevLogsNoSecretNorClientAddress(t *testing.T) {
	const client = "127.0.0.1"
	var buf testenv.Buffer
	dev := webhookDev(t)
	dev.RedirectAddr, dev.APIAddr = "127.0.0.2:0", "127.0.0.2:0"
	dev.Logger = slog.New(logs.WithRequestIDs(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	redirectURL, apiURL := startDev(t, dev)

	receiver := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	go receiver.Serve(ln)
	defer receiver.Close()

	// the client's every connection leaves from 127.0.0.1
	hc := &http.Client{Timeout: 10 * time.Second,
		Transport:     &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(client)}}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, url string, body any) (*http.Response, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, url, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+devKey)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	secrets := []string{devKey}
	resp, key := call("POST", apiURL+"/v1/keys", map[string]any{"name": "ci", "scopes": []string{"links:read"}})
	if resp.StatusCode != http.StatusCreated || key["key"] == nil {
		t.Fatalf("create key: %d %v", resp.StatusCode, key)
	}
	secrets = append(secrets, key["key"].(string))
	resp, ep := call("POST", apiURL+"/v1/webhooks/endpoints", map[string]any{"url": "http://" + ln.Addr().String() + "/h", "events": []string{"click.created"}})
	if resp.StatusCode != http.StatusCreated || ep["secret"] == nil {
		t.Fatalf("create endpoint: %d %v", resp.StatusCode, ep)
	}
	secrets = append(secrets, ep["secret"].(string))
	resp, link := call("POST", apiURL+"/v1/links", map[string]any{"destination_url": "https://example.com/p", "path": "p"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create link: %d %v", resp.StatusCode, link)
	}
	linkRequestID := resp.Header.Get(logs.RequestIDHeader)
	if linkRequestID == "" {
		t.Fatal("the API's answer has no X-Request-Id")
	}
	click, err := hc.Get(redirectURL + "/p")
	if err != nil {
		t.Fatal(err)
	}
	click.Body.Close()
	if click.StatusCode != http.StatusFound {
		t.Fatalf("click: %d", click.StatusCode)
	}
	testutil.WaitFor(t, "the click's delivery to the endpoint", func() bool {
		return deliveredOnce(t, hc, apiURL, ep["id"].(string))
	})

	out := buf.String()
	if strings.TrimSpace(out) == "" {
		t.Fatal("dev logged nothing at debug level: the test would prove nothing")
	}
	sawRequestID := false
	lines := strings.Split(strings.TrimSpace(out), "\n")
	t.Logf("%d log lines", len(lines))
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not a JSON object: %q", line)
			continue
		}
		if lvl := rec["level"]; lvl == "WARN" || lvl == "ERROR" {
			t.Errorf("normal operation logged a %s: %s", lvl, line)
		}
		if rec["request_id"] == linkRequestID {
			sawRequestID = true
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a secret (%.6s…) is in the log: %s", s, line)
			}
		}
		if strings.Contains(line, client) {
			t.Errorf("the client's address %s is in the log: %s", client, line)
		}
	}
	if !sawRequestID {
		t.Errorf("no log line carries the link create's request id %s:\n%s", linkRequestID, out)
	}
}

// deliveredOnce reports whether endpoint id's delivery log has a
// delivered attempt.
func deliveredOnce(t *testing.T, hc *http.Client, apiURL, id string) bool {
	t.Helper()
	req, _ := http.NewRequest("GET", apiURL+"/v1/webhooks/deliveries?endpoint="+id, nil)
	req.Header.Set("Authorization", "Bearer "+devKey)
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"outcome":"delivered"`)
}
