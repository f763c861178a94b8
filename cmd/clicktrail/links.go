package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

var (
	apiURLFlag = &cli.StringFlag{
		Name: "api-url", Value: "http://127.0.0.1:8081", EnvVars: []string{"CLICKTRAIL_API_URL"},
		Usage: "base URL of the link API",
	}
	clientKeyFlag = &cli.StringFlag{
		Name: "api-key", Required: true, EnvVars: []string{"CLICKTRAIL_API_KEY"},
		Usage: "bearer key for the link API",
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
					return callAPI(c, http.MethodGet, "/v1/links/"+url.PathEscape(id), nil)
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
					q := url.Values{}
					for _, f := range []string{"domain", "tag", "q", "created-after", "created-before", "updated-after", "updated-before", "cursor"} {
						if v := c.String(f); v != "" {
							q.Set(strings.ReplaceAll(f, "-", "_"), v)
						}
					}
					if c.Bool("include-deleted") {
						q.Set("include_deleted", "true")
					}
					if n := c.Int("limit"); n != 0 {
						q.Set("limit", strconv.Itoa(n))
					}
					path := "/v1/links"
					if len(q) > 0 {
						path += "?" + q.Encode()
					}
					return callAPI(c, http.MethodGet, path, nil)
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
					q := url.Values{"format": {c.String("format")}, "size": {strconv.Itoa(c.Int("size"))}}
					body, err := fetchAPI(c, http.MethodGet, "/v1/links/"+url.PathEscape(id)+"/qr?"+q.Encode(), nil)
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
					return callAPI(c, http.MethodPatch, "/v1/links/"+url.PathEscape(id), []byte(`{"disabled":true}`))
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
					return callAPI(c, http.MethodDelete, "/v1/links/"+url.PathEscape(id), nil)
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
	body := map[string]any{}
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
	return sendJSON(c, http.MethodPatch, "/v1/links/"+url.PathEscape(id), body)
}

func createLink(c *cli.Context) error {
	body := map[string]any{"destination_url": c.String("destination")}
	for _, f := range []string{"path", "domain"} {
		if v := c.String(f); v != "" {
			body[f] = v
		}
	}
	utm := map[string]string{}
	for _, f := range []string{"source", "medium", "campaign", "term", "content"} {
		if v := c.String("utm-" + f); v != "" {
			utm[f] = v
		}
	}
	if len(utm) > 0 {
		body["utm"] = utm
	}
	if tags := c.StringSlice("tag"); len(tags) > 0 {
		body["tags"] = tags
	}
	if err := putMetadata(c, body); err != nil {
		return err
	}
	return sendJSON(c, http.MethodPost, "/v1/links", body)
}

// putMetadata sets body's "metadata" from the key=value items of the
// repeatable --metadata flag, when there are any.
func putMetadata(c *cli.Context, body map[string]any) error {
	kvs := c.StringSlice("metadata")
	if len(kvs) == 0 {
		return nil
	}
	md := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("metadata %q: want key=value", kv)
		}
		md[k] = v
	}
	body["metadata"] = md
	return nil
}

// sendJSON sends body as JSON and prints the answer.
func sendJSON(c *cli.Context, method, path string, body map[string]any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return callAPI(c, method, path, b)
}

// callAPI sends one request and prints the answer; a non-2xx answer is an
// error carrying the API's JSON error body.
func callAPI(c *cli.Context, method, path string, body []byte) error {
	out, err := fetchAPI(c, method, path, body)
	if err != nil {
		return err
	}
	_, err = c.App.Writer.Write(append(bytes.TrimSpace(out), '\n'))
	return err
}

// fetchAPI sends one request and returns the body of a 2xx answer; any other
// answer is an error carrying the API's JSON error body.
func fetchAPI(c *cli.Context, method, path string, body []byte) ([]byte, error) {
	return fetchAPIWith(c, &http.Client{Timeout: 30 * time.Second}, method, path, body)
}

// fetchAPIWith is fetchAPI on client.
func fetchAPIWith(c *cli.Context, client *http.Client, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(c.Context, method, strings.TrimRight(c.String(apiURLFlag.Name), "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("api-url: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.String(clientKeyFlag.Name))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.IsSet(idempotencyFlag.Name) {
		req.Header.Set("Idempotency-Key", c.String(idempotencyFlag.Name))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(out))
	}
	return out, nil
}
