package qr

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// svgDoc is the part of the SVG that matters: the size, the viewBox and
// the dark modules' path.
type svgDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	Width   string   `xml:"width,attr"`
	Height  string   `xml:"height,attr"`
	ViewBox string   `xml:"viewBox,attr"`
	Rect    struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

// TestSVG parses the document as XML and redraws its path module by module:
// it must cover exactly the dark modules, offset by the quiet zone.
func TestSVG(t *testing.T) {
	for _, text := range []string{"a", "https://go.example.com/spring?qr=1", strings.Repeat("m", 213)} {
		c := mustEncode(t, text)
		b, err := c.SVG(DefaultSize)
		if err != nil {
			t.Fatal(err)
		}
		var doc svgDoc
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("version %d: not XML: %v\n%s", c.Version(), err, b)
		}
		w := strconv.Itoa(c.Width())
		if doc.Width != "256" || doc.Height != "256" || doc.ViewBox != "0 0 "+w+" "+w ||
			doc.Rect.Width != w || doc.Rect.Height != w || doc.Rect.Fill != "#fff" {
			t.Errorf("version %d: header %+v", c.Version(), doc)
		}
		if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
			t.Fatalf("version %d: want one black path, got %d", c.Version(), len(doc.Paths))
		}
		grid, err := redraw(doc.Paths[0].D, c.Width())
		if err != nil {
			t.Fatalf("version %d: %v", c.Version(), err)
		}
		for y := range c.Width() {
			for x := range c.Width() {
				if want := c.Dark(x-QuietZone, y-QuietZone); grid[y][x] != want {
					t.Fatalf("version %d: module (%d,%d) painted %v, dark %v", c.Version(), x, y, grid[y][x], want)
				}
			}
		}
	}
}

// redraw paints the runs of a path made of "Mx yhNv1h-Nz" subpaths on a
// w x w grid, refusing anything else and any module painted twice.
func redraw(d string, w int) ([][]bool, error) {
	grid := make([][]bool, w)
	for i := range grid {
		grid[i] = make([]bool, w)
	}
	for sub := range strings.SplitSeq(strings.TrimSuffix(d, "z"), "z") {
		var x, y, n, back int
		if _, err := fmt.Sscanf(sub, "M%d %dh%dv1h%d", &x, &y, &n, &back); err != nil {
			return nil, fmt.Errorf("subpath %q: %v", sub, err)
		}
		if back != -n || n < 1 || y < 0 || y >= w || x < 0 || x+n > w {
			return nil, fmt.Errorf("subpath %q is not a run inside the code", sub)
		}
		for i := x; i < x+n; i++ {
			if grid[y][i] {
				return nil, fmt.Errorf("subpath %q paints (%d,%d) again", sub, i, y)
			}
			grid[y][i] = true
		}
	}
	return grid, nil
}
