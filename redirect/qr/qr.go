// Package qr draws QR codes of short links for the link API
// (GET /v1/links/{id}/qr in package redirect), as PNG or SVG images.
//
// Encoding (segments, Reed-Solomon, mask choice by the penalty rules, format
// and version information) is github.com/skip2/go-qrcode's, always at error
// correction level M (15% of the symbol may be damaged), the level most
// generators default to for URLs printed on paper. This package owns the
// rendering: a 4-module quiet zone, whole pixels per module at the requested
// image size, and a compact SVG path. The HTTP side (parameters, caching,
// the scan marker that makes the redirector record a qr_scan) lives in
// package redirect.
package qr

import (
	"errors"
	"fmt"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the white border, in modules, around every rendered code:
// the minimum the QR specification asks for so scanners find the symbol.
const QuietZone = 4

// MaxTextLen bounds the text of a code in bytes. A level-M code holds at
// most 2,331 bytes; short URLs are far shorter, and a scanner reads a small
// code much more reliably than a version-40 one.
const MaxTextLen = 1024

// ErrTooLong is returned by Encode for a text over MaxTextLen bytes.
var ErrTooLong = errors.New("qr: text too long")

// Code is an encoded QR symbol. It is immutable and safe for concurrent use.
type Code struct {
	n       int    // modules per side, without the quiet zone
	dark    []bool // n*n modules, row by row; true is dark
	version int    // 1..40
}

// Encode returns the QR code of text at error correction level M, in the
// smallest version that holds it. text must be valid UTF-8, not empty and at
// most MaxTextLen bytes; other texts get an error saying which rule failed.
func Encode(text string) (*Code, error) {
	switch {
	case text == "":
		return nil, errors.New("qr: empty text")
	case len(text) > MaxTextLen:
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(text), MaxTextLen)
	case !utf8.ValidString(text):
		return nil, errors.New("qr: text is not valid UTF-8")
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: encode %d bytes: %w", len(text), err)
	}
	// The quiet zone is ours to draw; without it the library also scores
	// the masks on the symbol alone, as the specification does. Bitmap
	// builds the symbol and must be called once per qrcode.QRCode: a second
	// call appends the terminator again.
	q.DisableBorder = true
	rows := q.Bitmap()
	c := &Code{n: len(rows), dark: make([]bool, 0, len(rows)*len(rows)), version: q.VersionNumber}
	for _, row := range rows {
		if len(row) != c.n {
			return nil, fmt.Errorf("qr: encoder returned a %dx%d symbol", len(row), c.n)
		}
		c.dark = append(c.dark, row...)
	}
	if want := 17 + 4*c.version; c.n != want {
		return nil, fmt.Errorf("qr: version %d symbol has %d modules a side, want %d", c.version, c.n, want)
	}
	return c, nil
}

// Version is the symbol's version, 1 to 40: version v has 17+4v modules a
// side.
func (c *Code) Version() int { return c.version }

// Modules is the number of modules a side, without the quiet zone.
func (c *Code) Modules() int { return c.n }

// Width is the number of modules a side of a rendered image: Modules plus a
// quiet zone on each side. An image of size pixels needs size >= Width.
func (c *Code) Width() int { return c.n + 2*QuietZone }

// Dark reports whether the module at column x, row y of the symbol (0-based,
// quiet zone excluded) is dark. Modules outside the symbol are light.
func (c *Code) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= c.n || y >= c.n {
		return false
	}
	return c.dark[y*c.n+x]
}
