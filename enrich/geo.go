package enrich

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/oschwald/geoip2-golang"
)

// geo is the location of an address; the zero value means unknown.
type geo struct {
	Country, Region, City string
}

// geoDB looks addresses up in a MaxMind City or Country database.
type geoDB struct {
	r   *geoip2.Reader
	log *slog.Logger
}

// openGeoDB opens and validates the .mmdb at path: it must be a MaxMind
// database whose type names a City or Country database.
func openGeoDB(path string, log *slog.Logger) (*geoDB, error) {
	// An empty file fails the memory map with a bare "invalid argument".
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, fmt.Errorf("open geoip database %q: file is empty", path)
	}
	r, err := geoip2.Open(path)
	if err != nil {
		if r != nil {
			r.Close()
		}
		return nil, fmt.Errorf("open geoip database %q: %w", path, err)
	}
	typ := r.Metadata().DatabaseType
	if !strings.Contains(typ, "City") && !strings.Contains(typ, "Country") {
		r.Close()
		return nil, fmt.Errorf("open geoip database %q: database type %q is neither a City nor a Country database", path, typ)
	}
	return &geoDB{r: r, log: log}, nil
}

// lookup returns the location of a. A failed lookup is logged at debug level
// (without the address) and gives an empty location: one unreadable record
// must not stop the pipeline.
func (g *geoDB) lookup(a netip.Addr) geo {
	if g == nil {
		return geo{}
	}
	var ip net.IP
	if a.Is4() {
		b := a.As4()
		ip = b[:]
	} else {
		b := a.As16()
		ip = b[:]
	}
	rec, err := g.r.City(ip)
	if err != nil {
		g.log.Debug("geoip lookup failed", slog.Any("error", err))
		return geo{}
	}
	out := geo{Country: rec.Country.IsoCode, City: rec.City.Names["en"]}
	if len(rec.Subdivisions) > 0 {
		out.Region = rec.Subdivisions[0].IsoCode
	}
	return out
}

func (g *geoDB) close() error {
	if g == nil {
		return nil
	}
	return g.r.Close()
}
