package analytics

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type nopReader struct{}

func (nopReader) Clicks(context.Context, Query) ([]Count, error)      { return nil, nil }
func (nopReader) Conversions(context.Context, Query) ([]Count, error) { return nil, nil }

type oneLink struct{}

func (oneLink) WorkspaceOf(_ context.Context, id string) (string, error) {
	if id == "lnk_1" {
		return "ws_a", nil
	}
	return "", ErrNotFound
}

func testMux(t *testing.T) *http.ServeMux {
	t.Helper()
	mounts, err := Mounts(Config{Reader: nopReader{}, Links: oneLink{},
		Workspace: func(r *http.Request) (string, error) { return r.Header.Get("X-Workspace"), nil },
		Now:       func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range mounts {
		mux.Handle(p, h)
	}
	return mux
}

func TestBadParametersAreNamed(t *testing.T) {
	mux := testMux(t)
	tests := []struct{ name, target, field string }{
		{"unknown parameter", "/v1/links/lnk_1/stats?color=red", "color"},
		{"twice", "/v1/links/lnk_1/stats?tz=UTC&tz=UTC", "tz"},
		{"bad zone", "/v1/links/lnk_1/stats?tz=Mars/Base", "tz"},
		{"local zone", "/v1/links/lnk_1/stats?tz=Local", "tz"},
		{"bad interval", "/v1/links/lnk_1/stats?interval=minute", "interval"},
		{"bad bots", "/v1/links/lnk_1/stats?bots=some", "bots"},
		{"bad group_by", "/v1/links/lnk_1/stats?group_by=city", "group_by"},
		{"bad from", "/v1/links/lnk_1/stats?from=yesterday", "from"},
		{"bad to", "/v1/links/lnk_1/stats?to=2026-13-01", "to"},
		{"from after to", "/v1/links/lnk_1/stats?from=2026-03-05&to=2026-03-01", "from"},
		{"hours over 31 days", "/v1/links/lnk_1/stats?interval=hour&from=2026-01-01&to=2026-03-01", "interval"},
		{"range over 3 years", "/v1/links/lnk_1/stats?from=2020-01-01&to=2026-01-01", "from"},
		{"limit on a link", "/v1/links/lnk_1/stats?limit=5", "limit"},
		{"limit zero", "/v1/stats?limit=0", "limit"},
		{"limit too big", "/v1/stats?limit=101", "limit"},
		{"group_by on the workspace", "/v1/stats?group_by=country", "group_by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			req.Header.Set("X-Workspace", "ws_a")
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			var body struct {
				Error apiError `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 400 || body.Error.Field != tt.field || body.Error.Code != "invalid_field" {
				t.Errorf("status %d body %s, want 400 invalid_field naming %q", rec.Code, rec.Body, tt.field)
			}
		})
	}
}

func TestLinkOfAnotherWorkspaceIsNotFound(t *testing.T) {
	mux := testMux(t)
	for _, ws := range []string{"ws_b"} {
		req := httptest.NewRequest("GET", "/v1/links/lnk_1/stats", nil)
		req.Header.Set("X-Workspace", ws)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 404 {
			t.Errorf("%s: status %d, want 404", ws, rec.Code)
		}
	}
}

func TestSeriesFillsEveryBucket(t *testing.T) {
	mux := testMux(t)
	req := httptest.NewRequest("GET", "/v1/links/lnk_1/stats?from=2026-03-28&to=2026-03-31&tz=Europe/Berlin", nil)
	req.Header.Set("X-Workspace", "ws_a")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var got LinkStats
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	want := []string{"2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"}
	if len(got.Series) != len(want) {
		t.Fatalf("series %+v, want %v", got.Series, want)
	}
	for i, p := range got.Series {
		if p.Start.Format(time.RFC3339) != want[i] || p.Conversions == nil || *p.Conversions != 0 {
			t.Errorf("bucket %d: %+v, want %s with zeros", i, p, want[i])
		}
	}
}

func TestFloorAndCeil(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 3, 29, 12, 30, 0, 0, berlin) // a Sunday, the day of the change to summer time
	tests := []struct {
		iv          Interval
		floor, ceil string
	}{
		{Hour, "2026-03-29T12:00:00+02:00", "2026-03-29T13:00:00+02:00"},
		{Day, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
		{Week, "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
		{Month, "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"},
	}
	for _, tt := range tests {
		if f := floor(at, tt.iv, berlin).In(berlin).Format(time.RFC3339); f != tt.floor {
			t.Errorf("floor %s = %s, want %s", tt.iv, f, tt.floor)
		}
		if c := ceil(at, tt.iv, berlin).In(berlin).Format(time.RFC3339); c != tt.ceil {
			t.Errorf("ceil %s = %s, want %s", tt.iv, c, tt.ceil)
		}
	}
}
