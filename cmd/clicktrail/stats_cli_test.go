package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testenv"
)

const linkStatsJSON = `{"link_id":"lnk_1","from":"2026-03-01T00:00:00+01:00","to":"2026-03-03T00:00:00+01:00","interval":"day","tz":"Europe/Berlin","bots":"exclude",
"totals":{"clicks":1234567,"visitors":4321,"conversions":12,"revenue":[{"currency":"EUR","amount":123456},{"currency":"JPY","amount":5000}]},
"series":[{"start":"2026-03-01T00:00:00+01:00","clicks":1234000,"visitors":4000,"conversions":10,"revenue":[{"currency":"EUR","amount":123456}]},
{"start":"2026-03-02T00:00:00+01:00","clicks":567,"visitors":321,"conversions":2,"revenue":[{"currency":"JPY","amount":5000}]}],
"group_by":"os","groups":[{"key":"iOS","clicks":1000000,"visitors":4000},{"key":"","clicks":234567,"visitors":321}]}`

const workspaceStatsJSON = `{"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","interval":"day","tz":"UTC","bots":"include",
"totals":{"clicks":2500,"visitors":20,"conversions":1,"revenue":[{"currency":"USD","amount":999}]},
"series":[{"start":"2026-03-01T00:00:00Z","clicks":2500,"visitors":20,"conversions":1,"revenue":[{"currency":"USD","amount":999}]}],
"links":[{"key":"lnk_1","clicks":2000,"visitors":15,"conversions":1,"revenue":[{"currency":"USD","amount":999}]},{"key":"lnk_2","clicks":500,"visitors":5,"conversions":0,"revenue":[]}],
"campaigns":[{"key":"spring, \"big\"","clicks":2500,"visitors":20,"conversions":1,"revenue":[{"currency":"USD","amount":999}]}],
"countries":[],"devices":[],"referrers":[]}`

// statsServer answers the stats routes with canned bodies, a 400 naming tz
// for tz=Mars/Base, and records the last query.
func statsServer(t *testing.T, last *url.URL) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*last = *r.URL
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("Authorization") != "Bearer k1":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"bad key"}}`))
		case r.URL.Query().Get("tz") == "Mars/Base":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"invalid_field","field":"tz","message":"\"Mars/Base\" is not an IANA time zone"}}`))
		case r.URL.Query().Get("group_by") == "planet":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"invalid_field","field":"group_by","message":"want one of country, ..."}}`))
		case r.URL.Path == "/v1/links/lnk_1/stats":
			_, _ = w.Write([]byte(linkStatsJSON))
		case r.URL.Path == "/v1/links/lnk_x/stats":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such link"}}`))
		case r.URL.Path == "/v1/stats":
			_, _ = w.Write([]byte(workspaceStatsJSON))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func runStats(t *testing.T, apiURL string, args ...string) (string, error) {
	t.Helper()
	var out testenv.Buffer
	app := newApp()
	app.Writer = &out
	err := app.Run(append([]string{"clicktrail", "stats", "--api-url", apiURL, "--api-key", "k1"}, args...))
	return out.String(), err
}

func TestStatsFormats(t *testing.T) {
	var last url.URL
	api := statsServer(t, &last)
	tests := []struct {
		name      string
		args      []string
		wantQuery string
		want      string
	}{
		{
			name:      "link table",
			args:      []string{"--link", "lnk_1", "--from", "2026-03-01", "--to", "2026-03-03", "--interval", "day", "--tz", "Europe/Berlin", "--group-by", "os", "--bots", "exclude"},
			wantQuery: "bots=exclude&from=2026-03-01&group_by=os&interval=day&to=2026-03-03&tz=Europe%2FBerlin",
			want: `2026-03-01T00:00:00+01:00 to 2026-03-03T00:00:00+01:00 (day, Europe/Berlin, bots exclude)

total
link      clicks  visitors  conversions                  revenue
lnk_1  1,234,567     4,321           12  EUR 1,234.56; JPY 5,000

series
day            clicks  visitors  conversions       revenue
2026-03-01  1,234,000     4,000           10  EUR 1,234.56
2026-03-02        567       321            2     JPY 5,000

group
os      clicks  visitors  conversions  revenue
iOS  1,000,000     4,000
-      234,567       321
`,
		},
		{
			name: "link csv",
			args: []string{"--link", "lnk_1", "--format", "csv"},
			want: `section,key,clicks,visitors,conversions,revenue
total,lnk_1,1234567,4321,12,EUR 1234.56; JPY 5000
series,2026-03-01,1234000,4000,10,EUR 1234.56
series,2026-03-02,567,321,2,JPY 5000
group,iOS,1000000,4000,,
group,,234567,321,,
`,
		},
		{
			name: "link json as sent", args: []string{"--link", "lnk_1", "--format", "json"},
			want: linkStatsJSON + "\n",
		},
		{
			name: "workspace csv", args: []string{"--format", "csv", "--limit", "2", "--bots", "include"},
			wantQuery: "bots=include&limit=2",
			want: `section,key,clicks,visitors,conversions,revenue
total,,2500,20,1,USD 9.99
series,2026-03-01,2500,20,1,USD 9.99
links,lnk_1,2000,15,1,USD 9.99
links,lnk_2,500,5,0,
campaigns,"spring, ""big""",2500,20,1,USD 9.99
`,
		},
		{
			name: "workspace table",
			want: `2026-03-01T00:00:00Z to 2026-03-02T00:00:00Z (day, UTC, bots include)

total
workspace  clicks  visitors  conversions   revenue
-           2,500        20            1  USD 9.99

series
day         clicks  visitors  conversions   revenue
2026-03-01   2,500        20            1  USD 9.99

links
link   clicks  visitors  conversions   revenue
lnk_1   2,000        15            1  USD 9.99
lnk_2     500         5            0

campaigns
utm_campaign   clicks  visitors  conversions   revenue
spring, "big"   2,500        20            1  USD 9.99

countries
country  clicks  visitors  conversions  revenue

devices
device  clicks  visitors  conversions  revenue

referrers
referrer  clicks  visitors  conversions  revenue
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runStats(t, api, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.wantQuery != "" && last.RawQuery != tt.wantQuery {
				t.Errorf("query %q, want %q", last.RawQuery, tt.wantQuery)
			}
		})
	}
}

func TestStatsErrors(t *testing.T) {
	var last url.URL
	api := statsServer(t, &last)
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"bad zone names --tz", []string{"--link", "lnk_1", "--tz", "Mars/Base"}, "--tz: \"Mars/Base\" is not an IANA time zone"},
		{"bad group names --group-by", []string{"--link", "lnk_1", "--group-by", "planet"}, "--group-by: want one of"},
		{"another workspace's link", []string{"--link", "lnk_x"}, "404"},
		{"bad format", []string{"--format", "xml"}, "--format: want table, csv or json"},
		{"group without link", []string{"--group-by", "os"}, "--group-by needs --link"},
		{"limit with link", []string{"--link", "lnk_1", "--limit", "3"}, "--limit is for the workspace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runStats(t, api, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("printed %q on error", out)
			}
		})
	}
}
