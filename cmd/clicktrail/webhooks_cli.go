package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/client"
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
					if body.URL == nil || body.Events == nil {
						return fmt.Errorf("webhooks create: --url and --event are required")
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.CreateEndpoint(ctx, body, opts...)
						return err
					})
				},
			},
			{
				Name:  "list",
				Usage: "list the workspace's endpoints",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListEndpoints(ctx, opts...)
						return err
					})
				},
			},
			{
				Name: "get", Usage: "print one endpoint", ArgsUsage: "ENDPOINT_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "webhooks get", "ENDPOINT_ID")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.GetEndpoint(ctx, id, opts...)
						return err
					})
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
					case c.Bool("enable"), c.Bool("disable"):
						enabled := c.Bool("enable")
						body.Enabled = &enabled
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.UpdateEndpoint(ctx, id, body, opts...)
						return err
					})
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
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						return api.DeleteEndpoint(ctx, id, opts...)
					})
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
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.RotateSecret(ctx, id, opts...)
						return err
					})
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
					o := client.DeliveriesOptions{Endpoint: c.String("endpoint"), Status: c.String("status"), Since: c.String("since")}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.Deliveries(ctx, o, opts...)
						return err
					})
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
					req := client.ReplayRequest{MessageID: c.String("message")}
					if v := c.String("since"); v != "" {
						since, err := time.Parse(time.RFC3339, v)
						if err != nil {
							return fmt.Errorf("since: want an RFC 3339 time: %w", err)
						}
						req.Since = since
					}
					if (req.MessageID == "") == req.Since.IsZero() {
						return fmt.Errorf("webhooks replay: give --message or --since")
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.Replay(ctx, id, req, opts...)
						return err
					})
				},
			},
		},
	}
}

// endpointBody turns the endpoint flags that are set into a request body.
func endpointBody(c *cli.Context) (client.EndpointRequest, error) {
	var body client.EndpointRequest
	if c.IsSet("url") {
		u := c.String("url")
		body.URL = &u
	}
	if c.IsSet("event") {
		events := []string{}
		for _, e := range c.StringSlice("event") {
			for _, part := range strings.Split(e, ",") {
				if part = strings.TrimSpace(part); part != "" {
					events = append(events, part)
				}
			}
		}
		body.Events = events
	}
	if c.IsSet("filter-tag") || c.IsSet("filter-link") || c.IsSet("filter-domain") || c.IsSet("exclude-bots") {
		body.Filters = &client.Filters{Tags: c.StringSlice("filter-tag"), LinkIDs: c.StringSlice("filter-link"),
			Domains: c.StringSlice("filter-domain"), ExcludeBots: c.Bool("exclude-bots")}
	}
	if s := c.String("alerts"); s != "" {
		var alerts map[string]any
		if err := json.Unmarshal([]byte(s), &alerts); err != nil {
			return body, fmt.Errorf("alerts: want a JSON object: %w", err)
		}
		body.Alerts = json.RawMessage(s)
	}
	return body, nil
}
