package redirect

import (
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
)

// captureLogEvery bounds capture-error log lines to one per interval: when
// the spool fails it fails for every click, and the counter has the total.
const captureLogEvery = time.Second

// capture records the click of a served redirect. Failures are logged
// (without the visitor's IP) and counted; the visitor is redirected anyway.
func (rd *Redirector) capture(r *http.Request, e *entry, now time.Time) {
	err := rd.appendClick(r, e, now)
	if err == nil {
		return
	}
	n := rd.captureErrors.Add(1)
	last := rd.lastCaptureLog.Load()
	if t := now.UnixNano(); t-last >= int64(captureLogEvery) && rd.lastCaptureLog.CompareAndSwap(last, t) {
		rd.log.Error("redirector: click not recorded", "link_id", e.link.ID, "capture_errors_total", n, "err", err)
	}
}

func (rd *Redirector) appendClick(r *http.Request, e *entry, now time.Time) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	c := newRawClick(r, e, id.String(), now)
	value, err := c.Marshal()
	if err != nil {
		return err
	}
	return rd.cfg.Clicks.Append(schemas.TopicClicksRaw, e.key, value)
}

func newRawClick(r *http.Request, e *entry, eventID string, now time.Time) schemas.RawClick {
	l := e.link
	return schemas.RawClick{
		V:              schemas.RawClickVersion,
		EventID:        eventID,
		Type:           schemas.ClickTypeClick,
		Time:           now.UTC(),
		WorkspaceID:    l.WorkspaceID,
		LinkID:         l.ID,
		Domain:         l.Domain,
		Path:           l.Path,
		Destination:    e.location[0],
		IP:             remoteIP(r.RemoteAddr),
		UserAgent:      r.Header.Get("User-Agent"),
		Referer:        r.Header.Get("Referer"),
		AcceptLanguage: r.Header.Get("Accept-Language"),
		UTM:            l.UTM,
		Tags:           l.Tags,
		Metadata:       l.Metadata,
	}
}

// remoteIP is the host part of RemoteAddr ("203.0.113.9:5123" ->
// "203.0.113.9"). Proxy headers (X-Forwarded-For) are not trusted.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
