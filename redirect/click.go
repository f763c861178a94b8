package redirect

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// captureLogEvery bounds capture-error log lines to one per interval: when
// the spool fails it fails for every click, and the counter has the total.
const captureLogEvery = time.Second

// click is what the redirector decided for one served request.
type click struct {
	id              [36]byte // the event id, formatted, when hasID
	hasID           bool
	typ             string   // schemas.ClickTypeClick or ClickTypeQRScan
	ruleID, variant string   // the routing choice, "" for the link's destination
	location        []string // the Location header sent
}

// eventID is c's event id, "" when none could be made. It aliases c: the
// id is stored in the click itself rather than as a string, which would cost
// an allocation per click (a string pointing into c would move c to the
// heap instead).
func (c *click) eventID() string {
	if !c.hasID {
		return ""
	}
	return b2s(c.id[:])
}

// capture records the click of a served redirect. Failures are logged
// (without the visitor's IP) and counted; the visitor is redirected anyway.
func (rd *Redirector) capture(req *request, e *entry, c *click, now time.Time) {
	if err := rd.appendClick(req, e, c, now); err != nil {
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

// clickSizeHint is the initial capacity of a click buffer: a typical
// encoded click (long user agent, a few tags) fits without regrowing.
const clickSizeHint = 640

// maxPooledClick bounds the buffers kept for reuse, so that one huge click
// (a long agent and many tags) does not pin its buffer.
const maxPooledClick = 8 << 10

var clickBufs = sync.Pool{New: func() any { b := make([]byte, 0, clickSizeHint); return &b }}

// appendClick encodes the click with the allocation-free encoder into a
// pooled buffer: ClickLog does not keep the value (its contract). now is the
// process clock, so the time is always encodable and the encoding equals
// RawClick.Marshal's.
func (rd *Redirector) appendClick(req *request, e *entry, c *click, now time.Time) error {
	rc := newRawClick(req, e, c, now)
	bp := clickBufs.Get().(*[]byte)
	value := rc.AppendJSON((*bp)[:0])
	err := rd.cfg.Clicks.Append(rd.cfg.Topic, e.key, value)
	if cap(value) <= maxPooledClick {
		*bp = value
		clickBufs.Put(bp)
	}
	return err
}

func newRawClick(req *request, e *entry, c *click, now time.Time) schemas.RawClick {
	l := e.link
	return schemas.RawClick{
		V:              schemas.RawClickVersion,
		EventID:        c.eventID(),
		Type:           c.typ,
		Time:           now.UTC(),
		WorkspaceID:    l.WorkspaceID,
		LinkID:         l.ID,
		Domain:         l.Domain,
		Path:           l.Path,
		Destination:    c.location[0],
		IP:             req.ip,
		UserAgent:      req.userAgent,
		Referer:        req.referer,
		AcceptLanguage: req.acceptLanguage,
		UTM:            l.UTM,
		Tags:           l.Tags,
		Metadata:       l.Metadata,
		RuleID:         c.ruleID,
		Variant:        c.variant,
	}
}

// newEventID writes a new event id into dst: a UUIDv7 (RFC 9562) of now's
// Unix milliseconds and 74 random bits from crypto/rand, in the canonical
// 8-4-4-4-12 form. Ids are time-ordered to the millisecond and, being mostly
// random, unguessable: the click id appended for conversion tracking must
// not let anyone claim another visitor's click.
//
// Rejected: uuid.NewV7, which takes a process-wide mutex to order ids within
// a millisecond (nothing here needs that: the sinks dedup on the id, never
// sort by it) and allocates twice per id.
func newEventID(dst *[36]byte, now time.Time) error {
	var u [16]byte
	if _, err := rand.Read(u[6:]); err != nil {
		return err
	}
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint16(u[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(u[2:6], uint32(ms))
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // variant 10
	hex.Encode(dst[0:8], u[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], u[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], u[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], u[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:36], u[10:16])
	return nil
}
