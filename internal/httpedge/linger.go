package httpedge

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Linger bounds a lingering close. When a server answers before it has
// read a whole request (a body over the limit, headers it refused) and
// then closes, the kernel resets the connection if the client's unread
// bytes are still arriving, and a client that sends its whole body before
// it reads (Python's urllib, many others) sees "broken pipe" or "connection
// reset" instead of the answer. So, as nginx's lingering_close does, the
// connection is half-closed (FIN after the answer), and what the client
// still sends is read and thrown away until it closes, or until Bytes have
// been discarded, or Time has passed, whichever comes first; only then is
// the socket closed.
type Linger struct {
	Bytes int64         // at most this many bytes are discarded
	Time  time.Duration // for at most this long, from the close
}

// DefaultLinger discards up to 16 MiB for up to 2 s: enough for a client
// that streams a body of 10 MB over loopback or a LAN before reading (the
// case reported in issue 11), and a bound on what one refused client can
// cost: one goroutine and a socket for 2 s, no memory beyond a copy buffer.
// A client slower than that, or sending more, gets the reset it would have
// got without lingering.
var DefaultLinger = Linger{Bytes: 16 << 20, Time: 2 * time.Second}

// Listen wraps ln so that the connections it accepts linger on close when
// the server marked them (see LingerOnClose) or half-closed them.
func Listen(ln net.Listener, l Linger) net.Listener {
	return &listener{Listener: ln, linger: l}
}

type listener struct {
	net.Listener
	linger Linger
	api    bool // connections record what JSONErrors needs (apiConn)
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	conn := &Conn{Conn: c, linger: l.linger}
	if l.api {
		conn.api = &apiConn{}
	}
	return conn, nil
}

// Conn is a connection accepted by a Listen listener.
type Conn struct {
	net.Conn
	linger    Linger
	lingering atomic.Bool
	closeOnce sync.Once
	closeErr  error
	api       *apiConn // nil but on JSONErrors listeners
}

// LingerOnClose marks c, when it is a Conn, to linger when it is closed:
// the server is about to close it with request bytes possibly unread. It
// is for servers that do not half-close first (fasthttp); net/http's
// half-close (CloseWrite) marks the connection by itself.
func LingerOnClose(c net.Conn) {
	if c, ok := c.(*Conn); ok {
		c.lingering.Store(true)
	}
}

// CloseWrite half-closes the connection and marks it to linger: net/http
// calls it when it closes a connection whose request it did not read
// whole (a body over a MaxBytesReader limit, a body the handler left,
// headers over MaxHeaderBytes).
func (c *Conn) CloseWrite() error {
	c.lingering.Store(true)
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close closes the connection, after a lingering read when it was marked.
// It may block for up to the Linger's Time; later calls wait for the first.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		if c.lingering.Load() {
			c.discard()
		}
		c.closeErr = c.Conn.Close()
	})
	return c.closeErr
}

// discard sends FIN (the answer is complete) and reads what the client
// still sends, within the Linger's bounds.
func (c *Conn) discard() {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() != nil {
			return // the connection is gone already
		}
	}
	if c.Conn.SetReadDeadline(time.Now().Add(c.linger.Time)) != nil {
		return
	}
	io.CopyN(io.Discard, c.Conn, c.linger.Bytes)
}
