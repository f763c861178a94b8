// Package redirect serves branded short links: it owns the link model, the
// link store (pebble on local disk with an in-memory cache) and the
// redirector that answers GET go.brand.com/slug with a redirect and records
// one schemas.RawClick per served redirect.
//
// The pieces: OpenStore opens the Store (Create, CreateBatch, Get, Put,
// Lookup, ApplyNewerUnsynced, List, GetByExternalID, NextFreePath); NewRedirector
// returns the Redirector, the public-facing handler, whose Stats are its
// counters. Both are safe for concurrent use.
//
// What lives elsewhere: the HTTP link API (routes, keys, workspaces,
// templates, audit, idempotency, bulk jobs, QR codes) is linkapi/, above
// this package: it creates links through the Store and keeps its own
// records in the Store's pebble database (Store.DB) under prefixes of its
// own. This package imports none of it. The durable click spool and
// everything Kafka is in ingest/ (the redirector only sees the one-method
// ClickLog interface declared here); replication of links between redirect nodes through the
// compacted links.v1 topic is wired in internal/app (linksync.go) and calls
// Store.ApplyNewerUnsynced, then SetReplicaOffsets.
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
//   - "healthz" and "readyz" are reserved for the redirector's health and
//     readiness checks.
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
//
// # Routing
//
// A link may carry Rules and Variants. At redirect time the rules are tried
// in order and the first whose criteria all hold sends the visitor to its
// destination (an http(s) URL or an app deep link such as "myapp://item/42";
// javascript:, data: and other schemes that run in the browser are refused):
//
//   - devices and os: from enrich.ClassifyUserAgent of the User-Agent; bots
//     and unknown agents match no device or OS criterion;
//   - countries: RedirectConfig.Geo's country of the client address (the
//     same .mmdb as the enrich stage); without a Geo they never match;
//   - languages: the primary subtag of the most preferred Accept-Language
//     entry (enrich.PrimaryLanguage), so "fr-CH, en;q=0.8" is "fr".
//
// When no rule matched and the link has variants, the visitor's A/B bucket
// picks one, in proportion to the weights: a keyed hash of link id, client
// address and User-Agent (RedirectConfig.VisitorSecret), so a visitor keeps
// their variant on every click and every node. Otherwise the link's own
// DestinationURL is used. The link's UTM fields are merged into every
// destination as above. The choice is recorded on the click as rule_id or
// variant. Routing is compiled when the link enters the cache; a request
// only classifies its User-Agent, parses Accept-Language or looks up its
// country if some rule of the link asks.
//
// # Query parameters
//
// The short link's own query is passed through to the destination.
// Precedence, lowest first: the destination's parameters, the link's UTM
// fields, the incoming parameters; an incoming key replaces every
// parameter of that key (compared after percent-decoding) and incoming
// parameters follow the destination's, in their order. Two parameters are
// reserved, consumed and never forwarded: "qr" ("qr=1" records the click as
// a QR scan) and the click id parameter (RedirectConfig.ClickIDParam,
// "ct_click" by default). For a link with TrackConversions, the click id
// parameter is appended with the click's event id, replacing any the
// destination has. At most MaxForwardedQuery bytes and 64 incoming
// parameters are forwarded; bytes not allowed in a query, ';' and stray '%'
// are percent-encoded. The fragment of the destination stays last.
//
// # Link states
//
// A disabled link answers 404, like an unknown one. From ExpiresAt on, a
// link answers 410 Gone and records no click: with an ExpiredURL, the
// answer carries Location: ExpiredURL and a small HTML page linking to it
// (browsers do not follow Location on a 410), or, when ExpiredRedirect is
// set, is a 302 to ExpiredURL. A live link answers its RedirectCode: 301,
// 302 (the default) or 307. /readyz answers 200 until SetReady(false), then
// 503; redirects keep being served while a shutdown drains.
//
// # Link lifecycle
//
// The link API (linkapi) creates, patches and deletes links. A deleted
// link has DeletedAt set: it answers 404 at the redirector and keeps its
// path reserved. A link may carry an ExternalID, unique per workspace
// (index "x/<workspace>/<external id>"), which Create, Put and the replica
// path keep unique. Store.List lists a workspace's links in id order with
// filters (see it for the cost).
package redirect
