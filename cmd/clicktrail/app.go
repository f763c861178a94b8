package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/logs"
)

func newApp() *cli.App {
	return &cli.App{
		Name:  "clicktrail",
		Usage: "branded short links with a real-time click-analytics pipeline",
		Description: "dev runs everything in one process on the embedded default; redirect, enrich and\n" +
			"sink clickhouse are the scale-out processes that talk through Kafka.",
		Flags: []cli.Flag{logLevelFlag, logFormatFlag},
		Before: func(c *cli.Context) error {
			switch f := c.String(logFormatFlag.Name); f {
			case "", "json", "text":
				return nil
			default:
				return fmt.Errorf("log-format: want json or text, got %q", f)
			}
		},
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

// logger is the process's logger: JSON lines on stderr (text for dev, or
// as --log-format says), at --log-level, with the request id of the API
// request a line was logged in (logs.WithRequestIDs).
func logger(c *cli.Context) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.String(logLevelFlag.Name))); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	format := c.String(logFormatFlag.Name)
	if format == "" {
		format = "json"
		if isDev(c) {
			format = "text"
		}
	}
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, opts)
	if format == "text" {
		h = slog.NewTextHandler(os.Stderr, opts)
	}
	return slog.New(logs.WithRequestIDs(h))
}

// isDev reports whether c runs the dev command, a person's terminal.
func isDev(c *cli.Context) bool {
	for _, a := range c.Lineage() {
		if a.Command != nil && a.Command.Name == "dev" {
			return true
		}
	}
	return false
}
