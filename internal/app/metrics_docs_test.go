package app

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// The processes of docs/metrics.md's "processes" column.
const (
	procDev            = "dev"
	procRedirect       = "redirect"
	procEnrich         = "enrich"
	procSinkClickHouse = "sink clickhouse"
	procSinkWebhook    = "sink webhook"
)

// docMetric is a row of docs/metrics.md's tables.
type docMetric struct {
	processes []string
	always    bool // present from the start (else once it first happens)
}

// documentedMetrics reads the metric tables of docs/metrics.md: rows
// | `name` | type | labels | processes | present |.
func documentedMetrics(t *testing.T) map[string]docMetric {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]docMetric{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 7 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`clicktrail_") {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		var procs []string
		for _, p := range strings.Split(cells[4], ",") {
			procs = append(procs, strings.TrimSpace(p))
		}
		present := strings.TrimSpace(cells[5])
		if present != "always" && present != "once it happens" {
			t.Fatalf("docs/metrics.md: %s: present column %q, want always or once it happens", name, present)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("docs/metrics.md lists %s twice", name)
		}
		out[name] = docMetric{processes: procs, always: present == "always"}
	}
	if len(out) == 0 {
		t.Fatal("docs/metrics.md lists no metric")
	}
	return out
}

// scrapeNames returns the metric families /metrics at debugURL serves.
func scrapeNames(t *testing.T, debugURL string) map[string]bool {
	t.Helper()
	resp, err := http.Get(debugURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
		}
	}
	if resp.StatusCode != http.StatusOK || len(names) == 0 {
		t.Fatalf("/metrics: %d, %d families", resp.StatusCode, len(names))
	}
	return names
}

// checkDocumented fails on a clicktrail_ metric process serves that
// docs/metrics.md does not list for it, and on one it lists as always
// present that the process does not serve.
func checkDocumented(t *testing.T, docs map[string]docMetric, process string, served map[string]bool) {
	t.Helper()
	for name := range served {
		if !strings.HasPrefix(name, "clicktrail_") {
			continue
		}
		d, ok := docs[name]
		if !ok {
			t.Errorf("%s serves %s, which docs/metrics.md does not list", process, name)
		} else if !slices.Contains(d.processes, process) {
			t.Errorf("%s serves %s, which docs/metrics.md lists only for %v", process, name, d.processes)
		}
	}
	for name, d := range docs {
		if d.always && slices.Contains(d.processes, process) && !served[name] {
			t.Errorf("%s does not serve %s, which docs/metrics.md lists for it as always present", process, name)
		}
	}
}

func TestDevServesTheDocumentedMetrics(t *testing.T) {
	docs := documentedMetrics(t)
	dev := webhookDev(t)
	dev.DebugAddr = "127.0.0.1:0"
	debug := make(chan string, 1)
	dev.OnDebugReady = func(u string) { debug <- u }
	redirectURL, apiURL := startDev(t, dev)
	debugURL := <-debug

	rc := testenv.NewWebhookReceiver(t, nil)
	if st, ep := devCall(t, apiURL, "POST", "/v1/webhooks/endpoints", map[string]any{"url": rc.URL + "/h", "events": []string{"click.created"}}); st != http.StatusCreated {
		t.Fatalf("create endpoint: %d %v", st, ep)
	} else {
		rc.SetSecret(ep["secret"].(string))
	}
	if st, l := devCall(t, apiURL, "POST", "/v1/links", map[string]any{"destination_url": "https://example.com/m", "path": "m"}); st != http.StatusCreated {
		t.Fatalf("create link: %d %v", st, l)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	for _, p := range []string{"/m", "/nope"} {
		resp, err := noFollow.Get(redirectURL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	testutil.WaitFor(t, "the click's webhook", func() bool { return len(rc.OfType("click.created")) == 1 })
	checkDocumented(t, docs, procDev, scrapeNames(t, debugURL))
}

// TestDashboardNamesDocumentedMetrics checks that deploy/grafana's
// dashboard is valid JSON whose panels query only metrics docs/metrics.md
// lists (histograms by their _bucket, _sum and _count series), and that
// every panel has a query.
func TestDashboardNamesDocumentedMetrics(t *testing.T) {
	docs := documentedMetrics(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "clicktrail.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("deploy/grafana/clicktrail.json: %v", err)
	}
	if len(dash.Panels) == 0 {
		t.Fatal("the dashboard has no panel")
	}
	name := regexp.MustCompile(`clicktrail_[a-z0-9_]+`)
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			found := name.FindAllString(q.Expr, -1)
			if len(found) == 0 {
				t.Errorf("panel %q: query %q names no clicktrail metric", p.Title, q.Expr)
			}
			for _, n := range found {
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suffix); ok {
						if _, documented := docs[b]; documented {
							base = b
						}
					}
				}
				if _, ok := docs[base]; !ok {
					t.Errorf("panel %q queries %s, which docs/metrics.md does not list", p.Title, n)
				}
			}
		}
	}
}
