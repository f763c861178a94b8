package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxResponseBytes is the largest answer the client reads; a larger one is
// an error rather than a silently truncated body.
const MaxResponseBytes = 32 << 20

// Client calls one clicktrail API with one key. It is safe for concurrent
// use.
type Client struct {
	base string
	key  string
	http *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends the requests through hc (for its timeout or
// transport); the default is a client with a 30 s timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// New returns a client of the API at baseURL (e.g. http://127.0.0.1:8081)
// that authenticates with key; an empty key sends no Authorization header.
func New(baseURL, key string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api url %q: want an http(s) base URL", baseURL)
	}
	c := &Client{base: strings.TrimRight(baseURL, "/"), key: key, http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// CallOption changes one call.
type CallOption func(*call)

type call struct {
	idempotencyKey string
	raw            *[]byte
	status         *int
}

// IdempotencyKey sends the Idempotency-Key header: a retry with the same key
// and body replays the first answer (see the API's documentation).
func IdempotencyKey(key string) CallOption { return func(c *call) { c.idempotencyKey = key } }

// RawBody stores the body of a successful answer, as the server sent it, in
// *dst.
func RawBody(dst *[]byte) CallOption { return func(c *call) { c.raw = dst } }

// Status stores the HTTP status of a successful answer (200, 201, 202,
// 204) in *dst, for callers that tell them apart: PUT
// /v1/links/external/{id} answers 201 when it created the link and 200 when
// it replaced it.
func Status(dst *int) CallOption { return func(c *call) { c.status = dst } }

// do sends one request with in (nil for none) encoded as JSON and decodes a
// 2xx answer into out (nil to drop it). Any other answer is an *Error.
func (c *Client) do(ctx context.Context, method, path string, in, out any, opts []CallOption) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = b
	}
	b, err := c.send(ctx, method, path, body, opts)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// send sends body (nil for none) and returns the body of a 2xx answer.
func (c *Client) send(ctx context.Context, method, path string, body []byte, opts []CallOption) ([]byte, error) {
	var cl call
	for _, o := range opts {
		o(&cl)
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if len(out) > MaxResponseBytes {
		return nil, fmt.Errorf("%s %s: answer larger than %d bytes", method, path, MaxResponseBytes)
	}
	if resp.StatusCode/100 != 2 {
		return nil, newError(method, path, resp, out)
	}
	if cl.raw != nil {
		*cl.raw = out
	}
	if cl.status != nil {
		*cl.status = resp.StatusCode
	}
	return out, nil
}

// escape escapes one path segment.
func escape(s string) string { return url.PathEscape(s) }

// withQuery appends q to path when it has values.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
