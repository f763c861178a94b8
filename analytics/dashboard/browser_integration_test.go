package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
	sink "github.com/clicktrail/clicktrail/sinks/clickhouse"
)

const bootstrapKey = "ct_dashboard_browser_test_bootstrap_key_0123456789"

// chromium returns Debian's headless Chromium, skipping the test when it
// is absent (failing when CLICKTRAIL_TEST_REQUIRE_SERVICES is set:
// deploy/local/test.sh installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "headless Chromium not found (apt-get install -y chromium; deploy/local/test.sh does it)"
	if os.Getenv("CLICKTRAIL_TEST_REQUIRE_SERVICES") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifacts is where screenshots go: $CLICKTRAIL_TEST_ARTIFACTS, else a
// temp dir kept for the test.
func artifacts(t *testing.T) string {
	if dir := os.Getenv("CLICKTRAIL_TEST_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// startDev runs clicktrail dev on ClickHouse database dsn until the test
// ends and returns the API's URL.
func startDev(t *testing.T, dsn string) string {
	t.Helper()
	ready := make(chan string, 1)
	dev := app.Dev{
		RedirectNode: app.RedirectNode{DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0",
			APIKeys: []string{bootstrapKey}, DefaultDomain: "go.brand.test", ShortURLScheme: "http", AnyHost: true,
			OnReady: func(_, api string) { ready <- api }},
		StageConfigs: app.StageConfigs{Enrich: enrich.Config{HashSecret: bytes.Repeat([]byte("s"), 32)}, ClickHouse: sink.NewConfig(dsn),
			Webhooks: app.Webhooks{Disabled: true}},
		Batch: app.Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunDev(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunDev: %v", err)
		}
	})
	select {
	case api := <-ready:
		return api
	case err := <-done:
		done <- err
		t.Fatalf("RunDev ended before serving: %v", err)
	}
	return ""
}

func call(t *testing.T, api, key, method, path string, body any, into any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, api+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

// TestDashboardInBrowser signs in to the dashboard of a dev server with
// known clicks in headless Chromium, checks the numbers it renders, that
// attacker-controlled values render as text, and saves screenshots.
func TestDashboardInBrowser(t *testing.T) {
	chrome := chromium(t)
	ctx := context.Background()
	u, err := url.Parse(testenv.ClickHouse(t))
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.Name("ct_dash")
	u.Path = "/" + db
	w, err := sink.Open(ctx, sink.NewConfig(u.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Migrate(ctx, sink.MigrateOptions{}); err != nil {
		t.Fatal(err)
	}
	api := startDev(t, u.String())

	var spring, evil struct {
		ID          string `json:"id"`
		WorkspaceID string `json:"workspace_id"`
	}
	// Link paths are A-Z a-z 0-9 . _ ~ - / (redirect.ValidatePath), so the
	// markup a user controls reaches the page through a destination, UTM
	// values and referrers.
	const evilPath = "evil-link"
	const evilDest = `https://shop.example/x?q=<script>window.__xss=1</script>`
	call(t, api, bootstrapKey, "POST", "/v1/links", map[string]any{"path": "spring-sale", "destination_url": "https://shop.example/spring"}, &spring)
	call(t, api, bootstrapKey, "POST", "/v1/links", map[string]any{"path": evilPath, "destination_url": evilDest}, &evil)
	var key struct {
		Key string `json:"key"`
	}
	call(t, api, bootstrapKey, "POST", "/v1/keys", map[string]any{"name": "dashboard", "scopes": []string{"analytics:read"}}, &key)

	// Known clicks, written as the ClickHouse sink writes them (twice: a
	// replay must not count).
	now := time.Now().UTC()
	var clicks []*schemas.EnrichedClick
	add := func(n int, link, campaign, country, device, referrer string, bot bool) {
		for i := range n {
			clicks = append(clicks, &schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: uuid.Must(uuid.NewV7()).String(),
				Type: schemas.ClickTypeClick, Time: now.Add(-time.Duration(1+i%72) * time.Hour), WorkspaceID: spring.WorkspaceID, LinkID: link,
				VisitorHash: uint64(i % 400), Country: country, DeviceType: device, OS: "iOS", Browser: "Safari", ReferrerHost: referrer,
				UTM: schemas.UTM{Source: "news", Medium: "email", Campaign: campaign}, Bot: bot})
		}
	}
	add(1000, spring.ID, "spring", "DE", "mobile", "t.co", false)
	add(234, spring.ID, "spring", "FR", "desktop", "", false)
	add(7, evil.ID, `<img src=x onerror="window.__xss=2">`, "US", "desktop", `evil.example"><script>window.__xss=3</script>`, false)
	add(50, spring.ID, "spring", "DE", "bot", "", true) // bots: not counted by default
	convs := []sink.Conversion{
		{EventID: uuid.Must(uuid.NewV7()).String(), Name: "purchase", OccurredAt: now.Add(-2 * time.Hour), WorkspaceID: spring.WorkspaceID,
			LinkID: spring.ID, Amount: 129900, Currency: "EUR", MatchedBy: "click_id", ClickID: clicks[0].EventID, ClickType: "click",
			ClickedAt: clicks[0].Time, UTM: clicks[0].UTM, Country: "DE", DeviceType: "mobile"},
		{EventID: uuid.Must(uuid.NewV7()).String(), Name: "purchase", OccurredAt: now.Add(-3 * time.Hour), WorkspaceID: spring.WorkspaceID,
			LinkID: spring.ID, Amount: 4550, Currency: "EUR", MatchedBy: "click_id", ClickID: clicks[1].EventID, ClickType: "click",
			ClickedAt: clicks[1].Time, UTM: clicks[1].UTM, Country: "DE", DeviceType: "mobile"},
	}
	for range 2 {
		if err := w.Write(ctx, clicks); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteConversions(ctx, convs); err != nil {
			t.Fatal(err)
		}
	}
	// The clicks are backdated (up to 72 h), so they lie before the rollup
	// watermark dev's compaction set at start: the stats read them from the
	// rollups once a pass has run (ADR 008), which this one does now
	// rather than waiting for the next (every 30 s).
	if _, err := w.CompactRollups(ctx); err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"), chromedp.WindowSize(1400, 1100))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	must(t, chromedp.Do(bctx, chromedp.Navigate("about:blank"))) // starts the browser; no timeout on this context
	b := browser{t: t, dir: artifacts(t)}
	var cancelTimeout context.CancelFunc
	b.ctx, cancelTimeout = context.WithTimeout(bctx, 30*time.Second)
	defer cancelTimeout()

	// A wrong key is refused on the page.
	b.do(chromedp.Navigate(api+"/dashboard"), chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), "ct_wrong"), chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("signin-error")))
	if refused := b.text("#signin-error"); !strings.Contains(refused, "unknown or revoked") {
		t.Errorf("wrong key: %q", refused)
	}

	// Sign in with the analytics:read key; the overview shows the known
	// numbers.
	b.do(chromedp.SendKeys(chromedp.ID("key"), key.Key), chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`)))
	b.shot("dashboard-overview.png")
	for s, want := range map[string]string{"#kpi-clicks": "1,241", "#kpi-conversions": "2", "#kpi-rate": "0.2% of clicks", "#kpi-revenue": "€1,344.50"} {
		if got := strings.TrimSpace(b.text(s)); got != want {
			t.Errorf("%s = %q, want %q", s, got, want)
		}
	}
	if got := b.text("#top-links tbody tr:first-child"); !strings.Contains(got, "go.brand.test/spring-sale") || !strings.Contains(got, "1,234") || !strings.Contains(got, "99.4%") {
		t.Errorf("first top link: %q", got)
	}
	if got := b.text("#top-links tbody tr:nth-child(2)"); !strings.Contains(got, "go.brand.test/"+evilPath) || !strings.Contains(got, "0.6%") {
		t.Errorf("second top link: %q, want its path as text", got)
	}
	if got := b.text("#campaigns tbody"); !strings.Contains(got, `<img src=x onerror="window.__xss=2">`) {
		t.Errorf("campaigns %q: want the value as text", got)
	}
	if got := b.text("#referrers tbody"); !strings.Contains(got, `evil.example"><script>window.__xss=3</script>`) {
		t.Errorf("referrers %q: want the value as text", got)
	}
	if got := b.text("#countries tbody"); !strings.Contains(got, "1,000") || !strings.Contains(got, "234") {
		t.Errorf("countries: %q", got)
	}
	xss, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`String(window.__xss) + " " + document.querySelectorAll("script, img").length`))
	must(t, err)
	if xss != "undefined 1" {
		t.Errorf("window.__xss and script+img elements: %q, want \"undefined 1\": a value ran as markup", xss)
	}
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{})
	must(t, err)
	if c := cookies.Cookies; len(c) != 1 || !c[0].HTTPOnly || c[0].SameSite != network.CookieSameSiteStrict || c[0].Path != "/dashboard" ||
		strings.Contains(c[0].Value, key.Key) || len(c[0].Value) < 40 {
		t.Errorf("cookies: %+v", c)
	}

	// A link's own page.
	b.do(chromedp.Click(chromedp.CSS("#top-links tbody tr:first-child a")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-link][data-state="ready"]`)))
	b.shot("dashboard-link.png")
	if got := b.text("#kpi-clicks"); got != "1,234" {
		t.Errorf("link page clicks %q, want 1,234", got)
	}
	if got := b.text("#title"); got != "go.brand.test/spring-sale" {
		t.Errorf("link page title %q", got)
	}
	if got := b.text("#by-country tbody"); !strings.Contains(got, "1,000") {
		t.Errorf("link page countries %q", got)
	}

	// The page of the link whose destination holds markup shows it as text.
	b.do(chromedp.Navigate(api+"/dashboard/links/"+evil.ID), chromedp.WaitVisible(chromedp.CSS(`body[data-link][data-state="ready"]`)))
	if got := b.text("#subtitle"); got != "→ "+evilDest {
		t.Errorf("evil link subtitle %q, want the destination as text", got)
	}
	if xss, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`String(window.__xss) + " " + document.querySelectorAll("script, img").length`)); xss != "undefined 1" {
		t.Errorf("evil link page: %q, want \"undefined 1\"", xss)
	}

	// Sign out: the session is gone on the server too.
	b.do(chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("key")))
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`fetch("/dashboard/api/stats").then(r => r.status)`, chromedp.EvalAwaitPromise))
	must(t, err)
	if status != http.StatusUnauthorized {
		t.Errorf("stats after sign-out: %d, want 401", status)
	}
}

// browser drives one tab.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
}

func (b browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for i, s := range steps {
		if err := chromedp.Do(b.ctx, s); err != nil {
			b.t.Errorf("step %d: %v", i, err)
			b.shot("failed.png")
			b.t.FailNow()
		}
	}
}

func (b browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	must(b.t, err)
	return s
}

// shot saves a screenshot of the whole page under the artifacts dir.
func (b browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	must(b.t, err)
	path := filepath.Join(b.dir, name)
	must(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot: %s", path)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
