package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

var regenerate = flag.Bool("update-flags", false, "rewrite testdata/flags.golden from the current CLI")

// TestFlagsGolden pins every command's flags: name, aliases, environment
// variables and default, one line each, sorted. It was written from the CLI
// before the flags were derived from the stage list (issue 10): a flag may
// be added (regenerate with -update-flags and review the diff), none may be
// lost, renamed or lose its CLICKTRAIL_* variable or default.
func TestFlagsGolden(t *testing.T) {
	var lines []string
	for _, f := range newApp().Flags {
		lines = append(lines, flagLine("clicktrail", f))
	}
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := path + " " + c.Name
			for _, f := range c.Flags {
				lines = append(lines, flagLine(p, f))
			}
			walk(p, c.Subcommands)
		}
	}
	walk("clicktrail", newApp().Commands)
	sort.Strings(lines)
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "flags.golden")
	if *regenerate {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("flags differ from %s (run with -update-flags to see the diff in git):\n%s", golden, diffLines(string(want), got))
	}
}

// flagLine describes f as "<command> --name [aliases] env=[...] default=..."
func flagLine(cmd string, f cli.Flag) string {
	var env []string
	if e, ok := f.(interface{ GetEnvVars() []string }); ok {
		env = e.GetEnvVars()
	}
	def := ""
	if d, ok := f.(cli.DocGenerationFlag); ok {
		def = d.GetDefaultText()
		if def == "" {
			def = d.GetValue()
		}
	}
	return fmt.Sprintf("%s --%s env=%v default=%q", cmd, strings.Join(f.Names(), ","), env, def)
}

// diffLines lists the lines only in want (-) and only in got (+).
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
