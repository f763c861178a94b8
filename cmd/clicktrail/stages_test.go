package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/cliflag"
)

// TestEveryWorkerHasACommand: each Worker of app.Stages is a command of
// the CLI (made by workerCmds, not by hand), whose flags include those of
// every config of its stages.
func TestEveryWorkerHasACommand(t *testing.T) {
	root := newApp()
	for _, name := range app.Workers() {
		cmd := findCmd(root.Commands, strings.Fields(name))
		if cmd == nil {
			t.Errorf("worker %q has no command", name)
			continue
		}
		have := map[string]bool{}
		for _, f := range cmd.Flags {
			have[f.Names()[0]] = true
		}
		for _, want := range []string{"kafka-brokers", "group", "batch-max-records"} {
			if !have[want] {
				t.Errorf("clicktrail %s lacks --%s", name, want)
			}
		}
		w := app.DefaultWorker(name)
		for _, s := range app.Stages() {
			if s.Worker != name || s.Config == nil {
				continue
			}
			for _, f := range cliflag.Of(s.Config(&w.StageConfigs)).Flags() {
				if !have[f.Names()[0]] {
					t.Errorf("clicktrail %s lacks --%s of its stage %q", name, f.Names()[0], s.Name)
				}
			}
		}
	}
}

func findCmd(cmds []*cli.Command, path []string) *cli.Command {
	for _, c := range cmds {
		if c.Name != path[0] {
			continue
		}
		if len(path) == 1 {
			return c
		}
		return findCmd(c.Subcommands, path[1:])
	}
	return nil
}
