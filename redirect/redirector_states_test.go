package redirect

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// statesServer serves links in every state through a real HTTP server of
// front-end fe and returns its base URL.
func statesServer(t *testing.T, fe frontEnd) (string, *Redirector, *memClickLog) {
	t.Helper()
	past, future := testNow.Add(-time.Hour), testNow.Add(time.Hour)
	plain := func(path string, mutate func(*Link)) *Link {
		l := testLink(path)
		l.UTM = schemas.UTM{}
		l.DestinationURL = "https://shop.example.org/" + path
		mutate(l)
		return l
	}
	rd, clicks := newRoutingRedirector(t, nil,
		plain("c301", func(l *Link) { l.RedirectCode = 301 }),
		plain("c302", func(l *Link) { l.RedirectCode = 302 }),
		plain("c307", func(l *Link) { l.RedirectCode = 307 }),
		plain("off", func(l *Link) { l.Disabled = true }),
		plain("gone", func(l *Link) { l.ExpiresAt, l.ExpiredURL = &past, "https://shop.example.org/over?a=1&b=<2>" }),
		plain("gone-bare", func(l *Link) { l.ExpiresAt = &past }),
		plain("gone-302", func(l *Link) {
			l.ExpiresAt, l.ExpiredURL, l.ExpiredRedirect = &past, "https://shop.example.org/over", true
		}),
		plain("live", func(l *Link) { l.ExpiresAt = &future }),
		plain("conv", func(l *Link) { l.TrackConversions = true }),
		plain("Case/Sub", func(*Link) {}),
	)
	return fe.start(t, rd), rd, clicks
}

func noFollow(t *testing.T) *http.Client {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func fetch(t *testing.T, c *http.Client, method, url, ua string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestLinkStatesOverHTTP(t *testing.T) { forEachFrontEnd(t, testLinkStatesOverHTTP) }

func testLinkStatesOverHTTP(t *testing.T, fe frontEnd) {
	srv, _, clicks := statesServer(t, fe)
	client := noFollow(t)
	const over = "https://shop.example.org/over?a=1&b=<2>"
	for _, tc := range []struct {
		name, method, target string
		status               int
		location             string
		bodyHas              string // "" means an empty body
		clicks               int
	}{
		{"301", "GET", "/c301", 301, "https://shop.example.org/c301", "", 1},
		{"302", "GET", "/c302", 302, "https://shop.example.org/c302", "", 1},
		{"307", "GET", "/c307", 307, "https://shop.example.org/c307", "", 1},
		{"307 HEAD", "HEAD", "/c307", 307, "https://shop.example.org/c307", "", 1},
		{"disabled", "GET", "/off", 404, "", "not found", 0},
		{"expired: 410 with a link to the fallback", "GET", "/gone", 410, over, `<a href="https://shop.example.org/over?a=1&amp;b=&lt;2&gt;">`, 0},
		{"expired HEAD: no body", "HEAD", "/gone", 410, over, "", 0},
		{"expired without fallback", "GET", "/gone-bare", 410, "", "link expired", 0},
		{"expired with expired_redirect", "GET", "/gone-302", 302, "https://shop.example.org/over", "", 0},
		{"not yet expired", "GET", "/live", 302, "https://shop.example.org/live", "", 1},
		{"trailing slash", "GET", "/c302/", 302, "https://shop.example.org/c302", "", 1},
		{"two trailing slashes", "GET", "/c302//", 404, "", "not found", 0},
		{"path case kept", "GET", "/Case/Sub", 302, "https://shop.example.org/Case/Sub", "", 1},
		{"path case differs", "GET", "/case/sub", 404, "", "not found", 0},
		{"escaped letters", "GET", "/%43ase%2fSub", 404, "", "not found", 0},
		{"escaped letter, upper-case hex", "GET", "/%43ase/Sub", 302, "https://shop.example.org/Case/Sub", "", 1},
		{"readyz", "GET", "/readyz", 200, "", "ready", 0},
		{"healthz HEAD", "HEAD", "/healthz", 200, "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(clicks.all())
			resp, body := fetch(t, client, tc.method, srv+tc.target, "")
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
			}
			if tc.bodyHas == "" && body != "" || !strings.Contains(body, tc.bodyHas) {
				t.Errorf("body %q, want one containing %q", body, tc.bodyHas)
			}
			if got := len(clicks.all()) - before; got != tc.clicks {
				t.Errorf("%d clicks recorded, want %d", got, tc.clicks)
			}
		})
	}
}

