// Package redirecttest holds the fixtures that tests of the packages above
// the redirector (linkapi, linkapi/bulk) share: a link store in a
// temporary directory, a valid link, and an HTTP client and request helper
// for the redirect listener. redirect's own tests keep their copies in
// package redirect (an internal test cannot import a package that imports
// redirect); nothing outside tests imports this package.
package redirecttest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// Domain is the short-link domain of Link.
const Domain = "go.example.com"

// OpenStore opens a link store in a new temporary directory, closed (and
// checked) when the test ends, and returns it with its directory.
func OpenStore(t testing.TB, opts redirect.StoreOptions) (*redirect.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := redirect.OpenStore(dir, opts)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dir
}

// Link returns a valid link at Domain/path in the default workspace, with
// UTM parameters, a tag and a contact id.
func Link(path string) *redirect.Link {
	created := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	return &redirect.Link{
		ID: redirect.NewLinkID(), WorkspaceID: redirect.DefaultWorkspaceID, Domain: Domain, Path: path,
		DestinationURL: "https://shop.example.org/spring?ref=mail",
		UTM:            schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring 26"},
		Tags:           []string{"spring"}, Metadata: map[string]string{"contact_id": "c_42"},
		CreatedAt: created, UpdatedAt: created, RedirectCode: 302,
	}
}

// MustCreate creates l in s, failing the test on an error.
func MustCreate(t testing.TB, s *redirect.Store, l *redirect.Link) {
	t.Helper()
	if err := s.Create(context.Background(), l); err != nil {
		t.Fatalf("Create(%s): %v", l.Path, err)
	}
}

// NoFollow is a client that does not follow redirects.
func NoFollow(t *testing.T) *http.Client {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// Fetch makes a request with User-Agent ua and returns the answer and its
// body.
func Fetch(t *testing.T, c *http.Client, method, url, ua string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
