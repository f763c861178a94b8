package main

import (
	"context"
	"fmt"

	"github.com/clicktrail/clicktrail/client"
)

// registerEndpoint subscribes url to click.created and returns its secret.
func registerEndpoint(ctx context.Context, api *client.Client, url string) (string, error) {
	ep, err := api.CreateEndpoint(ctx, client.EndpointRequest{URL: &url, Events: []string{"click.created"}})
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
	ID   string
	Path string
}

// createLinks creates n links with track_conversions, so that each
// redirect names its click's event id.
func createLinks(ctx context.Context, api *client.Client, run string, n int) ([]link, error) {
	out := make([]link, n)
	for i := range out {
		l, err := api.CreateLink(ctx, client.CreateLinkRequest{
			Path:             fmt.Sprintf("fresh-%s-%d", run, i),
			DestinationURL:   fmt.Sprintf("https://shop.example.com/fresh/%d", i),
			TrackConversions: true,
		})
		if err != nil {
			return nil, fmt.Errorf("create link %d: %w", i, err)
		}
		out[i] = link{ID: l.ID, Path: l.Path}
	}
	return out, nil
}
