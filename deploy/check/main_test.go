package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/deploy/check/internal/composecheck"
	"github.com/clicktrail/clicktrail/deploy/check/internal/dockerfile"
	"github.com/clicktrail/clicktrail/deploy/check/internal/flagsref"
	"github.com/clicktrail/clicktrail/deploy/check/internal/k8scheck"
	"github.com/clicktrail/clicktrail/deploy/check/internal/unitcheck"
)

// static runs every check but the rehearsal on the given files, as main
// does, and returns the failures as one text.
func static(t *testing.T, composeFile, k8sDir, unitDir, dockerFile string) string {
	t.Helper()
	fl, err := flagsref.Load("../../cmd/clicktrail/testdata/flags.golden")
	if err != nil {
		t.Fatal(err)
	}
	img, errs := dockerfile.Lint(dockerFile)
	env := map[string]string{"CLICKTRAIL_API_KEYS": "deploycheck-test-key-0123456789", "CLICKTRAIL_HASH_SECRET": strings.Repeat("s", 32)}
	p, err := composecheck.Load(context.Background(), composeFile, env)
	if err != nil {
		errs = append(errs, err)
	} else {
		st, e := composecheck.Stack(p, composeFile)
		errs = append(append(append(errs, e...), composecheck.Check(p, img, composeFile)...), st.Check(fl)...)
	}
	objs, e := k8scheck.Load(k8sDir)
	errs = append(errs, e...)
	if objs != nil {
		errs = append(errs, k8scheck.Check(objs, img, fl, k8sDir)...)
	}
	if unitDir != "" {
		us, err := unitcheck.Load(unitDir)
		if err != nil {
			errs = append(errs, err)
		} else {
			st, e := unitcheck.Stack(us, unitDir, func(p string) string {
				return filepath.Join(unitDir, strings.TrimPrefix(p, unitcheck.EnvDir))
			})
			errs = append(append(append(errs, e...), unitcheck.Check(us)...), st.Check(fl)...)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err.Error()
	}
	return ""
}

func TestManifestsPass(t *testing.T) {
	if got := static(t, "../compose/compose.yaml", "../k8s", "../systemd", "../../Dockerfile"); got != "" {
		t.Fatalf("the manifests fail the check:\n%s", got)
	}
}

// TestUnfixedFaultsFound runs the check on the manifests as they were
// before issue 15 and requires each fault found by hand to be reported.
func TestUnfixedFaultsFound(t *testing.T) {
	got := static(t, "testdata/unfixed/compose.yaml", "testdata/unfixed/k8s", "", "testdata/unfixed/Dockerfile")
	for _, want := range []string{
		`redirect: CLICKTRAIL_DEFAULT_DOMAIN="localhost:8080" is not a host name`,
		`kafka: the broker keeps its log in /tmp/kraft-combined-logs`,
		`migrate: depends on clickhouse with condition service_started`,
		`clickhouse: has no healthcheck`,
		`sink-clickhouse: depends on migrate with condition service_started`,
		"compose.yaml: no service runs `clicktrail sink webhook`",
		"k8s: no service runs `clicktrail sink webhook`",
		`Service clicktrail-redirect port api: routes to the link API on 3 replicas`,
		`the GeoIP database /geoip/GeoLite2-City.mmdb is on volume geoip from a ConfigMap/Secret`,
		`StatefulSet clicktrail-redirect: a non-root container writes a volume, but the pod sets no securityContext.fsGroup`,
		`redirect: volume redirect is mounted at /data, which the image does not give its user`,
		`pod securityContext.runAsNonRoot is not true`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("fault not reported: %s", want)
		}
	}
	if t.Failed() {
		t.Logf("reported:\n%s", got)
	}
}

func TestStrictDecoding(t *testing.T) {
	dir := t.TempDir()
	doc := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n"
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs := k8scheck.Load(dir)
	if err := errors.Join(errs...); err == nil || !strings.Contains(err.Error(), `unknown field "replica"`) {
		t.Fatalf("want an unknown-field error, got %v", err)
	}
}

func TestUnitHardeningAndSharedVariables(t *testing.T) {
	dir := t.TempDir()
	unit := "[Service]\nEnvironmentFile=/etc/clicktrail/x.env\nExecStart=/usr/local/bin/clicktrail enrich\n"
	if err := os.WriteFile(filepath.Join(dir, "clicktrail-enrich.service"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.env"), []byte("CLICKTRAIL_CLICKHOUSE_DSN=clickhouse://h:9000/db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := static(t, "../compose/compose.yaml", "../k8s", dir, "../../Dockerfile")
	for _, want := range []string{
		"NoNewPrivileges=yes missing", "ProtectSystem=strict missing", "neither DynamicUser=yes nor a User=",
		"a long-running service without Restart=", "CLICKTRAIL_CLICKHOUSE_DSN is shared with services none of which reads it",
		"no service runs `clicktrail sink webhook`",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("not reported: %s\n%s", want, got)
		}
	}
}
