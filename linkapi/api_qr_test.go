package linkapi

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/qr"
	"github.com/clicktrail/clicktrail/schemas"
)

// qrFixture is the link API and a redirector over one pebble store, each
// behind a real HTTP server; short URLs point at the redirector, so a
// decoded QR code can be followed like a phone would.
type qrFixture struct {
	store  *redirect.Store
	api    *httptest.Server
	rd     *httptest.Server
	clicks *memClickLog
	client *http.Client
	clock  *testutil.Clock // the API's
}

// skipUnregistered skips a test of the route over the API while qrRoute is
// not in qrRoutes (see the TODO there).
func skipUnregistered(t testing.TB) {
	t.Helper()
	if len(qrRoutes) == 0 {
		t.Skip("GET /v1/links/{id}/qr is not registered yet: see the TODO on qrRoutes")
	}
}

func newQRFixture(t *testing.T) *qrFixture {
	t.Helper()
	skipUnregistered(t)
	s, _ := openTestStore(t, redirect.StoreOptions{})
	f := &qrFixture{store: s, clicks: &memClickLog{}, client: noFollow(t), clock: testutil.NewClock(testNow)}
	rd, err := redirect.NewRedirector(redirect.RedirectConfig{Store: s, Clicks: f.clicks, DefaultDomain: testDomain, AnyHost: true,
		VisitorSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	f.rd = httptest.NewServer(rd)
	t.Cleanup(f.rd.Close)
	h, err := NewAPI(APIConfig{
		Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain, ShortURLBase: f.rd.URL,
		RateLimit: RateLimitConfig{PerSecond: -1},
		Now:       f.clock.Now,
		Destinations: DestinationPolicy{Resolve: func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(h)
	t.Cleanup(f.api.Close)
	return f
}

// do sends a request without a body to the API with the test key and
// extra headers ("Name: value").
func (f *qrFixture) do(t *testing.T, method, target string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.api.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (f *qrFixture) link(t *testing.T, path string, mutate func(*redirect.Link)) *redirect.Link {
	t.Helper()
	l := testLink(path)
	if mutate != nil {
		mutate(l)
	}
	mustCreate(t, f.store, l)
	return l
}

// scanPNG decodes a PNG's QR code with ZXing's Go port. The short URL holds
// the test server's random port, so the symbol differs from run to run, and
// ZXing's finder-pattern detector misses about one symbol in a thousand that
// zbarimg reads (http://127.0.0.1:30527/spring?qr=1 is one: "dimension =
// 23"). Our images are pure barcodes, so the test reads them in ZXing's
// pure-barcode mode, which still checks the format bits and the Reed-Solomon
// code; package qr's round-trip tests use the detector on fixed texts.
func scanPNG(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func TestQRFormats(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "spring", nil)
	want := f.rd.URL + "/spring?qr=1"
	tests := []struct {
		name, query, contentType string
		size                     int
	}{
		{"defaults", "", "image/png", qr.DefaultSize},
		{"png", "?format=png", "image/png", qr.DefaultSize},
		{"png sized", "?format=png&size=512", "image/png", 512},
		{"smallest png", "?size=64", "image/png", 64},
		{"largest png", "?size=2048", "image/png", 2048},
		{"svg", "?format=svg", "image/svg+xml", qr.DefaultSize},
		{"svg sized", "?size=1000&format=svg", "image/svg+xml", 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", "/v1/links/"+l.ID+"/qr"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h := resp.Header
			if h.Get("Content-Type") != tc.contentType || h.Get("Content-Length") != strconv.Itoa(len(body)) ||
				h.Get("Cache-Control") != qrCacheControl || !strings.HasPrefix(h.Get("ETag"), `W/"`) ||
				h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Disposition"), l.ID+"-qr.") {
				t.Errorf("headers %v", h)
			}
			if tc.contentType == "image/png" {
				cfg, err := png.DecodeConfig(bytes.NewReader(body))
				if err != nil || cfg.Width != tc.size || cfg.Height != tc.size {
					t.Errorf("PNG %dx%d (%v), want %d", cfg.Width, cfg.Height, err, tc.size)
				}
				if got := scanPNG(t, body); got != want {
					t.Errorf("decoded %q, want %q", got, want)
				}
				return
			}
			var svg struct {
				Width  string `xml:"width,attr"`
				Height string `xml:"height,attr"`
				Path   []struct {
					D string `xml:"d,attr"`
				} `xml:"path"`
			}
			if err := xml.Unmarshal(body, &svg); err != nil {
				t.Fatalf("SVG is not XML: %v", err)
			}
			if s := strconv.Itoa(tc.size); svg.Width != s || svg.Height != s || len(svg.Path) != 1 || svg.Path[0].D == "" {
				t.Errorf("SVG %s x %s with %d paths", svg.Width, svg.Height, len(svg.Path))
			}
		})
	}

	resp, body := f.do(t, "HEAD", "/v1/links/"+l.ID+"/qr")
	if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("HEAD: %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
}

// TestQRScanIsRecorded follows the decoded code to the redirector, as a
// phone does: the visit redirects and is recorded as a qr_scan.
func TestQRScanIsRecorded(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "Promo/Fall-26", nil)
	_, body := f.do(t, "GET", "/v1/links/"+l.ID+"/qr")
	scanned := scanPNG(t, body)
	resp, _ := fetch(t, f.client, "GET", scanned, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "https://shop.example.org/spring?") {
		t.Fatalf("scan of %s: %d %q", scanned, resp.StatusCode, resp.Header.Get("Location"))
	}
	c := lastClick(t, f.clicks)
	if c.Type != schemas.ClickTypeQRScan || c.LinkID != l.ID {
		t.Errorf("recorded %q for link %s, want %q for %s", c.Type, c.LinkID, schemas.ClickTypeQRScan, l.ID)
	}
	if strings.Contains(c.Destination, redirect.QRParam+"=") {
		t.Errorf("scan marker forwarded to the destination: %s", c.Destination)
	}
}

func TestQRBadRequests(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "bad", nil)
	long := f.link(t, strings.Repeat("p", redirect.MaxPathLen), nil)
	longCode, err := qr.Encode(f.rd.URL + "/" + long.Path + "?qr=1")
	if err != nil {
		t.Fatal(err)
	}
	width := strconv.Itoa(longCode.Width()) // 69 modules: more pixels than the minimum size
	tests := []struct {
		name, target, field, code string
	}{
		{"size below minimum", "?size=63", "size", CodeInvalidField},
		{"size above maximum", "?size=2049", "size", CodeInvalidField},
		{"size not a number", "?size=big", "size", CodeInvalidField},
		{"size fraction", "?size=256.5", "size", CodeInvalidField},
		{"size empty", "?size=", "size", CodeInvalidField},
		{"size negative", "?size=-256", "size", CodeInvalidField},
		{"size twice", "?size=256&size=512", "size", CodeInvalidField},
		{"format unknown", "?format=gif", "format", CodeInvalidField},
		{"format upper case", "?format=PNG", "format", CodeInvalidField},
		{"format empty", "?format=", "format", CodeInvalidField},
		{"unknown parameter", "?colour=red", "colour", CodeUnknownField},
		{"parameter without a name", "?=red", "", CodeUnknownField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", "/v1/links/"+l.ID+"/qr"+tc.target)
			assertAPIError(t, resp, body, http.StatusBadRequest, tc.code, tc.field)
		})
	}
	t.Run("size below the modules of a long link", func(t *testing.T) {
		if longCode.Width() <= qr.MinSize {
			t.Fatalf("the longest path makes a code of %d modules only", longCode.Width())
		}
		resp, body := f.do(t, "GET", "/v1/links/"+long.ID+"/qr?size="+strconv.Itoa(longCode.Width()-1))
		e := assertAPIError(t, resp, body, http.StatusBadRequest, CodeInvalidField, "size")
		if !strings.Contains(e.Message, "below the "+width+" modules") {
			t.Errorf("message %q does not say how many pixels are needed", e.Message)
		}
		resp, body = f.do(t, "GET", "/v1/links/"+long.ID+"/qr?size="+width)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("size=%s: %d %s", width, resp.StatusCode, body)
		}
		if got := scanPNG(t, body); got != f.rd.URL+"/"+long.Path+"?qr=1" {
			t.Errorf("decoded %q at one pixel per module", got)
		}
	})
}

// TestQRNotFound: unknown ids, other workspaces and other paths under a
// link are 404; other methods 405.
func TestQRNotFound(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "found", nil)
	other := f.link(t, "theirs", func(l *redirect.Link) { l.WorkspaceID = "ws_0123456789abcdef" })
	tests := []struct{ name, target string }{
		{"unknown id", "/v1/links/lnk_doesnotexist0000/qr"},
		{"another workspace's link", "/v1/links/" + other.ID + "/qr"},
		{"other sub-resource", "/v1/links/" + l.ID + "/qrcode"},
		{"nested", "/v1/links/" + l.ID + "/qr/png"},
		{"external id named qr", "/v1/links/external/qr"}, // the external-id lookup, not a QR code
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", tc.target)
			assertAPIError(t, resp, body, http.StatusNotFound, CodeNotFound, "")
		})
	}
	resp, body := f.do(t, "POST", "/v1/links/"+l.ID+"/qr")
	assertAPIError(t, resp, body, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "")
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("POST: Allow %q", allow)
	}
	resp, body = f.do(t, "DELETE", "/v1/links/external/qr")
	assertAPIError(t, resp, body, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "")
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "PUT") {
		t.Errorf("DELETE of an external id: Allow %q", allow)
	}

	req, _ := http.NewRequest("GET", f.api.URL+"/v1/links/"+l.ID+"/qr", nil)
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a key: %d, want 401", resp.StatusCode)
	}
}

