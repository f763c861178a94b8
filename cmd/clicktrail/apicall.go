package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/client"
)

// defaultTimeout bounds one API call of the CLI; `links bulk` allows
// longer, for its large bodies.
const defaultTimeout = 30 * time.Second

// newClient returns a client of --api-url with --api-key.
func newClient(c *cli.Context, timeout time.Duration) (*client.Client, error) {
	return client.New(c.String(apiURLFlag.Name), clientKey(c),
		client.WithHTTPClient(&http.Client{Timeout: timeout}))
}

// callOptions are the options of every call of c: its --idempotency-key,
// when given.
func callOptions(c *cli.Context) []client.CallOption {
	if c.IsSet(idempotencyFlag.Name) {
		return []client.CallOption{client.IdempotencyKey(c.String(idempotencyFlag.Name))}
	}
	return nil
}

// callAPI makes one call and prints the answer's JSON as the server sent
// it; an answer other than 2xx is a *client.Error naming the status and
// carrying the API's error body.
func callAPI(c *cli.Context, call func(ctx context.Context, api *client.Client, opts []client.CallOption) error) error {
	api, err := newClient(c, defaultTimeout)
	if err != nil {
		return err
	}
	var raw []byte
	if err := call(c.Context, api, append(callOptions(c), client.RawBody(&raw))); err != nil {
		return err
	}
	_, err = c.App.Writer.Write(append(bytes.TrimSpace(raw), '\n'))
	return err
}

// clientKey is the --api-key of a client command: the first key when it
// came as the servers' comma-separated list (CLICKTRAIL_API_KEYS; a key
// never holds a comma).
func clientKey(c *cli.Context) string {
	key, _, _ := strings.Cut(c.String(clientKeyFlag.Name), ",")
	return strings.TrimSpace(key)
}
