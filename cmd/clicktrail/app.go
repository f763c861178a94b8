package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

func newApp() *cli.App {
	return &cli.App{
		Name:  "clicktrail",
		Usage: "branded short links with a real-time click-analytics pipeline",
		Description: "dev runs everything in one process on the embedded default; redirect, enrich and\n" +
			"sink clickhouse are the scale-out processes that talk through Kafka.",
		Flags: []cli.Flag{logLevelFlag},
		// the Kafka workers (enrich, sink ...) are made from app.Stages
		Commands: append(append([]*cli.Command{devCmd(), redirectCmd()}, workerCmds()...),
			migrateCmd(),
			linksCmd(),
			keysCmd(),
			workspacesCmd(),
			domainsCmd(),
			webhooksCmd(),
			integrationsCmd(),
			conversionsCmd(),
			statsCmd(),
		),
	}
}

// signalContext is cancelled on SIGINT or SIGTERM, which starts a graceful
// shutdown: servers drain, consumers finish their batch, the spool syncs.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

func logger(c *cli.Context) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.String(logLevelFlag.Name))); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}
