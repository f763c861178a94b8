package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPIEndpointBody: any create or patch body is answered with a JSON
// 2xx or 4xx, never a panic or a 500, and a created endpoint is valid.
func FuzzAPIEndpointBody(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://hooks.example.com/","events":["click.created"]}`,
		`{"url":"https://hooks.example.com/","events":["click.created"],"filters":{"tags":["a"],"exclude_bots":true}}`,
		`{"url":"http://[::1","events":[]}`, `{"enabled":false}`, `{"events":null}`, `[]`, `{"url":1}`, ``, `{"filters":{"tags":[""]}}`,
		`{"url":"https://hooks.example.com/","events":["alert.spike","click.digest"],"alerts":{"spike":{"factor":2,"window":"10m","baseline_windows":3,"min_clicks":5},"digest":{"every":"1h"}}}`,
		`{"url":"https://hooks.example.com/","events":["alert.threshold"],"alerts":{"threshold":{"clicks":-1,"window":5}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fx := newAPIFixture(t, nil)
		for _, req := range []*http.Request{
			httptest.NewRequest("POST", PathEndpoints, strings.NewReader(body)),
		} {
			rec := httptest.NewRecorder()
			fx.h.ServeHTTP(rec, req)
			if rec.Code >= 500 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Fatalf("%s %q = %d %s", req.Method, body, rec.Code, rec.Body)
			}
		}
		for _, e := range fx.reg.List("") {
			if err := e.spec().Validate(); err != nil {
				t.Fatalf("stored an invalid endpoint from %q: %v", body, err)
			}
			rec := httptest.NewRecorder()
			fx.h.ServeHTTP(rec, httptest.NewRequest("PATCH", PathEndpoints+"/"+e.ID, strings.NewReader(body)))
			if rec.Code >= 500 {
				t.Fatalf("PATCH %q = %d %s", body, rec.Code, rec.Body)
			}
		}
	})
}
