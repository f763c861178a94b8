// Command deploycheck proves the deployment manifests of clicktrail: it
// lints the Dockerfile, loads deploy/compose with compose-go, decodes
// deploy/k8s strictly into the Kubernetes API types, reads the systemd units
// of deploy/systemd, checks the invariants of each, and then rehearses the
// compose stack and the systemd units as local processes against the local
// Kafka and ClickHouse (package rehearse says how addresses are mapped).
// `make deploy-check` runs it; it exits 1 on any failure, listing them all.
//
// It is a module of its own so that compose-go and the Kubernetes types
// stay out of clicktrail's go.mod.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/deploy/check/internal/composecheck"
	"github.com/clicktrail/clicktrail/deploy/check/internal/dockerfile"
	"github.com/clicktrail/clicktrail/deploy/check/internal/flagsref"
	"github.com/clicktrail/clicktrail/deploy/check/internal/k8scheck"
	"github.com/clicktrail/clicktrail/deploy/check/internal/rehearse"
	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
	"github.com/clicktrail/clicktrail/deploy/check/internal/unitcheck"
)

func main() {
	root := flag.String("root", "../..", "the repository")
	composeFile := flag.String("compose", "", "compose file (default <root>/deploy/compose/compose.yaml)")
	k8sDir := flag.String("k8s", "", "Kubernetes manifests (default <root>/deploy/k8s)")
	unitDir := flag.String("systemd", "", "systemd units and their environment files (default <root>/deploy/systemd)")
	dockerFile := flag.String("dockerfile", "", "Dockerfile (default <root>/Dockerfile)")
	bin := flag.String("bin", "", "the clicktrail binary to rehearse with (default: built from <root>)")
	kafka := flag.String("kafka", envOr("CLICKTRAIL_TEST_KAFKA", "127.0.0.1:19092"), "local Kafka broker")
	ch := flag.String("clickhouse", chAddr(envOr("CLICKTRAIL_TEST_CLICKHOUSE", "clickhouse://127.0.0.1:19000/default")), "local ClickHouse, native protocol host:port")
	doRehearse := flag.Bool("rehearse", true, "run the stacks as local processes")
	flag.Parse()
	def := func(p *string, rel string) {
		if *p == "" {
			*p = filepath.Join(*root, rel)
		}
	}
	def(composeFile, "deploy/compose/compose.yaml")
	def(k8sDir, "deploy/k8s")
	def(unitDir, "deploy/systemd")
	def(dockerFile, "Dockerfile")

	c := &checker{}
	ctx := context.Background()
	fl, err := flagsref.Load(filepath.Join(*root, "cmd/clicktrail/testdata/flags.golden"))
	if err != nil {
		c.fail("flags", err)
		c.exit()
	}

	img, errs := dockerfile.Lint(*dockerFile)
	c.step("Dockerfile: static, non-root, entrypoint", errs...)

	secrets := map[string]string{"CLICKTRAIL_API_KEYS": "deploycheck-" + randHex(16), "CLICKTRAIL_HASH_SECRET": randHex(32)}
	var composeStack *stack.Stack
	if p, err := composecheck.Load(ctx, *composeFile, secrets); err != nil {
		c.step("compose: compose-go loads "+*composeFile, err)
	} else {
		c.step("compose: compose-go loads " + *composeFile)
		st, errs := composecheck.Stack(p, *composeFile)
		errs = append(errs, composecheck.Check(p, img, *composeFile)...)
		errs = append(errs, st.Check(fl)...)
		c.step("compose: services, order, volumes, variables", errs...)
		composeStack = &st
	}

	objs, errs := k8scheck.Load(*k8sDir)
	c.step("k8s: strict decoding into the API types", errs...)
	if objs != nil {
		c.step("k8s: non-root, single-replica API, probes, volumes, variables", k8scheck.Check(objs, img, fl, *k8sDir)...)
	}

	var unitStack *stack.Stack
	if us, err := unitcheck.Load(*unitDir); err != nil {
		c.step("systemd: units", err)
	} else {
		envFile := func(p string) string {
			if rel, ok := strings.CutPrefix(p, unitcheck.EnvDir); ok {
				return filepath.Join(*unitDir, rel)
			}
			return p
		}
		st, errs := unitcheck.Stack(us, *unitDir, envFile)
		errs = append(errs, unitcheck.Check(us)...)
		errs = append(errs, st.Check(fl)...)
		c.step("systemd: hardening, services, variables", errs...)
		unitStack = &st
	}

	if *doRehearse {
		if *bin == "" {
			*bin = filepath.Join(os.TempDir(), "deploycheck-clicktrail-"+randHex(4))
			defer os.Remove(*bin)
			cmd := exec.Command("go", "build", "-o", *bin, "./cmd/clicktrail")
			cmd.Dir, cmd.Stdout, cmd.Stderr = *root, os.Stderr, os.Stderr
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if err := cmd.Run(); err != nil {
				c.step("build clicktrail", err)
				c.exit()
			}
		}
		c.step("systemd: systemd-analyze verify", verifyUnits(*unitDir, *bin)...)
		for _, st := range []*stack.Stack{composeStack, unitStack} {
			if st == nil {
				continue
			}
			dir, err := os.MkdirTemp("", "deploycheck-")
			if err != nil {
				c.fail("rehearsal", err)
				continue
			}
			start := time.Now()
			rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			err = rehearse.Run(rctx, *st, rehearse.Local{Bin: *bin, Kafka: *kafka, ClickHouse: *ch, Dir: dir, RunID: randHex(4)})
			cancel()
			if err == nil {
				os.RemoveAll(dir)
			}
			c.step(fmt.Sprintf("rehearsal of %s: link created, redirected, click in ClickHouse and at a webhook (%s)", st.Source, time.Since(start).Round(time.Second)), err)
		}
	}
	c.exit()
}

type checker struct{ failed int }

func (c *checker) step(name string, errs ...error) {
	var real []error
	for _, e := range errs {
		if e != nil {
			real = append(real, e)
		}
	}
	if len(real) == 0 {
		fmt.Printf("ok    %s\n", name)
		return
	}
	fmt.Printf("FAIL  %s\n", name)
	for _, e := range real {
		fmt.Printf("      - %s\n", strings.ReplaceAll(e.Error(), "\n", "\n        "))
	}
	c.failed += len(real)
}

func (c *checker) fail(name string, err error) { c.step(name, err) }

func (c *checker) exit() {
	if c.failed > 0 {
		fmt.Printf("deploy check: %d failures\n", c.failed)
		os.Exit(1)
	}
	fmt.Println("deploy check: all passed")
	os.Exit(0)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func chAddr(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "127.0.0.1:19000"
	}
	return u.Host
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
