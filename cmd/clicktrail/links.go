package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/clicktrail/clicktrail/client"
	"github.com/urfave/cli/v2"
)

var (
	apiURLFlag = &cli.StringFlag{
		Name: "api-url", Value: "http://127.0.0.1:8081", EnvVars: []string{"CLICKTRAIL_API_URL"},
		Usage: "base URL of the link API",
	}
	// clientKeyFlag reads the servers' variables too: CLICKTRAIL_API_KEY
	// (canonical) or CLICKTRAIL_API_KEYS, whose first key it takes
	// (clientKey).
	clientKeyFlag = &cli.StringFlag{
		Name: "api-key", Required: true, EnvVars: []string{"CLICKTRAIL_API_KEY", "CLICKTRAIL_API_KEYS"},
		Usage: "bearer key for the link API (environment: CLICKTRAIL_API_KEY, or the first of CLICKTRAIL_API_KEYS)",
	}
	idempotencyFlag = &cli.StringFlag{
		Name: "idempotency-key", Usage: "Idempotency-Key header: a retry with the same key replays the first answer",
	}
)

func linksCmd() *cli.Command {
	return &cli.Command{
		Name:  "links",
		Usage: "manage links through the link API",
		Subcommands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create a link and print it as JSON",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag,
					&cli.StringFlag{Name: "destination", Aliases: []string{"d"}, Required: true, Usage: "http(s) URL to redirect to"},
					&cli.StringFlag{Name: "path", Usage: "short path; random when empty"},
					&cli.StringFlag{Name: "domain", Usage: "branded domain; the default domain when empty"},
					&cli.StringFlag{Name: "utm-source"}, &cli.StringFlag{Name: "utm-medium"},
					&cli.StringFlag{Name: "utm-campaign"}, &cli.StringFlag{Name: "utm-term"},
					&cli.StringFlag{Name: "utm-content"},
					&cli.StringSliceFlag{Name: "tag", Usage: "tag (repeatable)"},
					&cli.StringSliceFlag{Name: "metadata", Usage: "key=value, e.g. contact_id=hs_123 (repeatable)"},
				},
				Action: createLink,
			},
			{
				Name:      "get",
				Usage:     "print one link as JSON",
				ArgsUsage: "LINK_ID",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "links get", "LINK_ID")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.GetLink(ctx, id, opts...)
						return err
					})
				},
			},
			{
				Name:  "list",
				Usage: "print one page of links as JSON (next_cursor fetches the next)",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
					&cli.StringFlag{Name: "domain"}, &cli.StringFlag{Name: "tag"},
					&cli.StringFlag{Name: "q", Usage: "text in path or destination"},
					&cli.StringFlag{Name: "created-after", Usage: "RFC 3339"}, &cli.StringFlag{Name: "created-before", Usage: "RFC 3339"},
					&cli.StringFlag{Name: "updated-after", Usage: "RFC 3339"}, &cli.StringFlag{Name: "updated-before", Usage: "RFC 3339"},
					&cli.BoolFlag{Name: "include-deleted"},
					&cli.IntFlag{Name: "limit", Usage: "1-1000 (default 50)"},
					&cli.StringFlag{Name: "cursor", Usage: "next_cursor of the previous page"},
				},
				Action: func(c *cli.Context) error {
					o := client.ListLinksOptions{Domain: c.String("domain"), Tag: c.String("tag"), Q: c.String("q"),
						CreatedAfter: c.String("created-after"), CreatedBefore: c.String("created-before"),
						UpdatedAfter: c.String("updated-after"), UpdatedBefore: c.String("updated-before"),
						IncludeDeleted: c.Bool("include-deleted"), Limit: c.Int("limit"), Cursor: c.String("cursor")}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListLinks(ctx, o, opts...)
						return err
					})
				},
			},
			{
				Name:      "update",
				Usage:     "change a link (only the flags given) and print it",
				ArgsUsage: "LINK_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag,
					&cli.StringFlag{Name: "destination", Aliases: []string{"d"}, Usage: "http(s) URL to redirect to"},
					&cli.StringSliceFlag{Name: "tag", Usage: "replace the tags (repeatable)"},
					&cli.StringFlag{Name: "expires-at", Usage: `RFC 3339 time, or "none" to clear`},
					&cli.StringFlag{Name: "expired-url", Usage: "fallback URL once expired"},
					&cli.BoolFlag{Name: "enable", Usage: "enable a disabled link"},
					&cli.StringFlag{Name: "patch", Usage: "a JSON merge patch of any other fields, e.g. '{\"utm\":{\"source\":\"mail\"}}'"},
				},
				Action: updateLink,
			},
			linksBulkCmd(),
			{
				Name:      "qr",
				Usage:     "write a link's QR code (scans are recorded as qr_scan) to a file",
				ArgsUsage: "LINK_ID",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
					&cli.StringFlag{Name: "format", Value: "png", Usage: "png or svg"},
					&cli.IntFlag{Name: "size", Value: 256, Usage: "pixels a side (64-2048)"},
					&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "file to write"},
				},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "links qr", "LINK_ID")
					if err != nil {
						return err
					}
					api, err := newClient(c, defaultTimeout)
					if err != nil {
						return err
					}
					body, err := api.LinkQR(c.Context, id, client.QROptions{Format: c.String("format"), Size: c.Int("size")})
					if err != nil {
						return err
					}
					if err := os.WriteFile(c.String("out"), body, 0o644); err != nil {
						return fmt.Errorf("out: %w", err)
					}
					fmt.Fprintf(c.App.Writer, "wrote %s (%d bytes)\n", c.String("out"), len(body))
					return nil
				},
			},
			{
				Name:      "disable",
				Usage:     "disable a link (it answers 404 until enabled again)",
				ArgsUsage: "LINK_ID",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "links disable", "LINK_ID")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.UpdateLink(ctx, id, client.LinkPatch{"disabled": true}, opts...)
						return err
					})
				},
			},
			{
				Name:      "delete",
				Usage:     "delete a link for good: it answers 404 and its path stays reserved",
				ArgsUsage: "LINK_ID",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "links delete", "LINK_ID")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.DeleteLink(ctx, id, opts...)
						return err
					})
				},
			},
		},
	}
}

