package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/client/statsview"
)

// statsCmd prints a link's or the workspace's stats from /v1/links/{id}/stats
// and /v1/stats.
func statsCmd() *cli.Command {
	return &cli.Command{
		Name: "stats",
		Usage: "print a link's stats (--link) or the workspace's totals and top lists, as a table, CSV or JSON, " +
			"through /v1/links/{id}/stats and /v1/stats (needs the analytics:read scope)",
		Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
			&cli.StringFlag{Name: "link", Usage: "link id: that link's stats; without it, the workspace's"},
			&cli.StringFlag{Name: "from", Usage: "start, RFC 3339 or a date (2026-03-01); default 30 days before --to"},
			&cli.StringFlag{Name: "to", Usage: "end (exclusive), RFC 3339 or a date; default now"},
			&cli.StringFlag{Name: "interval", Usage: "series buckets: hour, day, week or month (server default: day)"},
			&cli.StringFlag{Name: "tz", Usage: "IANA zone whose days the buckets are, e.g. Europe/Berlin (server default: UTC)"},
			&cli.StringFlag{Name: "group-by", Usage: "with --link: country, device, os, browser, referrer, utm_source, utm_medium, utm_campaign, variant or rule"},
			&cli.StringFlag{Name: "bots", Usage: "exclude, include or only (server default: exclude)"},
			&cli.IntFlag{Name: "limit", Usage: "without --link: entries of each top list, 1-100 (server default: 10)"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "table (aligned, thousands separated), csv (one table with a header row) or json (the server's answer)"},
		},
		Action: func(c *cli.Context) error {
			q := client.StatsQuery{From: c.String("from"), To: c.String("to"), Interval: c.String("interval"),
				TZ: c.String("tz"), Bots: c.String("bots"), GroupBy: c.String("group-by"), Limit: c.Int("limit")}
			format := c.String("format")
			link := c.String("link")
			switch {
			case format != "table" && format != "csv" && format != "json":
				return fmt.Errorf("stats: --format: want table, csv or json, got %q", format)
			case link == "" && q.GroupBy != "":
				return fmt.Errorf("stats: --group-by needs --link (the workspace's stats have fixed top lists)")
			case link != "" && c.IsSet("limit"):
				return fmt.Errorf("stats: --limit is for the workspace's top lists, not with --link")
			}
			api, err := newClient(c, defaultTimeout)
			if err != nil {
				return err
			}
			return printStats(c.Context, c.App.Writer, api, link, q, format)
		},
	}
}

// printStats fetches one stats answer and writes it in format.
func printStats(ctx context.Context, w io.Writer, api *client.Client, link string, q client.StatsQuery, format string) error {
	var raw []byte
	opts := []client.CallOption{client.RawBody(&raw)}
	if link != "" {
		s, err := api.LinkStats(ctx, link, q, opts...)
		if err != nil {
			return statsError(err)
		}
		switch format {
		case "table":
			return statsview.LinkTable(w, s)
		case "csv":
			return statsview.LinkCSV(w, s)
		}
	} else {
		s, err := api.WorkspaceStats(ctx, q, opts...)
		if err != nil {
			return statsError(err)
		}
		switch format {
		case "table":
			return statsview.WorkspaceTable(w, s)
		case "csv":
			return statsview.WorkspaceCSV(w, s)
		}
	}
	_, err := w.Write(append(bytes.TrimSpace(raw), '\n'))
	return err
}

// statsError names the flag of a parameter the API refused.
func statsError(err error) error {
	var e *client.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusBadRequest && e.Field != "" {
		return fmt.Errorf("stats: --%s: %s (%w)", flagOf(e.Field), e.Message, err)
	}
	return err
}

// flagOf is the flag of a query parameter: group_by is --group-by.
func flagOf(param string) string {
	if param == "group_by" {
		return "group-by"
	}
	return param
}
