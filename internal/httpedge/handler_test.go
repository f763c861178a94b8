package httpedge

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var testRoutes = func() *Routes {
	rs, err := RoutesFromOpenAPI([]byte(`{"paths":{
		"/v1/links":{"get":{},"post":{}},
		"/v1/links/{id}":{"get":{},"patch":{},"delete":{}},
		"/v1/links/external/{external_id}":{"put":{}},
		"/v1/files/{rest...}":{"get":{}}}}`))
	if err != nil {
		panic(err)
	}
	return rs
}()

func TestRoutes(t *testing.T) {
	for _, tc := range []struct{ path, allow string }{
		{"/v1/links", "GET, HEAD, POST"},
		{"/v1/links/lnk_1", "DELETE, GET, HEAD, PATCH"},
		{"/v1/links/external/x", "PUT"},
		{"/v1/links/external", "DELETE, GET, HEAD, PATCH"},
		{"/v1/files/a/b/c", "GET, HEAD"},
		{"/v1/links/", ""},
		{"/v1/links/a/b", ""},
		{"/nothing", ""},
		{"", ""},
	} {
		if got := testRoutes.Allow(tc.path); got != tc.allow {
			t.Errorf("Allow(%q) = %q, want %q", tc.path, got, tc.allow)
		}
	}
	if !testRoutes.Serves("/v1/links/x", "HEAD") || testRoutes.Serves("/v1/links/x", "POST") {
		t.Error("Serves is wrong for /v1/links/x")
	}
}

