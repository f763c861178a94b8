package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/cliflag"
)

// parentUsage is the help of the commands that group workers ("sink").
var parentUsage = map[string]string{"sink": "run a sink"}

// workerCmds returns a command for each Kafka worker of app.Stages (the
// stages' Worker names): "enrich" at the top, "sink clickhouse" as
// "clickhouse" under "sink". None is written by hand.
func workerCmds() []*cli.Command {
	var cmds []*cli.Command
	parents := map[string]*cli.Command{}
	for _, name := range app.Workers() {
		cmd := workerCmd(name)
		parent, sub, nested := strings.Cut(name, " ")
		if !nested {
			cmds = append(cmds, cmd)
			continue
		}
		p := parents[parent]
		if p == nil {
			p = &cli.Command{Name: parent, Usage: parentUsage[parent]}
			parents[parent] = p
			cmds = append(cmds, p)
		}
		cmd.Name = sub
		p.Subcommands = append(p.Subcommands, cmd)
	}
	return cmds
}

// workerCmd is the command of worker name: the Kafka flags, --group, the
// flags of its stages' configs and of what only the worker configures
// (Stage.WorkerConfig), the batch bounds; it runs app.RunWorker.
func workerCmd(name string) *cli.Command {
	w := app.DefaultWorker(name)
	set := cliflag.Of(&w.Kafka).Add(&w, []string{"group", "debug-addr"})
	var usage []string
	for _, s := range app.Stages() {
		if s.Worker != name {
			continue
		}
		usage = append(usage, s.Usage)
		if s.Config != nil {
			set.Add(s.Config(&w.StageConfigs), nil)
		}
		if s.WorkerConfig != nil {
			for _, c := range s.WorkerConfig(&w) {
				set.Add(c, nil)
			}
		}
	}
	set.Add(&w.Batch, nil)
	return &cli.Command{
		Name:  name,
		Usage: strings.Join(usage, "; "),
		Flags: set.Flags(),
		Action: func(c *cli.Context) error {
			set.Load(c)
			w.Logger = logger(c)
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunWorker(ctx, w)
		},
	}
}
