package linkapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/qr"
)

// qrRoutes serve QR codes of links.
var qrRoutes = []apiRoute{qrRoute}

// qrRoute is GET /v1/links/{id}/qr. Its registered pattern is
// /v1/links/{id}/{sub}: /v1/links/{id}/qr itself would conflict on ServeMux
// with /v1/links/external/{external_id} (both match /v1/links/external/qr
// and neither is more specific), so serveQR answers 404 for every sub but
// "qr", and /v1/links/external/qr stays the external-id lookup, the more
// specific pattern. For the same reason the 405 answers of both paths must
// be registered per method: a method-less /v1/links/external/{external_id}
// conflicts with GET /v1/links/{id}/{sub}.
var qrRoute = apiRoute{
	method: "GET", pattern: "/v1/links/{id}/qr", muxPattern: "/v1/links/{id}/{sub}",
	summary: "The QR code of the link's short URL, tagged ?" + redirect.QRParam + "=1 so that scans are recorded as qr_scan. " +
		"ETag and If-None-Match give 304. " +
		"Disabled and deleted links still get their code: scans then answer 404, like clicks",
	query:  qrQuery,
	media:  []string{"image/png", "image/svg+xml"},
	status: http.StatusOK,
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
	scopes: []string{"links:read"}, handle: (*api).serveQR,
}

// qrParams are the query parameters of GET /v1/links/{id}/qr.
type qrParams struct {
	format string // "png" or "svg"
	size   int    // pixels a side
}

// qrQuery are the query parameters of GET /v1/links/{id}/qr.
var qrQuery = []queryParam{
	{"format", "string", "png (the default) or svg."},
	{"size", "integer", "Pixels a side, " + strconv.Itoa(qr.MinSize) + "-" + strconv.Itoa(qr.MaxSize) + " (default " + strconv.Itoa(qr.DefaultSize) + ")."},
}

var qrParamNames = queryNames(qrQuery)

// qrContentTypes maps a format to its media type.
var qrContentTypes = map[string]string{"png": "image/png", "svg": "image/svg+xml"}

// qrCacheControl lets the client (never a shared cache) keep a code for an
// hour without asking; after that If-None-Match revalidates it cheaply.
const qrCacheControl = "private, max-age=3600"

// qrRenderVersion is part of every QR ETag: bump it when the rendering
// changes (colours, quiet zone, encoder), so cached images are replaced.
const qrRenderVersion = "1"

// parseQRParams reads the query of GET /v1/links/{id}/qr, or returns an
// *APIError naming the bad parameter.
func parseQRParams(values map[string][]string) (qrParams, *APIError) {
	p := qrParams{format: "png", size: qr.DefaultSize}
	if aerr := CheckQuery(values, qrParamNames); aerr != nil {
		return p, aerr
	}
	if v, ok := values["format"]; ok {
		if _, known := qrContentTypes[v[0]]; !known {
			return p, BadRequest(CodeInvalidField, "format", "want png or svg")
		}
		p.format = v[0]
	}
	if v, ok := values["size"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < qr.MinSize || n > qr.MaxSize {
			return p, BadRequest(CodeInvalidField, "size",
				"want a whole number of pixels from "+strconv.Itoa(qr.MinSize)+" to "+strconv.Itoa(qr.MaxSize))
		}
		p.size = n
	}
	return p, nil
}

// qrText is what a link's QR code holds: its short URL with the scan marker
// that makes the redirector record the visit as a qr_scan.
func (a *api) qrText(l *redirect.Link) string {
	return a.linkResponse(l).ShortURL + "?" + redirect.QRParam + "=1"
}

// qrETag is a weak validator (the same code may compress to other bytes
// after an upgrade of image/png) over everything the answer depends on.
func qrETag(l *redirect.Link, text string, p qrParams) string {
	h := sha256.New()
	for _, part := range []string{qrRenderVersion, l.ID, l.UpdatedAt.UTC().Format(time.RFC3339Nano), text, p.format, strconv.Itoa(p.size)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return `W/"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// serveQR answers GET /v1/links/{id}/qr (see qrRoute).
//
// A disabled or deleted link still gets its code, as Bitly does: the code
// only holds the short URL, whose path stays reserved after a delete, so it
// can never lead elsewhere; scans answer 404 like clicks (and a disabled
// link that is enabled again works for codes already printed). The link's
// state is in GET /v1/links/{id}. A link of another workspace is 404
// (loadLink).
func (a *api) serveQR(w http.ResponseWriter, r *http.Request) {
	if s, ok := a.linkSubs[r.PathValue("sub")]; ok {
		s.h.ServeHTTP(w, r)
		return
	}
	if r.PathValue("sub") != "qr" {
		WriteError(w, &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no such route"})
		return
	}
	p, aerr := parseQRParams(r.URL.Query())
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	l, aerr := a.loadLink(r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	text := a.qrText(l)
	etag := qrETag(l, text, p)
	h := w.Header()
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Set("ETag", etag)
		h.Set("Cache-Control", qrCacheControl)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	code, err := qr.Encode(text)
	if err != nil {
		a.internalError(w, "encode the QR code of "+l.ID, err)
		return
	}
	var img []byte
	if p.format == "svg" {
		img, err = code.SVG(p.size)
	} else {
		img, err = code.PNG(p.size)
	}
	if errors.Is(err, qr.ErrSize) { // in range, but fewer pixels than this long URL's modules
		WriteError(w, BadRequest(CodeInvalidField, "size", strings.TrimPrefix(err.Error(), "qr: ")))
		return
	}
	if err != nil {
		a.internalError(w, "render the QR code of "+l.ID, err)
		return
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", qrCacheControl)
	h.Set("Content-Type", qrContentTypes[p.format])
	h.Set("Content-Length", strconv.Itoa(len(img)))
	h.Set("Content-Disposition", `inline; filename="`+l.ID+`-qr.`+p.format+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(img)
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2):
// "*" or any listed tag equal to etag once W/ prefixes are ignored.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(ifNoneMatch, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}
