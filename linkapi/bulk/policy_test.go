package bulk

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/linkapitest"
)

func TestBulkPathTakenHidesOtherWorkspacesLink(t *testing.T) {
	f := newBulkFixture(t, Config{})
	keyA := f.newKey("ws_aaaaaaaaaaaaaaaa", allLinkScopes...)
	keyB := f.newKey("ws_bbbbbbbbbbbbbbbb", allLinkScopes...)
	own := f.post(keyA, map[string]any{"items": []any{item("https://example.com/a", "held-by-a")}})
	f.wait(keyA, own.ID)
	ownItems := f.items(keyA, own.ID, "")
	f.wait(keyB, f.post(keyB, map[string]any{"items": []any{item("https://example.com/b", "held-by-b")}}).ID)

	j := f.post(keyA, map[string]any{"items": []any{item("https://example.com/x", "held-by-b"), item("https://example.com/x", "held-by-a")}})
	f.wait(keyA, j.ID)
	got := f.items(keyA, j.ID, ItemFailed)
	if len(got) != 2 || got[0].Error == nil || got[1].Error == nil {
		t.Fatalf("items: %+v, want two failures", got)
	}
	if got[0].Error.Code != linkapi.CodePathTaken || got[0].Error.ExistingID != "" {
		t.Errorf("another workspace's path: %+v, want path_taken without existing_id", got[0].Error)
	}
	if got[1].Error.Code != linkapi.CodePathTaken || len(ownItems) != 1 || got[1].Error.ExistingID != ownItems[0].LinkID {
		t.Errorf("own path: %+v, want path_taken naming %+v", got[1].Error, ownItems)
	}
}

func TestEmailGuardOnBulkItems(t *testing.T) {
	f := newBulkFixture(t, Config{})
	j := f.post("", map[string]any{"items": []any{
		item("https://example.com/u/{{c}}", "", "values", map[string]string{"c": "alice%40example.com"}),
		item("https://example.com/", "", "metadata", map[string]string{"contact_id": "alice＠example.com"}),
		item("https://example.com/", "", "metadata", map[string]string{"contact_id": "hs_42"}),
	}})
	f.wait("", j.ID)
	got := f.items("", j.ID, "")
	if len(got) != 3 || got[2].Status != ItemCreated {
		t.Fatalf("items: %+v, want the third created", got)
	}
	for i, field := range []string{"items[0].values.c", "items[1].metadata.contact_id"} {
		if got[i].Status != ItemFailed || got[i].Error == nil || got[i].Error.Field != field {
			t.Errorf("item %d: %+v, want failed on %s", i, got[i], field)
		}
	}
}

// TestBulkURLRuleRegressions: a bulk item takes the same rule as POST
// /v1/links (each probe URL in each field fails its item with the code
// and rule), and callback_url the rule for URLs the service calls: a
// refusal is 400 invalid_field naming the rule, a name must resolve, and
// the normalized URL is kept.
func TestBulkURLRuleRegressions(t *testing.T) {
	f := newBulkFixture(t, Config{})
	if code, b, _ := f.call("PATCH", "/v1/workspace", "", []byte(`{"destination_deny_hosts":["evil.com"]}`)); code != http.StatusOK {
		t.Fatalf("PATCH workspace: %d %s", code, b)
	}
	var items []json.RawMessage
	type want struct{ field, code, rule string }
	var wants []want
	for _, p := range linkapitest.ProbeURLs {
		for _, b := range linkapitest.ProbeBodies(p.URL) {
			items = append(items, json.RawMessage(b.Body))
			wants = append(wants, want{"items[" + strconv.Itoa(len(wants)) + "]." + b.Field, p.Code, p.Rule})
		}
	}
	job := f.post("", map[string]any{"items": items})
	if j := f.wait("", job.ID); j.Failed != len(items) {
		t.Fatalf("job = %+v, want every item failed", j)
	}
	for _, it := range f.items("", job.ID, "failed") {
		w := wants[it.Index]
		if it.Error == nil || it.Error.Field != w.field || it.Error.Code != w.code || it.Error.Rule != w.rule {
			t.Errorf("item %d: %+v, want %+v", it.Index, it.Error, w)
		}
	}

	for _, tc := range []struct{ name, url, rule string }{
		{"gopher", "gopher://127.0.0.1:6379/_INFO", linkapi.RuleScheme},
		{"ideographic full stops", "http://127。0。0。1/", linkapi.RulePrivateAddress},
		{"full-width localhost", "http://ｌｏｃａｌｈｏｓｔ/", linkapi.RulePrivateAddress},
		{"port 0", "https://example.org:0/", linkapi.RulePort},
		{"host over 253 bytes", "https://" + strings.Repeat("a.", 127) + "org/", linkapi.RuleHost},
		{"unresolvable", "https://nowhere.example/cb", linkapi.RuleUnresolvable},
	} {
		t.Run("callback "+tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"items": []any{map[string]any{}}, "callback_url": tc.url})
			code, out, _ := f.call("POST", "/v1/links/bulk", "", body)
			var eb ruleErrorBody
			_ = json.Unmarshal(out, &eb)
			if code != http.StatusBadRequest || eb.Error.Code != linkapi.CodeInvalidField || eb.Error.Field != "callback_url" || eb.Error.Rule != tc.rule {
				t.Fatalf("callback %q = %d %s; want 400 invalid_field rule %s", tc.url, code, out, tc.rule)
			}
		})
	}
	ok := f.post("", map[string]any{"items": []any{map[string]any{"destination_url": "https://example.org/"}}, "callback_url": "https://ＨＯＯＫＳ.example.org/cb"})
	if ok.CallbackURL != "https://hooks.example.org/cb" {
		t.Errorf("callback_url kept as %q, want https://hooks.example.org/cb", ok.CallbackURL)
	}
	f.wait("", ok.ID)
}
