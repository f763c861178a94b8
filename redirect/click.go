package redirect

import (
	"net"
	"net/http"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// captureLogEvery bounds capture-error log lines to one per interval: when
// the spool fails it fails for every click, and the counter has the total.
const captureLogEvery = time.Second

// click is what the redirector decided for one served request.
type click struct {
	eventID         string
	typ             string   // schemas.ClickTypeClick or ClickTypeQRScan
	ruleID, variant string   // the routing choice, "" for the link's destination
	location        []string // the Location header sent
}

// capture records the click of a served redirect. Failures are logged
// (without the visitor's IP) and counted; the visitor is redirected anyway.
func (rd *Redirector) capture(r *http.Request, e *entry, c *click, now time.Time) {
	if err := rd.appendClick(r, e, c, now); err != nil {
		rd.captureFailed(e, now, err)
	}
}

func (rd *Redirector) captureFailed(e *entry, now time.Time, err error) {
	n := rd.captureErrors.Add(1)
	last := rd.lastCaptureLog.Load()
	if t := now.UnixNano(); t-last >= int64(captureLogEvery) && rd.lastCaptureLog.CompareAndSwap(last, t) {
		rd.log.Error("redirector: click not recorded", "link_id", e.link.ID, "capture_errors_total", n, "err", err)
	}
}

// clickSizeHint is the initial capacity of an encoded click: a typical one
// (long user agent, a few tags) fits without regrowing.
const clickSizeHint = 640

// appendClick encodes the click with the allocation-free encoder into one
// fresh buffer: ClickLog may keep the value, so it cannot come from a pool.
// now is the process clock, so the time is always encodable and the
// encoding equals RawClick.Marshal's.
func (rd *Redirector) appendClick(r *http.Request, e *entry, c *click, now time.Time) error {
	rc := newRawClick(r, e, c, now)
	value := rc.AppendJSON(make([]byte, 0, clickSizeHint))
	return rd.cfg.Clicks.Append(rd.cfg.Topic, e.key, value)
}

func newRawClick(r *http.Request, e *entry, c *click, now time.Time) schemas.RawClick {
	l := e.link
	return schemas.RawClick{
		V:              schemas.RawClickVersion,
		EventID:        c.eventID,
		Type:           c.typ,
		Time:           now.UTC(),
		WorkspaceID:    l.WorkspaceID,
		LinkID:         l.ID,
		Domain:         l.Domain,
		Path:           l.Path,
		Destination:    c.location[0],
		IP:             remoteIP(r.RemoteAddr),
		UserAgent:      r.Header.Get("User-Agent"),
		Referer:        r.Header.Get("Referer"),
		AcceptLanguage: r.Header.Get("Accept-Language"),
		UTM:            l.UTM,
		Tags:           l.Tags,
		Metadata:       l.Metadata,
		RuleID:         c.ruleID,
		Variant:        c.variant,
	}
}

// remoteIP is the host part of RemoteAddr ("203.0.113.9:5123" ->
// "203.0.113.9"). Proxy headers (X-Forwarded-For) are not trusted here;
// internal/app rewrites RemoteAddr for trusted proxies.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
