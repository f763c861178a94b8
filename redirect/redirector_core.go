package redirect

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// request is what the redirector reads of one HTTP request, whichever server
// parsed it. Its strings may alias the server's buffers (fasthttp): they are
// valid during the call only, and everything that outlives it copies them
// (the cache clones its keys on fill, the click is encoded into a fresh
// buffer).
type request struct {
	method string
	path   string // escaped path of the request target, with its leading '/'
	query  string // raw query of the request target, without '?'
	host   string // Host header, or the authority of an absolute-form target
	ip     string // the client's address, without port

	userAgent, referer, acceptLanguage string
}

// answer is the redirector's response, written out by a front-end. Its
// slices are shared and read-only.
type answer struct {
	status       int
	location     []string // Location header; nil: none
	contentType  []string // Content-Type header; nil: none
	body         []byte   // never sent to HEAD requests
	cacheControl bool     // Cache-Control: private, max-age=0
	allow        bool     // Allow: GET, HEAD (405 answers)
}

var (
	hdrCacheControl = []string{"private, max-age=0"}
	hdrTextPlain    = []string{"text/plain; charset=utf-8"}
	hdrTextHTML     = []string{"text/html; charset=utf-8"}
	hdrAllow        = []string{"GET, HEAD"}

	answerMethod   = plainAnswer(http.StatusMethodNotAllowed, "method not allowed\n")
	answerHealthy  = plainAnswer(http.StatusOK, "ok\n")
	answerReady    = plainAnswer(http.StatusOK, "ready\n")
	answerDraining = plainAnswer(http.StatusServiceUnavailable, "shutting down\n")
	answerNotFound = plainAnswer(http.StatusNotFound, "not found\n")
	answerGone     = plainAnswer(http.StatusGone, "link expired\n")
)

func plainAnswer(status int, body string) answer {
	return answer{status: status, contentType: hdrTextPlain, body: []byte(body)}
}

// answer is the redirect hot path, shared by both front-ends.
//
// Steps: parse host and path without allocating (ParsePath only allocates for
// %-escapes); Store.lookup returns the cached entry, whose Location header,
// record key and compiled route (rules, variants, split destinations) were
// computed once when the link entered the cache; pick the target (rules
// compute visitor attributes lazily); merge the incoming query only when
// there is one or the link tracks conversions; build and append the click;
// answer with the precomputed header slices. A link without routing hit
// without a query allocates only the click itself (event id, JSON encoding)
// and what the front-end's server allocates; a merged query adds its string.
//
// Rejected: routing through http.ServeMux with a "/{path...}" pattern. It
// answers unclean paths ("/a//b", "/a/../b") with its own 301 instead of
// letting our matching rules decide, and costs a pattern match per request.
// Rejected too: evaluating rules on the stored Link (re-parsing destination
// URLs and mapping names per request), and one handler per server library
// (two copies of the rules would drift apart).
func (rd *Redirector) answer(req *request) answer {
	if req.method != http.MethodGet && req.method != http.MethodHead {
		a := answerMethod
		a.allow = true
		return a
	}
	switch req.path {
	case "/healthz":
		return answerHealthy
	case "/" + readyzPath:
		if rd.notReady.Load() {
			return answerDraining
		}
		return answerReady
	}
	path, ok := ParsePath(req.path)
	if !ok {
		rd.notFound.Add(1)
		return answerNotFound
	}
	domain := rd.cfg.DefaultDomain
	if !rd.cfg.AnyHost {
		domain = hostOnly(req.host)
	}
	e := rd.cfg.Store.lookup(domain, path)
	l := e.link
	if l == nil || l.Disabled {
		rd.notFound.Add(1)
		return answerNotFound
	}
	now := rd.cfg.Now()
	if l.Expired(now) {
		rd.expired.Add(1)
		return expiredAnswer(e)
	}

	var c click
	if err := rd.decide(req, e, &c, now); err != nil {
		rd.captureFailed(e, now, err)
	} else {
		rd.capture(req, e, &c, now)
	}
	rd.served.Add(1)
	return answer{status: l.Code(), location: c.location, cacheControl: true}
}

// decide picks the visitor's target and fills c with the Location header
// and the click. An error means the click has no event id (the system's random
// source failed) and cannot be recorded; c is still a usable redirect.
func (rd *Redirector) decide(req *request, e *entry, c *click, now time.Time) (err error) {
	q := scanQuery(req.query, rd.cfg.ClickIDParam)
	v := newVisitor(req, rd.cfg.Geo)
	t, ruleID, variant := e.route.pick(&v, e.link.ID, &rd.variantKey)
	c.typ, c.ruleID, c.variant, c.location = schemas.ClickTypeClick, ruleID, variant, t.location
	if q.qr {
		c.typ = schemas.ClickTypeQRScan
	}
	if idErr := newEventID(&c.id, now); idErr != nil {
		err = fmt.Errorf("new event id: %w", idErr)
	} else {
		c.hasID = true
	}
	clickID := ""
	if e.link.TrackConversions {
		clickID = c.eventID()
	}
	if q.forward || clickID != "" {
		c.location = []string{t.merge(q, rd.cfg.ClickIDParam, clickID)}
	}
	return err
}

// expiredAnswer answers a request for an expired link (package doc, "Link
// states"). No click is recorded.
func expiredAnswer(e *entry) answer {
	switch {
	case e.expiredLoc == nil:
		a := answerGone
		a.cacheControl = true
		return a
	case e.link.ExpiredRedirect:
		return answer{status: http.StatusFound, location: e.expiredLoc, cacheControl: true}
	default:
		return answer{status: http.StatusGone, location: e.expiredLoc, contentType: hdrTextHTML,
			body: e.route.expiredBody, cacheControl: true}
	}
}

// hostOnly lower-cases host and strips its port and the trailing dot of a
// fully qualified name ("Go.Brand.com.:443" -> "go.brand.com",
// "[::1]:8080" -> "[::1]"). It does not allocate for a lower-case host.
func hostOnly(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			host = host[:i+1]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
