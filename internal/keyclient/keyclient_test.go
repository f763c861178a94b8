package keyclient

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeLinkAPI answers /v1/keys/self: "good" is a key of workspace ws_1
// with the read scope, "broken" makes it fail, anything else is unknown.
// It counts the questions.
func fakeLinkAPI(t *testing.T, asked *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		switch r.Header.Get("Authorization") {
		case "Bearer good":
			fmt.Fprint(w, `{"key_id":"key_1","workspace_id":"ws_1","scopes":["r"]}`)
		case "Bearer broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGuard(t *testing.T) {
	var asked atomic.Int32
	now := time.Unix(1_800_000_000, 0)
	k, err := New(Config{LinkAPIURL: fakeLinkAPI(t, &asked).URL, ReadScope: "r", WriteScope: "w", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h := k.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := Workspace(r)
		if err != nil {
			t.Error(err)
		}
		fmt.Fprint(w, ws)
	}))
	do := func(method, key string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, "/x", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	for _, tc := range []struct {
		name, method, key string
		code              int
		body              string
	}{
		{"read with the read scope", "GET", "good", http.StatusOK, "ws_1"},
		{"write without the write scope", "POST", "good", http.StatusForbidden, "missing_scope"},
		{"no key", "GET", "", http.StatusUnauthorized, "unauthorized"},
		{"unknown key", "GET", "nope", http.StatusUnauthorized, "unauthorized"},
		{"link API failing", "GET", "broken", http.StatusServiceUnavailable, "auth_unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := do(tc.method, tc.key); code != tc.code || !strings.Contains(body, tc.body) {
				t.Fatalf("%s %s: %d %s, want %d with %q", tc.method, tc.key, code, body, tc.code, tc.body)
			}
		})
	}

	// "good" was asked once and then cached until the TTL passes; unknown
	// keys are asked every time.
	asked.Store(0)
	do("GET", "good")
	do("GET", "nope")
	do("GET", "nope")
	if n := asked.Load(); n != 2 {
		t.Fatalf("asked the link API %d times, want 2 (a cached key, an unknown one twice)", n)
	}
	now = now.Add(DefaultTTL + time.Second)
	do("GET", "good")
	if n := asked.Load(); n != 3 {
		t.Fatalf("asked the link API %d times, want 3 once the cache entry expired", n)
	}
}

func TestWorkspaceOfAnUnguardedRequest(t *testing.T) {
	if _, err := Workspace(httptest.NewRequest("GET", "/", nil)); err == nil {
		t.Fatal("a request the guard did not let in has a workspace")
	}
}

func TestConfigValidateNamesEveryKey(t *testing.T) {
	err := Config{LinkAPIURL: "ftp://x", TTL: -1}.Validate()
	for _, key := range []string{"link-api-url", "read_scope", "write_scope", "ttl"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate() = %v, want it to name %s", err, key)
		}
	}
	if err := (Config{LinkAPIURL: "https://api.example.com", ReadScope: "r", WriteScope: "w"}).Validate(); err != nil {
		t.Errorf("a good config: %v", err)
	}
}
