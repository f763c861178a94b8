package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestKafkaProcessesServeTheDocumentedMetrics runs a redirect node and the
// three workers on the real Kafka and ClickHouse, each with its debug
// listener, sends a click through them (to ClickHouse and to a webhook),
// and checks that each serves what docs/metrics.md lists for it.
func TestKafkaProcessesServeTheDocumentedMetrics(t *testing.T) {
	docs := documentedMetrics(t)
	brokers := testenv.Kafka(t)
	dsn := clickhouseTestDB(t)
	if _, err := Migrate(context.Background(), clickhouse.Config{DSN: dsn}, nil); err != nil {
		t.Fatal(err)
	}
	const key = "metrics-test-key-0123456789abcdef"
	k := Kafka{Brokers: brokers, TopicPrefix: testenv.Name("metrics") + ".", Partitions: 2}
	batch := Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond}
	secret := bytes.Repeat([]byte("s"), 32)
	debugURLs := map[string]string{}
	start := func(process string, run func(ctx context.Context, onDebug func(string)) error) {
		t.Helper()
		debug := make(chan string, 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, func(u string) { debug <- u }) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: %v", process, err)
			}
		})
		select {
		case debugURLs[process] = <-debug:
		case err := <-done:
			done <- err
			t.Fatalf("%s ended before serving metrics: %v", process, err)
		}
	}

	nodeReady := make(chan [2]string, 1)
	start(procRedirect, func(ctx context.Context, onDebug func(string)) error {
		return RunRedirectNode(ctx, RedirectNode{DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0",
			APIKeys: []string{key}, DefaultDomain: "go.brand.test", ShortURLScheme: "http", AnyHost: true,
			Destinations: linkapi.DestinationPolicy{AllowPrivateDestinations: true}, VisitorSecret: secret, Kafka: k,
			DebugAddr: "127.0.0.1:0", OnDebugReady: onDebug, OnReady: func(r, a string) { nodeReady <- [2]string{r, a} }})
	})
	urls := <-nodeReady
	worker := func(name string) Worker {
		w := DefaultWorker(name)
		w.Kafka, w.Batch, w.Group, w.DebugAddr = k, batch, testenv.Name("metrics-group"), "127.0.0.1:0"
		w.Local.DataDir = t.TempDir()
		w.Enrich = enrich.Config{HashSecret: secret}
		w.ClickHouse = clickhouse.Config{DSN: dsn}
		return w
	}
	for _, name := range []string{procEnrich, procSinkClickHouse} {
		start(name, func(ctx context.Context, onDebug func(string)) error {
			w := worker(name)
			w.OnDebugReady = onDebug
			return RunWorker(ctx, w)
		})
	}
	sinkAPI := make(chan string, 1)
	start(procSinkWebhook, func(ctx context.Context, onDebug func(string)) error {
		w := worker(procSinkWebhook)
		w.OnDebugReady = onDebug
		w.Webhooks.Delivery = webhook.Config{AllowPrivate: true}
		w.WebhookAPI = WebhookAPI{Addr: "127.0.0.1:0", Keys: []string{key}, OnReady: func(u string) { sinkAPI <- u }}
		return RunWorker(ctx, w)
	})

	rc := testenv.NewWebhookReceiver(t, nil)
	call := func(base, path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	ep := call(<-sinkAPI, "/v1/webhooks/endpoints", map[string]any{"url": rc.URL + "/h", "events": []string{"click.created"}})
	rc.SetSecret(ep["secret"].(string))
	call(urls[1], "/v1/links", map[string]any{"destination_url": "https://example.com/m", "path": "m"})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(urls[0] + "/m")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	testutil.WaitFor(t, "the click's webhook", func() bool { return len(rc.OfType("click.created")) == 1 })
	testutil.WaitFor(t, "the click's ClickHouse insert", func() bool {
		m := scrapeText(t, debugURLs[procSinkClickHouse])
		return strings.Contains(m, `clicktrail_sink_insert_rows_count{sink="clickhouse"} `) &&
			!strings.Contains(m, `clicktrail_sink_insert_rows_count{sink="clickhouse"} 0`)
	})
	for process, u := range debugURLs {
		checkDocumented(t, docs, process, scrapeNames(t, u))
	}
}

func scrapeText(t *testing.T, debugURL string) string {
	t.Helper()
	resp, err := http.Get(debugURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// clickhouseTestDB returns a DSN of a fresh database on the test server,
// dropped when the test ends.
func clickhouseTestDB(t *testing.T) string {
	t.Helper()
	base := testenv.ClickHouse(t)
	opts, err := ch.ParseDSN(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	db := testenv.Name("metrics")
	t.Cleanup(func() {
		conn, err := ch.Open(opts)
		if err == nil {
			conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
			conn.Close()
		}
	})
	u := strings.TrimSuffix(strings.TrimSuffix(base, "/"+opts.Auth.Database), "/")
	return u + "/" + db
}
