package qr

import "strconv"

// SVG renders the code as a standalone SVG document, size x size pixels
// wide and high. The viewBox is in modules, quiet zone included, so the
// coordinates are small integers: a white square and one <path> of the dark
// modules, one subpath per horizontal run. size must be in MinSize..MaxSize
// and at least Width(), as for PNG; otherwise the error wraps ErrSize.
func (c *Code) SVG(size int) ([]byte, error) {
	if _, _, err := c.layout(size); err != nil {
		return nil, err
	}
	w := strconv.Itoa(c.Width())
	s := strconv.Itoa(size)
	// About a third of the modules are runs' starts; a run costs ~16 bytes.
	b := make([]byte, 0, 256+c.n*c.n*6)
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="`...)
	b = append(b, s...)
	b = append(b, `" height="`...)
	b = append(b, s...)
	b = append(b, `" viewBox="0 0 `...)
	b = append(b, w...)
	b = append(b, ' ')
	b = append(b, w...)
	b = append(b, `" shape-rendering="crispEdges"><rect width="`...)
	b = append(b, w...)
	b = append(b, `" height="`...)
	b = append(b, w...)
	b = append(b, `" fill="#fff"/><path fill="#000" d="`...)
	for y := range c.n {
		row := c.dark[y*c.n : (y+1)*c.n]
		for x := 0; x < c.n; {
			if !row[x] {
				x++
				continue
			}
			end := x + 1
			for end < c.n && row[end] {
				end++
			}
			// M x y: the run's top left; h n v1 h-n z: its outline.
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(x+QuietZone), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y+QuietZone), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(end-x), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(end-x), 10)
			b = append(b, 'z')
			x = end
		}
	}
	b = append(b, `"/></svg>`+"\n"...)
	return b, nil
}