// TestQRScopesAndWorkspaces drives keys through the API: the route needs
// links:read, and another workspace's key cannot see the link.
func TestQRScopesAndWorkspaces(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "scoped", nil)
	ws := f.create(t, testKey, "/v1/workspaces", `{"name":"other"}`)["id"]
	keys := map[string]string{
		"reader":         f.create(t, testKey, "/v1/keys", `{"name":"reader","scopes":["links:read"]}`)["key"],
		"writer":         f.create(t, testKey, "/v1/keys", `{"name":"writer","scopes":["links:write"]}`)["key"],
		"other's reader": f.create(t, testKey, "/v1/keys", `{"name":"r","scopes":["links:read"],"workspace_id":"`+ws+`"}`)["key"],
	}
	tests := []struct {
		key    string
		status int
		code   string
	}{
		{"reader", http.StatusOK, ""},
		{"writer", http.StatusForbidden, CodeMissingScope},
		{"other's reader", http.StatusNotFound, CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			resp, body := f.do(t, "GET", "/v1/links/"+l.ID+"/qr", "Authorization: Bearer "+keys[tc.key])
			if tc.status == http.StatusOK {
				if resp.StatusCode != http.StatusOK || scanPNG(t, body) != f.rd.URL+"/scoped?qr=1" {
					t.Errorf("status %d", resp.StatusCode)
				}
				return
			}
			assertAPIError(t, resp, body, tc.status, tc.code, "")
		})
	}
}

