package linkapi

import (
	"net/http"
	"testing"
)

// Every input the e-mail guard governs refuses an address however it is
// encoded (issue 11): personalization values in any position, the contact
// id of a create, an upsert and a patch, and bulk items.
func TestEmailGuardOnEveryInput(t *testing.T) {
	f := newTenancyFixture(t)
	var l linkResponse
	f.must(t, testKey, "POST", "/v1/links", `{"destination_url":"https://example.com/p","path":"guarded"}`, http.StatusCreated, &l)
	for _, email := range []string{"alice@example.com", "alice%40example.com", "alice＠example.com", "alice%2540example.com"} {
		t.Run(email, func(t *testing.T) {
			for _, tc := range []struct{ name, method, target, body, field string }{
				{"value in path", "POST", "/v1/links", `{"destination_url":"https://example.com/u/{{c}}","values":{"c":"` + email + `"}}`, "values.c"},
				{"value in query", "POST", "/v1/links", `{"destination_url":"https://example.com/?c={{c}}","values":{"c":"` + email + `"}}`, "values.c"},
				{"values.contact_id", "POST", "/v1/links", `{"destination_url":"https://example.com/","values":{"contact_id":"` + email + `"}}`, "values.contact_id"},
				{"metadata on create", "POST", "/v1/links", `{"destination_url":"https://example.com/","metadata":{"contact_id":"` + email + `"}}`, "metadata.contact_id"},
				{"metadata on upsert", "PUT", "/v1/links/external/crm-9", `{"destination_url":"https://example.com/","metadata":{"contact_id":"` + email + `"}}`, "metadata.contact_id"},
				{"metadata on patch", "PATCH", "/v1/links/" + l.ID, `{"metadata":{"contact_id":"` + email + `"}}`, "metadata.contact_id"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					f.wantErr(t, testKey, tc.method, tc.target, tc.body, http.StatusBadRequest, CodeInvalidField, tc.field)
				})
			}
		})
	}
}
