package redirect

import "fmt"

// entry is what the cache holds for one domain/path: the link and everything
// the redirector would otherwise compute per request. Entries are immutable
// once built; the header slices are handed to net/http as they are, which
// only reads them.
type entry struct {
	link       *Link    // nil: no link at this domain/path
	key        []byte   // link id, the Kafka record key of its clicks
	location   []string // Location of a redirect: destination with UTM merged
	expiredLoc []string // Location of the 410 answer, nil when ExpiredURL is empty
	route      *route   // rules, variants and query merging (rules_route.go)
}

// missing is the entry of every unknown domain/path.
var missing = &entry{}

func newEntry(l *Link) (*entry, error) {
	loc, err := location(l.DestinationURL, &l.UTM)
	if err != nil {
		return nil, fmt.Errorf("link %s: destination_url: %w", l.ID, err)
	}
	rt, err := compileRoute(l, loc)
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", l.ID, err)
	}
	e := &entry{link: l, key: []byte(l.ID), location: rt.def.location, route: rt}
	if l.ExpiredURL != "" {
		e.expiredLoc = []string{l.ExpiredURL}
	}
	return e, nil
}
