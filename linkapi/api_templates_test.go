package linkapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

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
	kb := f.newKey(t, testKey, wsB, tenancy.ScopeLinksRead, tenancy.ScopeLinksWrite).Key
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
