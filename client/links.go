package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clicktrail/clicktrail/schemas"
)

// Link is a link as the API answers it (GET /v1/links/{id}): the fields of
// the link record every node replicates (schemas.LinkRecord, the one
// definition of them) and its short URL.
type Link struct {
	schemas.LinkRecord
	ShortURL string `json:"short_url"`
}

// UTM holds the utm_* parameters added to a link's destination.
type UTM = schemas.UTM

// Rule routes the visitors it matches to its own destination.
type Rule = schemas.LinkRule

// Variant is one weighted destination of a split test.
type Variant = schemas.LinkVariant

// CreateLinkRequest is the body of POST /v1/links and of
// PUT /v1/links/external/{external_id}. Only DestinationURL is required.
type CreateLinkRequest struct {
	DestinationURL   string            `json:"destination_url"`
	Domain           string            `json:"domain,omitempty"`
	Path             string            `json:"path,omitempty"` // random when empty
	UTM              *UTM              `json:"utm,omitempty"`
	Tags             []string          `json:"tags,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	RedirectCode     int               `json:"redirect_code,omitempty"`
	ExpiresAt        string            `json:"expires_at,omitempty"` // RFC 3339
	ExpiredURL       string            `json:"expired_url,omitempty"`
	ExpiredRedirect  bool              `json:"expired_redirect,omitempty"`
	Rules            []Rule            `json:"rules,omitempty"`
	Variants         []Variant         `json:"variants,omitempty"`
	TrackConversions bool              `json:"track_conversions,omitempty"`
	ExternalID       string            `json:"external_id,omitempty"`
	// OnConflict is "error" (the default: 409 path_taken) or "suffix".
	OnConflict string `json:"on_conflict,omitempty"`
	// Template names the workspace's UTM template to apply.
	Template string `json:"template,omitempty"`
	// Values fill the {{placeholders}} of the destination and template.
	Values map[string]string `json:"values,omitempty"`
}

// LinkPatch is a JSON merge patch of a link (PATCH /v1/links/{id}): a
// member absent is unchanged, a member set to nil is cleared. Members are
// those of Link (destination_url, tags, expires_at, disabled, utm, ...);
// path and domain cannot change.
type LinkPatch map[string]any

// ListLinksOptions filter and page GET /v1/links; zero values are absent.
type ListLinksOptions struct {
	Domain, Tag, Q              string
	CreatedAfter, CreatedBefore string // RFC 3339
	UpdatedAfter, UpdatedBefore string // RFC 3339
	IncludeDeleted              bool
	Limit                       int // 1-1000; the server's default (50) when 0
	Cursor                      string
}

func (o ListLinksOptions) query() url.Values {
	q := url.Values{}
	for _, kv := range [...]struct{ k, v string }{{"domain", o.Domain}, {"tag", o.Tag}, {"q", o.Q},
		{"created_after", o.CreatedAfter}, {"created_before", o.CreatedBefore},
		{"updated_after", o.UpdatedAfter}, {"updated_before", o.UpdatedBefore}, {"cursor", o.Cursor}} {
		if kv.v != "" {
			q.Set(kv.k, kv.v)
		}
	}
	if o.IncludeDeleted {
		q.Set("include_deleted", "true")
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

// LinkPage is one page of GET /v1/links. NextCursor, when not empty,
// fetches the next page (which may be short, even empty, under a selective
// filter); empty means this was the last page.
type LinkPage struct {
	Links      []Link `json:"links"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// CreateLink creates a link (POST /v1/links).
func (c *Client) CreateLink(ctx context.Context, req CreateLinkRequest, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodPost, "/v1/links", req, &l, opts)
}

// PutExternal creates or replaces the link with this external id
// (PUT /v1/links/external/{external_id}).
func (c *Client) PutExternal(ctx context.Context, externalID string, req CreateLinkRequest, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodPut, "/v1/links/external/"+escape(externalID), req, &l, opts)
}

// GetExternal returns the link with this external id.
func (c *Client) GetExternal(ctx context.Context, externalID string, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodGet, "/v1/links/external/"+escape(externalID), nil, &l, opts)
}

// GetLink returns one link (GET /v1/links/{id}).
func (c *Client) GetLink(ctx context.Context, id string, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodGet, "/v1/links/"+escape(id), nil, &l, opts)
}

// UpdateLink merge-patches a link (PATCH /v1/links/{id}) and returns it.
func (c *Client) UpdateLink(ctx context.Context, id string, patch LinkPatch, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodPatch, "/v1/links/"+escape(id), patch, &l, opts)
}

// DeleteLink deletes a link for good (DELETE /v1/links/{id}): it answers
// 404 from now on and keeps its path. It returns the deleted link.
func (c *Client) DeleteLink(ctx context.Context, id string, opts ...CallOption) (*Link, error) {
	var l Link
	return &l, c.do(ctx, http.MethodDelete, "/v1/links/"+escape(id), nil, &l, opts)
}

// ListLinks returns one page of links in id order.
func (c *Client) ListLinks(ctx context.Context, o ListLinksOptions, opts ...CallOption) (*LinkPage, error) {
	var p LinkPage
	return &p, c.do(ctx, http.MethodGet, withQuery("/v1/links", o.query()), nil, &p, opts)
}

// AllLinks yields every link matching o, following next_cursor from
// o.Cursor on; it stops at the first error, which it yields.
func (c *Client) AllLinks(ctx context.Context, o ListLinksOptions) iter.Seq2[Link, error] {
	return func(yield func(Link, error) bool) {
		for {
			p, err := c.ListLinks(ctx, o)
			if err != nil {
				yield(Link{}, err)
				return
			}
			for _, l := range p.Links {
				if !yield(l, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			o.Cursor = p.NextCursor
		}
	}
}

// QROptions choose a QR code's format ("png" or "svg") and size in pixels
// a side (64-2048); zero values are the server's defaults.
type QROptions struct {
	Format string
	Size   int
}

// LinkQR returns the QR code of a link's short URL (GET /v1/links/{id}/qr).
func (c *Client) LinkQR(ctx context.Context, id string, o QROptions) ([]byte, error) {
	q := url.Values{}
	if o.Format != "" {
		q.Set("format", o.Format)
	}
	if o.Size != 0 {
		q.Set("size", strconv.Itoa(o.Size))
	}
	return c.send(ctx, http.MethodGet, withQuery("/v1/links/"+escape(id)+"/qr", q), nil, nil)
}
