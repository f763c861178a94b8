// Package redirect serves branded short links: it owns the link store (pebble
// on local disk with an in-memory cache), the link API that creates links, and
// the redirector that answers GET go.brand.com/slug with a redirect and
// records one schemas.RawClick per served redirect.
//
// The pieces: OpenStore opens the Store (Create, Get, Put, Lookup, Apply);
// NewAPI returns the authenticated JSON link API over it; NewRedirector
// returns the Redirector, the public-facing handler, whose Stats are its
// counters. All three are safe for concurrent use.
//
// What lives elsewhere: the durable click spool and everything Kafka is in
// ingest/ (the redirector only sees the one-method ClickLog interface
// declared here); replication of links between redirect nodes through the
// compacted links.v1 topic is wired in cmd/ and calls Store.Apply.
//
// # Paths
//
// A link's path (its slug) follows these rules, checked by ValidatePath:
//
//   - 1 to MaxPathLen (190) bytes;
//   - characters A-Z a-z 0-9 . _ ~ - and '/' (the RFC 3986 unreserved set plus
//     the separator), so a path never needs escaping in a URL;
//   - no leading or trailing '/', no empty segment ("a//b"), no "." or ".."
//     segment;
//   - case-sensitive and stored exactly as given ("Spring" and "spring" are
//     two links);
//   - "healthz" is reserved for the redirector's health check.
//
// # Matching a request to a link
//
// The redirector takes the request's escaped path (URL.EscapedPath), strips
// the leading '/', strips at most one trailing '/' (a stored path never ends
// in '/', so "/spring/" can only mean "spring"), and percent-decodes it (see
// ParsePath). An encoded slash (%2F) is refused rather than treated as a
// separator. The decoded path must then satisfy the rules above and match a
// stored path exactly; anything else is a 404. The host comes from the Host
// header, lower-cased, port and a trailing '.' stripped (or is DefaultDomain
// when RedirectConfig.AnyHost is set).
//
// # UTM parameters
//
// A link's UTM fields are added to the destination's query as utm_source,
// utm_medium, utm_campaign, utm_term and utm_content. A field the link sets
// replaces any parameter of the same name already in the destination; a field
// the link leaves empty leaves the destination's own parameter alone. The rest
// of the destination's query is kept byte for byte, in order.
package redirect
