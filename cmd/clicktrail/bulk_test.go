package main

import (
	"strings"
	"testing"
)

func TestCSVItems(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      []string
		err       string
	}{
		{"full", "destination_url,path,tags,utm_source,metadata.contact_id,idempotency_key\n" +
			"https://a.example/x,spring,a|b,mail,c_1,k1\nhttps://a.example/y,,,,,\n",
			[]string{`{"destination_url":"https://a.example/x","idempotency_key":"k1","metadata":{"contact_id":"c_1"},"path":"spring","tags":["a","b"],"utm":{"source":"mail"}}`,
				`{"destination_url":"https://a.example/y"}`}, ""},
		{"unknown column", "destination_url,colour\nhttps://a.example/,red\n", nil, `"colour": unknown`},
		{"bad utm column", "destination_url,utm_ium\nhttps://a.example/,x\n", nil, `"utm_ium": unknown`},
		{"no destination column", "path\nx\n", nil, "no destination_url column"},
		{"empty destination", "destination_url,path\n,x\n", nil, "row 2: destination_url is empty"},
		{"empty", "", nil, "empty CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := csvItems(strings.NewReader(tc.csv))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(items) != len(tc.want) {
				t.Fatalf("= %s, %v", items, err)
			}
			for i := range items {
				if string(items[i]) != tc.want[i] {
					t.Errorf("item %d = %s, want %s", i, items[i], tc.want[i])
				}
			}
		})
	}
}

func TestJSONLItems(t *testing.T) {
	items, err := jsonlItems(strings.NewReader("{\"destination_url\":\"https://a.example/\"}\n\n  {\"path\":\"p\"}  \n"))
	if err != nil || len(items) != 2 || string(items[1]) != `{"path":"p"}` {
		t.Fatalf("= %s, %v", items, err)
	}
	if _, err := jsonlItems(strings.NewReader("{}\n[1]\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
}
