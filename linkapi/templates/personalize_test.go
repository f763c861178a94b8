package templates

import (
	"net/url"
	"strings"
	"testing"
)

func TestFillDestination(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		values    map[string]string
		want      string
		field     string // of the error; "" for none
	}{
		{"query", "https://shop.example/p?cid={{contact_id}}", map[string]string{"contact_id": "c_42"}, "https://shop.example/p?cid=c_42", ""},
		{"path", "https://shop.example/u/{{contact_id}}/offer", map[string]string{"contact_id": "c 42"}, "https://shop.example/u/c%2042/offer", ""},
		{"query injection", "https://shop.example/p?cid={{c}}", map[string]string{"c": "x&utm_source=evil#top"}, "https://shop.example/p?cid=x%26utm_source%3Devil%23top", ""},
		{"path traversal", "https://shop.example/u/{{c}}", map[string]string{"c": "../admin?x=1"}, "https://shop.example/u/..%2Fadmin%3Fx=1", ""},
		{"fragment", "https://shop.example/p#{{c}}", map[string]string{"c": "a/b c"}, "https://shop.example/p#a%2Fb%20c", ""},
		{"two", "https://shop.example/{{a}}?b={{b}}", map[string]string{"a": "x", "b": "y"}, "https://shop.example/x?b=y", ""},
		{"no placeholders", "https://shop.example/p", nil, "https://shop.example/p", ""},
		{"host", "https://{{c}}.example/p", map[string]string{"c": "evil"}, "", "destination_url"},
		{"host after user", "https://shop.example{{c}}/p", map[string]string{"c": ".evil.com"}, "", "destination_url"},
		{"scheme", "{{c}}://shop.example/p", map[string]string{"c": "javascript"}, "", "destination_url"},
		{"missing value", "https://shop.example/p?cid={{contact_id}}", nil, "", "values.contact_id"},
		{"bad name", "https://shop.example/p?cid={{Contact-ID}}", map[string]string{}, "", "destination_url"},
		{"unclosed", "https://shop.example/p?cid={{contact_id", map[string]string{"contact_id": "x"}, "", "destination_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fe := FillDestination(tc.raw, tc.values, map[string]bool{})
			if tc.field != "" {
				if fe == nil || fe.Field != tc.field {
					t.Fatalf("got %q, %v; want an error on %s", got, fe, tc.field)
				}
				return
			}
			if fe != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, fe, tc.want)
			}
		})
	}
}

func TestValidateValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]string
		field  string
	}{
		{"ok", map[string]string{"contact_id": "hs_123", "campaign": "spring sale"}, ""},
		{"email", map[string]string{"contact_id": "ann@example.com"}, "values.contact_id"},
		{"control", map[string]string{"c": "a\nb"}, "values.c"},
		{"empty", map[string]string{"c": ""}, "values.c"},
		{"long", map[string]string{"c": strings.Repeat("a", MaxValueLen+1)}, "values.c"},
		{"bad name", map[string]string{"C!": "x"}, "values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := ValidateValues(tc.values)
			if (fe == nil) != (tc.field == "") || (fe != nil && fe.Field != tc.field) {
				t.Fatalf("got %v, want field %q", fe, tc.field)
			}
		})
	}
}

// FuzzFillDestination checks that a value can never change where a
// personalized link goes, nor add query parameters.
func FuzzFillDestination(f *testing.F) {
	f.Add("https://shop.example/u/{{c}}?x={{c}}#{{c}}", "x&y=1#z")
	f.Add("https://shop.example/{{c}}", "../../etc/passwd")
	f.Add("https://shop.example?{{c}}", "@evil.com")
	f.Add("https://{{c}}/", "evil.com")
	f.Fuzz(func(t *testing.T, raw, v string) {
		if ValidateValues(map[string]string{"c": v}) != nil {
			return
		}
		before, err := url.Parse(strings.ReplaceAll(raw, "{{c}}", "v"))
		if err != nil {
			return
		}
		got, fe := FillDestination(raw, map[string]string{"c": v}, map[string]bool{})
		if fe != nil {
			return
		}
		after, err := url.Parse(got)
		if err != nil {
			return // Link.Validate refuses it later
		}
		if after.Scheme != before.Scheme || after.Host != before.Host || after.User.String() != before.User.String() {
			t.Fatalf("value %q moved %q to %q", v, raw, got)
		}
		if len(after.Query()) != len(before.Query()) {
			t.Fatalf("value %q changed the query keys of %q: %q", v, raw, got)
		}
	})
}
