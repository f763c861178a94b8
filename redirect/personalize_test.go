package redirect

import (
	"net/http"
	"net/http/httptest"
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
			got, fe := fillDestination(tc.raw, tc.values, map[string]bool{})
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
			fe := validateValues(tc.values)
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
		if validateValues(map[string]string{"c": v}) != nil {
			return
		}
		before, err := url.Parse(strings.ReplaceAll(raw, "{{c}}", "v"))
		if err != nil {
			return
		}
		got, fe := fillDestination(raw, map[string]string{"c": v}, map[string]bool{})
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

func TestTemplatesAndPersonalization(t *testing.T) {
	f := newTenancyFixture(t)
	k := testKey
	f.wantErr(t, k, "PUT", "/v1/templates/Bad%20Name", `{}`, http.StatusBadRequest, CodeInvalidField, "name")
	f.wantErr(t, k, "PUT", "/v1/templates/email", `{"utm":{"medium":"email"},"force":["medium","colour"]}`, http.StatusBadRequest, CodeInvalidField, "force[0]")
	f.wantErr(t, k, "PUT", "/v1/templates/email", `{"utm":{"campaign":"{{Camp}}"}}`, http.StatusBadRequest, CodeInvalidField, "utm.campaign")
	f.must(t, k, "PUT", "/v1/templates/default", `{"utm":{"medium":"email","source":"crm"},"force":["medium"]}`, http.StatusOK, nil)
	f.must(t, k, "PUT", "/v1/templates/spring", `{"utm":{"medium":"sms","campaign":"{{campaign}}"},"force":["medium","campaign"]}`, http.StatusOK, nil)

	// The default template: medium forced, source only a default.
	var l linkResponse
	f.must(t, k, "POST", "/v1/links", `{"destination_url":"https://shop.example/","utm":{"medium":"social","source":"newsletter"}}`, http.StatusCreated, &l)
	if l.UTM.Medium != "email" || l.UTM.Source != "newsletter" {
		t.Fatalf("default template: utm %+v", l.UTM)
	}
	// A named template with a placeholder, and a personalized destination.
	f.must(t, k, "POST", "/v1/links", `{"destination_url":"https://shop.example/offer?cid={{contact_id}}","template":"spring",
		"values":{"contact_id":"hs_77","campaign":"spring-26"},"utm":{"campaign":"ignored"}}`, http.StatusCreated, &l)
	if l.UTM.Medium != "sms" || l.UTM.Campaign != "spring-26" || l.UTM.Source != "" {
		t.Fatalf("spring template: utm %+v", l.UTM)
	}
	if l.DestinationURL != "https://shop.example/offer?cid=hs_77" || l.Metadata["contact_id"] != "hs_77" {
		t.Fatalf("personalized link: %q, metadata %v", l.DestinationURL, l.Metadata)
	}
	loc := f.redirectLocation(t, l.Path)
	if !strings.Contains(loc, "cid=hs_77") || !strings.Contains(loc, "utm_campaign=spring-26") || !strings.Contains(loc, "utm_medium=sms") {
		t.Fatalf("redirect to %q", loc)
	}

	for _, tc := range []struct{ name, body, field string }{
		{"missing value", `{"destination_url":"https://shop.example/?cid={{contact_id}}"}`, "values.contact_id"},
		{"template value missing", `{"destination_url":"https://shop.example/","template":"spring"}`, "values.campaign"},
		{"unused value", `{"destination_url":"https://shop.example/","values":{"colour":"red"}}`, "values.colour"},
		{"email", `{"destination_url":"https://shop.example/?e={{contact_id}}","values":{"contact_id":"ann@example.com"}}`, "values.contact_id"},
		{"host placeholder", `{"destination_url":"https://{{contact_id}}.example/","values":{"contact_id":"x"}}`, "destination_url"},
		{"unknown template", `{"destination_url":"https://shop.example/","template":"winter"}`, "template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.wantErr(t, k, "POST", "/v1/links", tc.body, http.StatusBadRequest, CodeInvalidField, tc.field)
		})
	}
	// An injected value stays inside its query parameter.
	f.must(t, k, "POST", "/v1/links", `{"destination_url":"https://shop.example/?cid={{contact_id}}","values":{"contact_id":"x&utm_source=evil"}}`, http.StatusCreated, &l)
	if l.DestinationURL != "https://shop.example/?cid=x%26utm_source%3Devil" {
		t.Fatalf("injected destination %q", l.DestinationURL)
	}

	// Templates are per workspace.
	wsB := f.newWorkspace(t, "B")
	kb := f.newKey(t, testKey, wsB, ScopeLinksRead, ScopeLinksWrite).Key
	f.wantErr(t, kb, "GET", "/v1/templates/spring", "", http.StatusNotFound, CodeNotFound, "")
	f.must(t, kb, "POST", "/v1/links", `{"destination_url":"https://shop.example/"}`, http.StatusCreated, &l)
	if l.UTM.Medium != "" {
		t.Fatalf("A's default template applied in B: %+v", l.UTM)
	}
	var list listTemplatesResponse
	f.must(t, k, "GET", "/v1/templates", "", http.StatusOK, &list)
	if len(list.Templates) != 2 {
		t.Fatalf("templates: %+v", list.Templates)
	}
	f.must(t, k, "DELETE", "/v1/templates/default", "", http.StatusOK, nil)
	f.must(t, k, "POST", "/v1/links", `{"destination_url":"https://shop.example/"}`, http.StatusCreated, &l)
	if l.UTM.Medium != "" {
		t.Fatalf("deleted default template still applies: %+v", l.UTM)
	}
}

// redirectLocation is the Location the redirector answers for path.
func (f *tenancyFixture) redirectLocation(t *testing.T, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "/"+path, nil)
	req.Host = testDomain
	rec := httptest.NewRecorder()
	f.rd.ServeHTTP(rec, req)
	if rec.Code/100 != 3 {
		t.Fatalf("redirect %s: %d", path, rec.Code)
	}
	return rec.Header().Get("Location")
}
