package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testenv"
)

// cliIntegrations creates, lists, updates, gets and deletes a Pipedrive
// integration with `clicktrail integrations`; the token, given in a file,
// is never printed, and a bad mapping is refused naming its key.
func cliIntegrations(t *testing.T, apiURL, key string) {
	t.Helper()
	run := func(args ...string) (string, error) {
		var out testenv.Buffer
		app := newApp()
		app.Writer = &out
		err := app.Run(append([]string{"clicktrail", "integrations", args[0], "--api-url", apiURL, "--api-key", key}, args[1:]...))
		return out.String(), err
	}
	const token = "pd-cli-token-0123456789"
	creds := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(creds, []byte(`{"api_token":"`+token+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run("create", "--crm", "pipedrive", "--event", "click.created,conversion.attributed",
		"--setting", "base_url=https://93.184.216.34", "--setting", "person_field=abc_contact",
		"--credentials-file", creds, "--mapping", `{"click":{"note":"utm_campaign"}}`)
	if err != nil || strings.Contains(out, token) {
		t.Fatalf("integrations create: %v %s", err, out)
	}
	var in struct {
		ID             string
		CredentialKeys []string `json:"credential_keys"`
	}
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.ID == "" || len(in.CredentialKeys) != 1 {
		t.Fatalf("integrations create printed %s (%v)", out, err)
	}
	if out, err = run("update", "--disable", in.ID); err != nil || !strings.Contains(out, `"enabled":false`) {
		t.Fatalf("integrations update --disable: %v %s", err, out)
	}
	if out, err = run("list"); err != nil || !strings.Contains(out, in.ID) || strings.Contains(out, token) {
		t.Fatalf("integrations list: %v %s", err, out)
	}
	if _, err = run("update", "--mapping", `{"click":{"price":"amount"}}`, in.ID); err == nil || !strings.Contains(err.Error(), "mapping.click.price") {
		t.Fatalf("a bad mapping: %v", err)
	}
	if _, err = run("delete", in.ID); err != nil {
		t.Fatalf("integrations delete: %v", err)
	}
	if _, err = run("get", in.ID); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("integrations get after delete: %v", err)
	}
}