// oneArg returns the command's only argument.
func oneArg(c *cli.Context, cmd, name string) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("%s: want exactly one %s", cmd, name)
	}
	return c.Args().First(), nil
}

func updateLink(c *cli.Context) error {
	id, err := oneArg(c, "links update", "LINK_ID")
	if err != nil {
		return err
	}
	body := client.LinkPatch{}
	if p := c.String("patch"); p != "" {
		if err := json.Unmarshal([]byte(p), &body); err != nil {
			return fmt.Errorf("patch: want a JSON object: %w", err)
		}
	}
	if v := c.String("destination"); v != "" {
		body["destination_url"] = v
	}
	if c.IsSet("tag") {
		body["tags"] = c.StringSlice("tag")
	}
	switch v := c.String("expires-at"); v {
	case "":
	case "none":
		body["expires_at"] = nil
	default:
		body["expires_at"] = v
	}
	if v := c.String("expired-url"); v != "" {
		body["expired_url"] = v
	}
	if c.Bool("enable") {
		body["disabled"] = false
	}
	if len(body) == 0 {
		return fmt.Errorf("links update: nothing to change; give --destination, --tag, --expires-at, --expired-url, --enable or --patch")
	}
	return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
		_, err := api.UpdateLink(ctx, id, body, opts...)
		return err
	})
}

func createLink(c *cli.Context) error {
	req := client.CreateLinkRequest{DestinationURL: c.String("destination"), Path: c.String("path"),
		Domain: c.String("domain"), Tags: c.StringSlice("tag")}
	utm := client.UTM{Source: c.String("utm-source"), Medium: c.String("utm-medium"), Campaign: c.String("utm-campaign"),
		Term: c.String("utm-term"), Content: c.String("utm-content")}
	if utm != (client.UTM{}) {
		req.UTM = &utm
	}
	md, err := metadataFlag(c)
	if err != nil {
		return err
	}
	req.Metadata = md
	return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
		_, err := api.CreateLink(ctx, req, opts...)
		return err
	})
}

// metadataFlag returns the key=value items of the repeatable --metadata
// flag as a map, nil when there are none.
func metadataFlag(c *cli.Context) (map[string]string, error) {
	kvs := c.StringSlice("metadata")
	if len(kvs) == 0 {
		return nil, nil
	}
	md := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("metadata %q: want key=value", kv)
		}
		md[k] = v
	}
	return md, nil
}
