package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/urfave/cli/v2"
)

// webhooksCmd manages webhook endpoints through the endpoint API
// (/v1/webhooks/...), on the link API in dev or on `sink webhook --api-addr`.
func webhooksCmd() *cli.Command {
	endpointFlags := []cli.Flag{
		&cli.StringFlag{Name: "url", Usage: "https URL that receives the signed webhooks"},
		&cli.StringSliceFlag{Name: "event", Usage: "event type to subscribe to (repeatable or comma-separated), e.g. click.created,link.created"},
		&cli.StringSliceFlag{Name: "filter-tag", Usage: "only links with this tag (repeatable)"},
		&cli.StringSliceFlag{Name: "filter-link", Usage: "only this link id (repeatable)"},
		&cli.StringSliceFlag{Name: "filter-domain", Usage: "only links on this domain (repeatable)"},
		&cli.BoolFlag{Name: "exclude-bots", Usage: "no clicks flagged as bots"},
		&cli.StringFlag{Name: "alerts", Usage: `alert rules as JSON, e.g. '{"threshold":{"clicks":1000,"window":"1h"}}'`},
	}
	return &cli.Command{
		Name:  "webhooks",
		Usage: "manage webhook endpoints and their deliveries through the endpoint API",
		Subcommands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create an endpoint and print it with its secret (shown this once)",
				Flags: append([]cli.Flag{apiURLFlag, clientKeyFlag}, endpointFlags...),
				Action: func(c *cli.Context) error {
					body, err := endpointBody(c)
					if err != nil {
						return err
					}
					if body["url"] == nil || body["events"] == nil {
						return fmt.Errorf("webhooks create: --url and --event are required")
					}
					return sendJSON(c, http.MethodPost, "/v1/webhooks/endpoints", body)
				},
			},
			{
				Name:   "list",
				Usage:  "list the workspace's endpoints",
				Flags:  []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error { return callAPI(c, http.MethodGet, "/v1/webhooks/endpoints", nil) },
			},
			{
				Name: "get", Usage: "print one endpoint", ArgsUsage: "ENDPOINT_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks get", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					return callAPI(c, http.MethodGet, "/v1/webhooks/endpoints/"+url.PathEscape(id), nil)
				},
			},
			{
				Name: "update", Usage: "change an endpoint (only the flags given)", ArgsUsage: "ENDPOINT_ID",
				Flags: append([]cli.Flag{apiURLFlag, clientKeyFlag,
					&cli.BoolFlag{Name: "enable"}, &cli.BoolFlag{Name: "disable"}}, endpointFlags...),
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks update", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					body, err := endpointBody(c)
					if err != nil {
						return err
					}
					switch {
					case c.Bool("enable") && c.Bool("disable"):
						return fmt.Errorf("webhooks update: --enable or --disable, not both")
					case c.Bool("enable"):
						body["enabled"] = true
					case c.Bool("disable"):
						body["enabled"] = false
					}
					return sendJSON(c, http.MethodPatch, "/v1/webhooks/endpoints/"+url.PathEscape(id), body)
				},
			},
			{
				Name: "delete", Usage: "delete an endpoint", ArgsUsage: "ENDPOINT_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks delete", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					return callAPI(c, http.MethodDelete, "/v1/webhooks/endpoints/"+url.PathEscape(id), nil)
				},
			},
			{
				Name: "rotate-secret", Usage: "issue a new secret (the old one signs too for 24 h)", ArgsUsage: "ENDPOINT_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks rotate-secret", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					return callAPI(c, http.MethodPost, "/v1/webhooks/endpoints/"+url.PathEscape(id)+"/rotate-secret", nil)
				},
			},
			{
				Name:  "deliveries",
				Usage: "list delivery attempts, newest first",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
					&cli.StringFlag{Name: "endpoint", Usage: "endpoint id"},
					&cli.StringFlag{Name: "status", Usage: "delivered, failed, ..."},
					&cli.StringFlag{Name: "since", Usage: "RFC 3339"}},
				Action: func(c *cli.Context) error {
					q := url.Values{}
					for _, f := range []string{"endpoint", "status", "since"} {
						if v := c.String(f); v != "" {
							q.Set(f, v)
						}
					}
					path := "/v1/webhooks/deliveries"
					if len(q) > 0 {
						path += "?" + q.Encode()
					}
					return callAPI(c, http.MethodGet, path, nil)
				},
			},
			{
				Name:      "replay",
				Usage:     "re-send one message (--message) or every failed message since a time (--since), same webhook-id",
				ArgsUsage: "ENDPOINT_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
					&cli.StringFlag{Name: "message", Usage: "webhook-id of the message"},
					&cli.StringFlag{Name: "since", Usage: "RFC 3339"}},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks replay", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					body := map[string]any{}
					if v := c.String("message"); v != "" {
						body["message_id"] = v
					}
					if v := c.String("since"); v != "" {
						body["since"] = v
					}
					if len(body) != 1 {
						return fmt.Errorf("webhooks replay: give --message or --since")
					}
					return sendJSON(c, http.MethodPost, "/v1/webhooks/endpoints/"+url.PathEscape(id)+"/replay", body)
				},
			},
		},
	}
}

// endpointBody turns the endpoint flags that are set into a request body.
func endpointBody(c *cli.Context) (map[string]any, error) {
	body := map[string]any{}
	if c.IsSet("url") {
		body["url"] = c.String("url")
	}
	if c.IsSet("event") {
		var events []string
		for _, e := range c.StringSlice("event") {
			for _, part := range strings.Split(e, ",") {
				if part = strings.TrimSpace(part); part != "" {
					events = append(events, part)
				}
			}
		}
		body["events"] = events
	}
	filters := map[string]any{}
	for flag, field := range map[string]string{"filter-tag": "tags", "filter-link": "link_ids", "filter-domain": "domains"} {
		if c.IsSet(flag) {
			filters[field] = c.StringSlice(flag)
		}
	}
	if c.IsSet("exclude-bots") {
		filters["exclude_bots"] = c.Bool("exclude-bots")
	}
	if len(filters) > 0 {
		body["filters"] = filters
	}
	if s := c.String("alerts"); s != "" {
		var alerts map[string]any
		if err := json.Unmarshal([]byte(s), &alerts); err != nil {
			return nil, fmt.Errorf("alerts: want a JSON object: %w", err)
		}
		body["alerts"] = alerts
	}
	return body, nil
}