// create POSTs body to target with key, wants 201 and returns the answer's
// string members.
func (f *qrFixture) create(t *testing.T, key, target, body string) map[string]string {
	t.Helper()
	req, err := http.NewRequest("POST", f.api.URL+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &m) != nil {
		t.Fatalf("POST %s: %d %s", target, resp.StatusCode, b)
	}
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// TestQRDisabledAndDeleted: a link that no longer redirects still has its
// code (a printed code cannot be recalled; the API says what it encodes),
// and scanning it answers 404 and records nothing.
func TestQRDisabledAndDeleted(t *testing.T) {
	f := newQRFixture(t)
	disabled := f.link(t, "paused", func(l *redirect.Link) { l.Disabled = true })
	deleted := f.link(t, "removed", nil)
	if resp, body := f.do(t, "DELETE", "/v1/links/"+deleted.ID); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
	}
	for _, l := range []*redirect.Link{disabled, deleted} {
		resp, body := f.do(t, "GET", "/v1/links/"+l.ID+"/qr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", l.Path, resp.StatusCode, body)
		}
		scanned := scanPNG(t, body)
		if want := f.rd.URL + "/" + l.Path + "?qr=1"; scanned != want {
			t.Errorf("decoded %q, want %q", scanned, want)
		}
		if resp, _ := fetch(t, f.client, "GET", scanned, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("scan of %s: %d, want 404", l.Path, resp.StatusCode)
		}
	}
	if n := len(f.clicks.recs); n != 0 {
		t.Errorf("%d clicks recorded for links that do not redirect", n)
	}
}

