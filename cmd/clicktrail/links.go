package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
)

func linksCmd() *cli.Command {
	return &cli.Command{
		Name:  "links",
		Usage: "manage links through the link API",
		Subcommands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create a link and print it as JSON",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
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
					if c.NArg() != 1 {
						return fmt.Errorf("links get: want exactly one LINK_ID")
					}
					return callAPI(c, http.MethodGet, "/v1/links/"+url.PathEscape(c.Args().First()), nil)
				},
			},
		},
	}
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
	if kvs := c.StringSlice("metadata"); len(kvs) > 0 {
		md := map[string]string{}
		for _, kv := range kvs {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return fmt.Errorf("metadata %q: want key=value", kv)
			}
			md[k] = v
		}
		body["metadata"] = md
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return callAPI(c, http.MethodPost, "/v1/links", b)
}

// callAPI sends one request and prints the answer; a non-2xx answer is an
// error carrying the API's JSON error body.
func callAPI(c *cli.Context, method, path string, body []byte) error {
	req, err := http.NewRequestWithContext(c.Context, method, strings.TrimRight(c.String(apiURLFlag.Name), "/")+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("api-url: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.String(clientKeyFlag.Name))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(out))
	}
	_, err = c.App.Writer.Write(append(bytes.TrimSpace(out), '\n'))
	return err
}