func TestReadyz(t *testing.T) { forEachFrontEnd(t, testReadyz) }

func testReadyz(t *testing.T, fe frontEnd) {
	srv, rd, _ := statesServer(t, fe)
	client := noFollow(t)
	rd.SetReady(false)
	if resp, _ := fetch(t, client, "GET", srv+"/readyz", ""); resp.StatusCode != 503 {
		t.Errorf("readyz while shutting down: %d, want 503", resp.StatusCode)
	}
	if resp, _ := fetch(t, client, "GET", srv+"/c302", ""); resp.StatusCode != 302 {
		t.Errorf("redirect while shutting down: %d, want 302", resp.StatusCode)
	}
	rd.SetReady(true)
	if resp, _ := fetch(t, client, "GET", srv+"/readyz", ""); resp.StatusCode != 200 {
		t.Errorf("readyz: %d, want 200", resp.StatusCode)
	}
}

func TestQRScanAndConversionTracking(t *testing.T) {
	forEachFrontEnd(t, testQRScanAndConversionTracking)
}

func testQRScanAndConversionTracking(t *testing.T, fe frontEnd) {
	srv, _, clicks := statesServer(t, fe)
	client := noFollow(t)

	resp, _ := fetch(t, client, "GET", srv+"/c302?qr=1&gclid=g1", "")
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "https://shop.example.org/c302?gclid=g1" {
		t.Fatalf("QR scan: %d %q", resp.StatusCode, loc)
	}
	c := lastClick(t, clicks)
	if c.Type != schemas.ClickTypeQRScan || c.Destination != "https://shop.example.org/c302?gclid=g1" {
		t.Errorf("QR click type %q destination %q", c.Type, c.Destination)
	}

	resp, _ = fetch(t, client, "GET", srv+"/conv?ct_click=forged", "")
	c = lastClick(t, clicks)
	want := "https://shop.example.org/conv?ct_click=" + c.EventID
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != want || c.Destination != want {
		t.Fatalf("tracked click: %d %q, click destination %q; want %q", resp.StatusCode, loc, c.Destination, want)
	}
	if c.Type != schemas.ClickTypeClick {
		t.Errorf("plain click recorded as %q", c.Type)
	}
}

// TestBotsAreRedirected: link previews (Slackbot) get the redirect and their
// click is recorded; enrich flags it as a bot downstream.
func TestBotsAreRedirected(t *testing.T) { forEachFrontEnd(t, testBotsAreRedirected) }

func testBotsAreRedirected(t *testing.T, fe frontEnd) {
	srv, _, clicks := statesServer(t, fe)
	resp, _ := fetch(t, noFollow(t), "GET", srv+"/c302", uaSlackbot)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://shop.example.org/c302" {
		t.Fatalf("Slackbot got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := lastClick(t, clicks); c.UserAgent != uaSlackbot {
		t.Errorf("recorded agent %q", c.UserAgent)
	}
}

func TestRedirectConfigValidateRouting(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	for _, tc := range []struct {
		name, wantErr string
		mutate        func(*RedirectConfig)
	}{
		{"defaults", "", func(*RedirectConfig) {}},
		{"custom click param", "", func(c *RedirectConfig) { c.ClickIDParam = "cid" }},
		{"short secret", "visitor_secret", func(c *RedirectConfig) { c.VisitorSecret = []byte("short") }},
		{"click param with space", "click_id_param", func(c *RedirectConfig) { c.ClickIDParam = "a b" }},
		{"click param qr", "click_id_param", func(c *RedirectConfig) { c.ClickIDParam = QRParam }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := RedirectConfig{Store: s, Clicks: &memClickLog{}}
			tc.mutate(&c)
			_, err := NewRedirector(c)
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("NewRedirector = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}
