package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/valyala/fasthttp"

	"github.com/clicktrail/clicktrail/internal/httpedge"
)

// The redirect front-ends' answers to requests they refuse before the
// redirector sees them: 413 for a body over serverLimits.body, 431 for a
// request line and headers over serverLimits.header, 408 for a request
// not read in time, 400 for anything malformed. They are text, as the
// redirector's own errors are; the link API's are JSON (serveAPI). Both
// front-ends give the same statuses (TestRedirectFrontEndErrors), and the
// connection lingers after them (httpedge.Linger) so that a client still
// sending its body reads the answer.

// fastError is fasthttp's ErrorHandler: it runs only for a request
// fasthttp could not read (never on the redirect path), and tells what
// went wrong by status; fasthttp's default answers 400 to a body over
// MaxRequestBodySize.
func fastError(ctx *fasthttp.RequestCtx, err error) {
	httpedge.LingerOnClose(ctx.Conn()) // fasthttp closes the connection after an error answer
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		ctx.Error("request body too large\n", http.StatusRequestEntityTooLarge)
	case errors.As(err, &small):
		ctx.Error("request line and headers too large\n", http.StatusRequestHeaderFieldsTooLarge)
	case errors.As(err, &netErr) && netErr.Timeout():
		ctx.Error("request timeout\n", http.StatusRequestTimeout)
	default:
		ctx.Error("malformed request\n", http.StatusBadRequest)
	}
}

// fastExpect is fasthttp's ExpectHandler: a request that waits for
// "100 Continue" with a body over limit is refused before it sends it.
func fastExpect(limit int) func(*fasthttp.RequestCtx) int {
	return func(ctx *fasthttp.RequestCtx) int {
		if ctx.Request.Header.ContentLength() > limit {
			httpedge.LingerOnClose(ctx.Conn())
			return http.StatusRequestEntityTooLarge
		}
		return http.StatusContinue
	}
}

// limitBody gives the net/http redirect front-end fasthttp's body limit:
// 413 for a body over limit. A request without a body (every redirect)
// costs one comparison; a chunked body is read here, up to limit.
func limitBody(h http.Handler, limit int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > int64(limit) {
			tooLarge(w, r, limit)
			return
		}
		if r.ContentLength < 0 { // chunked: its size is known once read
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(limit)))
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				tooLarge(w, r, limit)
				return
			}
			if err != nil {
				http.Error(w, "malformed request body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
		}
		h.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, r *http.Request, limit int) {
	httpedge.LingerRequest(r) // the body is not read: let the client finish sending it
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("request body larger than %d bytes", limit), http.StatusRequestEntityTooLarge)
}

// openAPIRoutes reads the route table of an API from the OpenAPI
// document it serves at /v1/openapi.json, for its 405 answers
// (httpedge.Routes). The link API's route table is its own; the document
// is the one view of it it publishes.
func openAPIRoutes(api http.Handler) (*httpedge.Routes, error) {
	r, err := http.NewRequest(http.MethodGet, "/v1/openapi.json", nil)
	if err != nil {
		return nil, err
	}
	r.RemoteAddr = "127.0.0.1:0"
	rec := &docRecorder{header: http.Header{}}
	api.ServeHTTP(rec, r)
	if rec.status != 0 && rec.status != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/openapi.json: status %d", rec.status)
	}
	return httpedge.RoutesFromOpenAPI(rec.body.Bytes())
}

// docRecorder is the http.ResponseWriter openAPIRoutes reads the document with.
type docRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (d *docRecorder) Header() http.Header         { return d.header }
func (d *docRecorder) WriteHeader(status int)      { d.status = status }
func (d *docRecorder) Write(p []byte) (int, error) { return d.body.Write(p) }
