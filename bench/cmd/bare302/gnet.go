package main

import (
	"bytes"
	"fmt"

	"github.com/panjf2000/gnet/v2"
)

// gnetServer answers on gnet's event loops with a hand-rolled HTTP/1.1
// reader that knows only the request line and the blank line that ends the
// headers (no bodies, no Connection: close, no timeouts): the ceiling of an
// event-loop Go server that does nothing but look a slug up, not a server
// anyone should deploy.
type gnetServer struct {
	gnet.BuiltinEventEngine
	dests map[string]string
}

var (
	headerEnd = []byte("\r\n\r\n")
	found     = []byte("HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: ")
	notFound  = []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
	badReq    = []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	tooLarge  = []byte("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
)

// maxHeader bounds an unfinished request's bytes, as fasthttp's default
// read buffer does.
const maxHeader = 4096

func (s *gnetServer) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	out := make([]byte, 0, 256)
	used := 0
	for {
		rest := buf[used:]
		end := bytes.Index(rest, headerEnd)
		if end < 0 {
			break
		}
		line := rest[:end]
		if i := bytes.IndexByte(line, '\r'); i >= 0 {
			line = line[:i]
		}
		sp1 := bytes.IndexByte(line, ' ')
		sp2 := bytes.LastIndexByte(line, ' ')
		if sp1 < 0 || sp2 <= sp1 {
			c.Write(badReq)
			return gnet.Close
		}
		path := line[sp1+1 : sp2]
		if q := bytes.IndexByte(path, '?'); q >= 0 {
			path = path[:q]
		}
		if dest, ok := s.dests[string(path)]; ok {
			out = append(out, found...)
			out = append(out, dest...)
			out = append(out, "\r\n\r\n"...)
		} else {
			out = append(out, notFound...)
		}
		used += end + len(headerEnd)
	}
	if len(buf)-used > maxHeader {
		c.Write(tooLarge)
		return gnet.Close
	}
	if used > 0 {
		c.Discard(used)
		c.Write(out)
	}
	return gnet.None
}

func serveGnet(addr string, dests map[string]string) error {
	err := gnet.Run(&gnetServer{dests: dests}, "tcp://"+addr, gnet.WithMulticore(true), gnet.WithReusePort(false))
	return fmt.Errorf("gnet: %w", err)
}
