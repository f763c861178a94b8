package qr

import (
	"errors"
	"fmt"
)

// Image sizes in pixels, the width and height of a rendered code.
const (
	DefaultSize = 256  // what the link API draws without ?size=
	MinSize     = 64   // smaller prints do not scan reliably
	MaxSize     = 2048 // bounds the memory and time of one PNG (4 MiB of pixels)
)

// ErrSize is wrapped by the errors of PNG and SVG for a size outside
// MinSize..MaxSize or below the code's Width (one pixel per module).
var ErrSize = errors.New("qr: bad image size")

// layout places the code in a size x size image: scale pixels per module
// and the symbol's first pixel at off on both axes. Every module is the
// same whole number of pixels, so edges stay sharp; the pixels left over
// widen the quiet zone evenly.
func (c *Code) layout(size int) (scale, off int, err error) {
	if size < MinSize || size > MaxSize {
		return 0, 0, fmt.Errorf("%w: %d pixels, want %d to %d", ErrSize, size, MinSize, MaxSize)
	}
	w := c.Width()
	scale = size / w
	if scale < 1 {
		return 0, 0, fmt.Errorf("%w: %d pixels is below the %d modules of this version %d code, quiet zone included",
			ErrSize, size, w, c.version)
	}
	return scale, (size-scale*w)/2 + QuietZone*scale, nil
}
