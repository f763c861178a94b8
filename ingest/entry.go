package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// entryVersion is the first byte of every encoded spool entry. A new layout
// gets a new version; decodeEntry rejects versions it does not know.
const entryVersion = 1

// errEntryTruncated is returned when an encoded entry ends early.
var errEntryTruncated = errors.New("truncated")

// entry is what the spool stores under a record key: everything of a Record
// except its position, which the key carries.
//
// Layout (version 1), all integers as varints:
//
//	version byte | timestamp (unix ns, 0 = none) | len(key) key | len(value) value |
//	count(headers) { len(k) k | len(v) v }...
type entry struct {
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}

// encodedSize is an upper bound of len(appendEntry(nil, e)).
func (e *entry) encodedSize() int {
	n := 1 + binary.MaxVarintLen64 + 3*binary.MaxVarintLen64 + len(e.Key) + len(e.Value)
	for _, h := range e.Headers {
		n += 2*binary.MaxVarintLen64 + len(h.Key) + len(h.Value)
	}
	return n
}

// appendEntry appends the encoding of e to dst.
func appendEntry(dst []byte, e *entry) []byte {
	dst = append(dst, entryVersion)
	var ts int64
	if !e.Timestamp.IsZero() {
		ts = e.Timestamp.UnixNano()
	}
	dst = binary.AppendVarint(dst, ts)
	dst = appendBytes(dst, e.Key)
	dst = appendBytes(dst, e.Value)
	dst = binary.AppendUvarint(dst, uint64(len(e.Headers)))
	for _, h := range e.Headers {
		dst = appendBytes(dst, []byte(h.Key))
		dst = appendBytes(dst, h.Value)
	}
	return dst
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decodeEntry decodes b. The returned key, value and header values alias b.
// It never panics: malformed input returns an error naming the bad field.
func decodeEntry(b []byte) (entry, error) {
	var e entry
	if len(b) == 0 {
		return e, fmt.Errorf("decode spool entry: field version: %w", errEntryTruncated)
	}
	if b[0] != entryVersion {
		return e, fmt.Errorf("decode spool entry: field version: unsupported version %d", b[0])
	}
	d := decoder{buf: b[1:]}
	ts := d.varint("timestamp")
	e.Key = d.bytes("key")
	e.Value = d.bytes("value")
	n := d.uvarint("header count")
	// Each header takes at least two bytes: refuse counts the input cannot
	// hold before allocating for them.
	if d.err == nil && n > uint64(len(d.buf)/2) {
		d.err = fmt.Errorf("field header count: %d headers cannot fit in %d bytes", n, len(d.buf))
	}
	if d.err == nil && n > 0 {
		e.Headers = make([]Header, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			k := d.bytes("header key")
			v := d.bytes("header value")
			e.Headers = append(e.Headers, Header{Key: string(k), Value: v})
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.buf))
	}
	if d.err != nil {
		return entry{}, fmt.Errorf("decode spool entry: %w", d.err)
	}
	if ts != 0 {
		e.Timestamp = time.Unix(0, ts)
	}
	return e, nil
}

// decoder reads varint-framed fields and keeps the first error.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.err = fmt.Errorf("field %s: bad varint: %w", field, errEntryTruncated)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = fmt.Errorf("field %s: bad length: %w", field, errEntryTruncated)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) bytes(field string) []byte {
	n := d.uvarint(field)
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)) {
		d.err = fmt.Errorf("field %s: length %d exceeds the %d bytes left: %w", field, n, len(d.buf), errEntryTruncated)
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	if n == 0 {
		return nil
	}
	return b
}
