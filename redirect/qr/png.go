package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"sync"
)

// Pixel values of the 8-bit grayscale image.
const (
	light = 0xff
	dark  = 0x00
)

// The PNG is 8-bit grayscale compressed at png.BestSpeed. A two-colour
// paletted image would be written at 1 bit per pixel, about three times
// smaller (2.8 KiB instead of 11 KiB at 2048 pixels), but image/png then
// packs bits pixel by pixel and filters every row: 2-3x the CPU for an
// answer that clients cache anyway (see BenchmarkPNG).
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

// pixPool recycles pixel buffers (up to MaxSize*MaxSize bytes, 4 MiB).
var pixPool sync.Pool

// encoderPool lets pngEncoder reuse its compression state between images.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// PNG renders the code as a size x size grayscale PNG, black on white, with
// at least QuietZone modules of white around the symbol. size must be in
// MinSize..MaxSize and at least Width(); otherwise the error wraps ErrSize.
func (c *Code) PNG(size int) ([]byte, error) {
	scale, off, err := c.layout(size)
	if err != nil {
		return nil, err
	}
	pix := lightPixels(size * size)
	defer pixPool.Put(pix)
	img := &image.Gray{Pix: *pix, Stride: size, Rect: image.Rect(0, 0, size, size)}
	// Draw the first pixel row of each module row, then copy it down.
	for y := range c.n {
		top := (off + y*scale) * size
		row := img.Pix[top : top+size]
		for x := range c.n {
			if c.dark[y*c.n+x] {
				start := off + x*scale
				fill(row[start:start+scale], dark)
			}
		}
		for k := 1; k < scale; k++ {
			copy(img.Pix[top+k*size:top+(k+1)*size], row)
		}
	}
	var buf bytes.Buffer
	buf.Grow(size * 8) // a QR image compresses to a few bytes per pixel row
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// lightPixels returns n light pixels from pixPool or new.
func lightPixels(n int) *[]byte {
	p, _ := pixPool.Get().(*[]byte)
	if p == nil || cap(*p) < n {
		b := make([]byte, n)
		p = &b
	}
	*p = (*p)[:n]
	fill(*p, light)
	return p
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}
