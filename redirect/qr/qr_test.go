package qr

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decode reads the QR code in a PNG with an independent decoder (ZXing's Go
// port, used in tests only) the way a scanner does: locating the finder
// patterns, not trusting the layout. It returns the text and the error
// correction level.
func decode(t testing.TB, pngBytes []byte) (text, level string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("binary bitmap: %v", err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	level, _ = res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return res.GetText(), level
}

func mustEncode(t testing.TB, text string) *Code {
	t.Helper()
	c, err := Encode(text)
	if err != nil {
		t.Fatalf("Encode(%d bytes): %v", len(text), err)
	}
	return c
}

// TestRoundTrip encodes, renders and decodes short URLs of many shapes
// (numeric, alphanumeric and byte segments, UTF-8) at sizes from the
// smallest to the largest.
func TestRoundTrip(t *testing.T) {
	base := "https://go.example.com/"
	tests := []struct {
		name, text string
		size       int
	}{
		{"shortest", "a", MinSize},
		{"digits only", "01234567", DefaultSize},
		{"upper case and digits", "HTTPS://GO.EXAMPLE.COM/SPRING26?QR=1", DefaultSize},
		{"typical short link", base + "spring?qr=1", DefaultSize},
		{"mixed case slug", base + "aZ3kP9q?qr=1", 100},
		{"deep path", base + "campaigns/2026/spring/email-a?qr=1", 300},
		{"long path", base + strings.Repeat("product-", 20) + "x?qr=1", 512},
		{"longest path", base + strings.Repeat("p", 190) + "?qr=1", 1000},
		{"UTF-8", base + "café-crème?qr=1", DefaultSize},
		{"largest image", base + "big?qr=1", MaxSize},
		{"odd size", base + "odd?qr=1", 333},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustEncode(t, tc.text)
			img, err := c.PNG(tc.size)
			if err != nil {
				t.Fatalf("PNG(%d): %v", tc.size, err)
			}
			got, level := decode(t, img)
			if got != tc.text {
				t.Errorf("decoded %q, want %q", got, tc.text)
			}
			if level != "M" {
				t.Errorf("error correction level %q, want M", level)
			}
		})
	}
}

// TestVersions checks the capacity of each version at level M against the
// specification's table (bytes in byte mode, ISO/IEC 18004 table 7): the
// longest text of each version must fit it and one byte more must not.
// Every version up to 25 (997 bytes, near MaxTextLen) must decode.
func TestVersions(t *testing.T) {
	capacity := []int{0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911, 997}
	for v := 1; v < len(capacity); v++ {
		for _, n := range []int{capacity[v], capacity[v] + 1} {
			want := v
			if n > capacity[v] {
				want = v + 1
			}
			text := strings.Repeat("q", n) // lower case letters: byte mode only
			c := mustEncode(t, text)
			if c.Version() != want {
				t.Errorf("%d bytes: version %d, want %d", n, c.Version(), want)
			}
			if c.Modules() != 17+4*want || c.Width() != c.Modules()+2*QuietZone {
				t.Errorf("%d bytes: %d modules, width %d", n, c.Modules(), c.Width())
			}
			if n > capacity[v] {
				continue
			}
			img, err := c.PNG(4 * c.Width())
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := decode(t, img); got != text {
				t.Errorf("version %d: decoded %d bytes, want %d", v, len(got), n)
			}
		}
	}
}