func TestQRConditionalGet(t *testing.T) {
	f := newQRFixture(t)
	l := f.link(t, "cached", nil)
	target := "/v1/links/" + l.ID + "/qr?size=300"
	resp, _ := f.do(t, "GET", target)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("first GET: %d, ETag %q", resp.StatusCode, etag)
	}
	strong := strings.TrimPrefix(etag, "W/")
	tests := []struct {
		name, target, ifNoneMatch string
		want                      int
		otherImage                bool
	}{
		{"same tag", target, etag, http.StatusNotModified, false},
		{"strong form of the tag", target, strong, http.StatusNotModified, false},
		{"in a list", target, `"other", ` + etag, http.StatusNotModified, false},
		{"any", target, "*", http.StatusNotModified, false},
		{"other tag", target, `W/"0123"`, http.StatusOK, false},
		{"no tag", target, "", http.StatusOK, false},
		{"other size", "/v1/links/" + l.ID + "/qr?size=301", etag, http.StatusOK, true},
		{"other format", target + "&format=svg", etag, http.StatusOK, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", tc.target, "If-None-Match: "+tc.ifNoneMatch)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusNotModified {
				if len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != qrCacheControl {
					t.Errorf("304 with %d bytes, headers %v", len(body), resp.Header)
				}
			} else if got := resp.Header.Get("ETag"); (got == etag) == tc.otherImage {
				t.Errorf("ETag %s, first answer's %s", got, etag)
			}
		})
	}

	// A change of the link changes updated_at and so the tag.
	f.clock.Advance(time.Hour)
	req, _ := http.NewRequest("PATCH", f.api.URL+"/v1/links/"+l.ID, strings.NewReader(`{"tags":["autumn"]}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	presp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	if presp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH: %d", presp.StatusCode)
	}
	resp, _ = f.do(t, "GET", target, "If-None-Match: "+etag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Errorf("after PATCH: %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
}

func TestQRInOpenAPI(t *testing.T) {
	skipUnregistered(t)
	doc, _ := fetchOpenAPI(t)
	raw, _ := json.Marshal(doc)
	if !strings.Contains(string(raw), `"/v1/links/{id}/qr"`) {
		t.Error("GET /v1/links/{id}/qr is not in the OpenAPI document")
	}
	if strings.Contains(string(raw), "{sub}") {
		t.Error("the registered pattern leaks into the OpenAPI document")
	}
}

func assertAPIError(t *testing.T, resp *http.Response, body []byte, status int, code, field string) *APIError {
	t.Helper()
	var e errorResponse
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Fatalf("status %d, body %q is not an error", resp.StatusCode, body)
	}
	if resp.StatusCode != status || e.Error.Code != code || e.Error.Field != field || e.Error.Message == "" {
		t.Errorf("got %d %+v, want %d code %s field %q", resp.StatusCode, e.Error, status, code, field)
	}
	if resp.Header.Get("ETag") != "" {
		t.Errorf("error answer has ETag %s", resp.Header.Get("ETag"))
	}
	return e.Error
}

// FuzzParseQRParams: any query either parses to a known format and an
// in-range size or is refused naming a parameter; never a panic.
func FuzzParseQRParams(f *testing.F) {
	for _, s := range []string{"", "format=svg&size=512", "size=64", "size=2049", "size=1e3", "format=gif",
		"size=1&size=2", "x=1", "size=%zz", "format=png&format=svg", "size=+256", "size=0x100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, aerr := parseQRParams(values)
		if aerr != nil {
			named := aerr.Field != "" || (aerr.Code == CodeUnknownField && values[""] != nil)
			if aerr.status != http.StatusBadRequest || !named || aerr.Message == "" {
				t.Fatalf("refusal %+v", aerr)
			}
			return
		}
		if qrContentTypes[p.format] == "" || p.size < qr.MinSize || p.size > qr.MaxSize {
			t.Fatalf("accepted %+v", p)
		}
	})
}

// BenchmarkQRRoute measures one GET /v1/links/{id}/qr in process: link
// lookup, encoding, rendering (what an ETag hit saves).
func BenchmarkQRRoute(b *testing.B) {
	skipUnregistered(b)
	s, _ := openTestStore(b, redirect.StoreOptions{})
	l := testLink("bench")
	mustCreate(b, s, l)
	h, err := NewAPI(APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain, RateLimit: RateLimitConfig{PerSecond: -1}})
	if err != nil {
		b.Fatal(err)
	}
	for _, query := range []string{"format=png", "format=svg"} {
		b.Run(query, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/links/"+l.ID+"/qr?"+query, nil)
			req.Header.Set("Authorization", "Bearer "+testKey)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
