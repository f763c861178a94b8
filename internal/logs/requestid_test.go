package logs

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestIDs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(WithRequestIDs(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h := RequestIDs(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.ErrorContext(r.Context(), "inside the handler")
		w.WriteHeader(http.StatusInternalServerError)
	}), log)
	for _, tc := range []struct {
		name, given string
		kept        bool
	}{
		{"a client's id is kept", "req-42.a:b_c", true},
		{"a bad id is replaced", "has space\"", false},
		{"an overlong id is replaced", strings.Repeat("x", 65), false},
		{"none is made", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest("GET", "/v1/links", nil)
			if tc.given != "" {
				req.Header.Set(RequestIDHeader, tc.given)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			id := rec.Header().Get(RequestIDHeader)
			if id == "" || (id == tc.given) != tc.kept {
				t.Fatalf("X-Request-Id %q for %q (kept: want %v)", id, tc.given, tc.kept)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 2 { // the handler's and the 500's warning
				t.Fatalf("want 2 log lines, got %q", lines)
			}
			for _, l := range lines {
				if !strings.Contains(l, `"request_id":"`+id+`"`) {
					t.Errorf("log line without the request id %s: %s", id, l)
				}
			}
		})
	}
}
