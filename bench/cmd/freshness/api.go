package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// apiClient calls the link and webhook endpoint APIs.
type apiClient struct {
	base, key string
	http      *http.Client
}

// post sends body as JSON and decodes a 201 answer into out.
func (a *apiClient) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("POST %s: decode answer: %w", path, err)
	}
	return nil
}

// registerEndpoint subscribes url to click.created and returns its secret.
func (a *apiClient) registerEndpoint(ctx context.Context, url string) (string, error) {
	var ep struct {
		Secret string `json:"secret"`
	}
	err := a.post(ctx, "/v1/webhooks/endpoints", map[string]any{"url": url, "events": []string{"click.created"}}, &ep)
	if err != nil {
		return "", fmt.Errorf("register webhook endpoint: %w", err)
	}
	if ep.Secret == "" {
		return "", fmt.Errorf("register webhook endpoint: the answer has no secret")
	}
	return ep.Secret, nil
}

// link is a created link: its id and path.
type link struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// createLinks creates n links with track_conversions, so that each
// redirect names its click's event id.
func (a *apiClient) createLinks(ctx context.Context, run string, n int) ([]link, error) {
	out := make([]link, n)
	for i := range out {
		body := map[string]any{
			"path":              fmt.Sprintf("fresh-%s-%d", run, i),
			"destination_url":   fmt.Sprintf("https://shop.example.com/fresh/%d", i),
			"track_conversions": true,
		}
		if err := a.post(ctx, "/v1/links", body, &out[i]); err != nil {
			return nil, fmt.Errorf("create link %d: %w", i, err)
		}
	}
	return out, nil
}