// testHandler answers like an API: JSON 404 for unknown routes, and some
// answers of the other kinds JSONErrors must handle.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/links", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":[]}`) })
	mux.HandleFunc("GET /text-error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "it broke", http.StatusBadGateway) })
	mux.HandleFunc("GET /json-error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(409)
		fmt.Fprint(w, `{"error":{"code":"path_taken","message":"x","existing_id":"l"}}`)
	})
	mux.HandleFunc("GET /html-error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(401)
		fmt.Fprint(w, `<!doctype html><p id="signin-error">That API key is unknown or revoked.</p>`)
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /panic-late", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		panic("late")
	})
	mux.HandleFunc("GET /too-large", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(413)
	})
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"code":"not_found","message":"no such route"}}`)
	})
	return mux
}

func serveOne(t *testing.T, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	h := &jsonHandler{next: testHandler(), cfg: Config{MaxHeaderBytes: 1024, Routes: testRoutes, Logger: nil}}
	if h.cfg.Logger == nil {
		h.cfg.Logger = discardLogger
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestJSONHandler(t *testing.T) {
	for _, tc := range []struct {
		name, method, target string
		header               string // one "Name: value"
		status               int
		code, msg, allow     string // code "" means the body is passed as it is
	}{
		{"ok", "GET", "/v1/links", "", 200, "", "", ""},
		{"mux 404 in text", "GET", "/elsewhere", "", 404, CodeNotFound, "page not found", ""},
		{"mux 405 in text", "POST", "/text-error", "", 405, CodeMethodNotAllowed, "Method Not Allowed", "GET, HEAD"},
		{"handler error in text", "GET", "/text-error", "", 502, "bad_gateway", "it broke", ""},
		{"JSON error kept", "GET", "/json-error", "", 409, "", "", ""},
		{"HTML error page kept", "GET", "/html-error", "", 401, "", "", ""},
		{"panic", "GET", "/panic", "", 500, CodeInternal, "server log", ""},
		{"unserved method on a known path", "FOO", "/v1/links", "", 405, CodeMethodNotAllowed, "FOO is not allowed on /v1/links", "GET, HEAD, POST"},
		{"unserved method on an unknown path", "FOO", "/v1/nothing", "", 404, "", "", ""},
		{"headers over the limit", "GET", "/v1/links", "X-Big: " + strings.Repeat("b", 1024), 431, CodeHeadersTooLarge, "over the limit of 1024", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if name, value, ok := strings.Cut(tc.header, ": "); ok {
				r.Header.Set(name, value)
			}
			rec := serveOne(t, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if tc.code == "" {
				if tc.status >= 400 && !passesThrough(rec.Header().Get("Content-Type")) {
					t.Errorf("error passed as %q: %s", rec.Header().Get("Content-Type"), rec.Body)
				}
				if tc.name == "HTML error page kept" && !strings.Contains(rec.Body.String(), `id="signin-error"`) {
					t.Errorf("HTML error page rewritten: %s", rec.Body)
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			checkBody(t, rec.Body.Bytes(), tc.code, tc.msg)
		})
	}
	t.Run("413 closes", func(t *testing.T) {
		if rec := serveOne(t, httptest.NewRequest("GET", "/too-large", nil)); rec.Header().Get("Connection") != "close" {
			t.Errorf("413 without Connection: close: %v", rec.Header())
		}
	})
	t.Run("panic after the header aborts", func(t *testing.T) {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		serveOne(t, httptest.NewRequest("GET", "/panic-late", nil))
	})
}

// FuzzHeadBytes: the header-limit wrapper counts a request's line and
// fields as they are on the wire, never more, and exactly but for the
// optional space after each colon when values carry no white space around
// them; it answers 431 exactly over its limit.
func FuzzHeadBytes(f *testing.F) {
	f.Add("GET", "/v1/links?q=1", "X-A", "b")
	f.Add("POST", "/", "Content-Type", " application/json ")
	f.Fuzz(func(t *testing.T, method, target, name, value string) {
		wire := method + " " + target + " HTTP/1.1\r\nHost: api.test\r\n" + name + ": " + value + "\r\n\r\n"
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
		if err != nil {
			return
		}
		got := headBytes(r)
		if got > len(wire) {
			t.Fatalf("headBytes %d > %d bytes on the wire %q", got, len(wire), wire)
		}
		if strings.TrimSpace(value) == value && strings.Trim(value, "\t") == value && len(r.Header) == 1 && r.Header.Get(name) == value && got != len(wire)-2 {
			t.Fatalf("headBytes %d, want %d for %q", got, len(wire)-2, wire)
		}
		h := &jsonHandler{next: http.NotFoundHandler(), cfg: Config{MaxHeaderBytes: len(wire) - 1, Logger: discardLogger}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if (rec.Code == 431) != (got > len(wire)-1) {
			t.Fatalf("status %d for %d bytes over a limit of %d", rec.Code, got, len(wire)-1)
		}
	})
}

// FuzzRoutes: any path gets an Allow that is "" or a list of the
// methods it Serves.
func FuzzRoutes(f *testing.F) {
	f.Add("/v1/links/external/x")
	f.Add("/v1/files/")
	f.Fuzz(func(t *testing.T, path string) {
		allow := testRoutes.Allow(path)
		if allow == "" {
			return
		}
		for m := range strings.SplitSeq(allow, ", ") {
			if !testRoutes.Serves(path, m) {
				t.Fatalf("Allow(%q) = %q lists %s, which Serves denies", path, allow, m)
			}
		}
	})
}

// Template is the route label of metrics: the most literal template a
// path matches, never the path itself.
func TestTemplate(t *testing.T) {
	for path, want := range map[string]string{
		"/v1/links":            "/v1/links",
		"/v1/links/lnk_1":      "/v1/links/{id}",
		"/v1/links/external":   "/v1/links/{id}",
		"/v1/links/external/x": "/v1/links/external/{external_id}",
		"/v1/files/a/b/c":      "/v1/files/{rest...}",
		"/nothing":             "",
		"/v1/links/a/b":        "",
	} {
		if got := testRoutes.Template(path); got != want {
			t.Errorf("Template(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestTemplatePrefersLiterals(t *testing.T) {
	rs, err := RoutesFromOpenAPI([]byte(`{"paths":{"/v1/links/{id}":{"get":{}},"/v1/links/bulk":{"post":{}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.Template("/v1/links/bulk"); got != "/v1/links/bulk" {
		t.Errorf("Template(/v1/links/bulk) = %q, want the literal template", got)
	}
}