// TestFunctionPatterns checks the fixed parts of the symbol that every
// scanner relies on: three finder patterns with their separators, the timing
// patterns and the dark module.
func TestFunctionPatterns(t *testing.T) {
	for _, text := range []string{"a", "https://go.example.com/x?qr=1", strings.Repeat("z", 200)} {
		c := mustEncode(t, text)
		n := c.Modules()
		for _, corner := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
			for dy := -1; dy <= 7; dy++ {
				for dx := -1; dx <= 7; dx++ {
					x, y := corner[0]+dx, corner[1]+dy
					if x < 0 || y < 0 || x >= n || y >= n {
						continue
					}
					ring := max(abs(dx-3), abs(dy-3)) // 0 centre .. 4 separator
					want := ring != 2 && ring != 4
					if c.Dark(x, y) != want {
						t.Fatalf("version %d: finder at %v: module (%d,%d) dark=%v", c.Version(), corner, x, y, !want)
					}
				}
			}
		}
		for i := 8; i < n-8; i++ {
			if c.Dark(i, 6) != (i%2 == 0) || c.Dark(6, i) != (i%2 == 0) {
				t.Fatalf("version %d: timing pattern broken at %d", c.Version(), i)
			}
		}
		if !c.Dark(8, n-8) {
			t.Errorf("version %d: no dark module at (8,%d)", c.Version(), n-8)
		}
		if c.Dark(-1, 0) || c.Dark(0, n) {
			t.Error("Dark outside the symbol is true")
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name, text string
		is         error
		msg        string
	}{
		{"empty", "", nil, "empty text"},
		{"too long", strings.Repeat("a", MaxTextLen+1), ErrTooLong, "1025 bytes, at most 1024"},
		{"invalid UTF-8", "https://go.example.com/\xff", nil, "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Encode(tc.text)
			if err == nil || c != nil {
				t.Fatalf("Encode = %v, %v; want an error", c, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
	if _, err := Encode(strings.Repeat("a", MaxTextLen)); err != nil {
		t.Errorf("Encode(MaxTextLen bytes): %v", err)
	}
}

func TestSizeErrors(t *testing.T) {
	small := mustEncode(t, "https://go.example.com/s?qr=1") // version 3: 37 modules with the quiet zone
	large := mustEncode(t, strings.Repeat("w", 331))        // version 13: 77 modules with the quiet zone
	tests := []struct {
		name string
		c    *Code
		size int
		msg  string // "" means no error
	}{
		{"minimum", small, MinSize, ""},
		{"maximum", small, MaxSize, ""},
		{"below minimum", small, MinSize - 1, "63 pixels, want 64 to 2048"},
		{"above maximum", small, MaxSize + 1, "2049 pixels, want 64 to 2048"},
		{"zero", small, 0, "0 pixels"},
		{"negative", small, -256, "-256 pixels"},
		{"fewer pixels than modules", large, 76, "below the 77 modules of this version 13 code"},
		{"one pixel per module", large, 77, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for format, render := range map[string]func(int) ([]byte, error){"png": tc.c.PNG, "svg": tc.c.SVG} {
				b, err := render(tc.size)
				switch {
				case tc.msg == "" && err != nil:
					t.Errorf("%s: %v", format, err)
				case tc.msg == "" && len(b) == 0:
					t.Errorf("%s: empty image", format)
				case tc.msg != "" && (err == nil || !errors.Is(err, ErrSize) || !strings.Contains(err.Error(), tc.msg)):
					t.Errorf("%s: error %v, want ErrSize saying %q", format, err, tc.msg)
				}
			}
		})
	}
}

// TestPNGLayout checks the pixels: the requested size, whole pixels per
// module, the symbol centred with at least the quiet zone around it.
func TestPNGLayout(t *testing.T) {
	c := mustEncode(t, "https://go.example.com/layout?qr=1")
	for _, size := range []int{MinSize, 100, DefaultSize, 257, 1000} {
		b, err := c.PNG(size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds(); got != image.Rect(0, 0, size, size) {
			t.Fatalf("size %d: bounds %v", size, got)
		}
		scale := size / c.Width()
		off := (size-scale*c.Width())/2 + QuietZone*scale
		dark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
		for y := range size {
			for x := range size {
				mx, my := (x-off)/scale, (y-off)/scale
				if x < off || y < off {
					mx, my = -1, -1
				}
				if dark(x, y) != c.Dark(mx, my) {
					t.Fatalf("size %d: pixel (%d,%d) dark=%v, module (%d,%d) dark=%v", size, x, y, dark(x, y), mx, my, c.Dark(mx, my))
				}
			}
		}
		if off < QuietZone*scale || size-off-c.Modules()*scale < QuietZone*scale {
			t.Errorf("size %d: quiet zone %d and %d pixels, want %d", size, off, size-off-c.Modules()*scale, QuietZone*scale)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
