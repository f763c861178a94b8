package templates

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// UTM templates.
//
// A workspace keeps named UTM templates. A create names one in "template";
// without one, the workspace's template named "default" applies, if it has
// one. A template's fields fill the link's empty UTM fields, and its Force
// fields replace the link's own: a workspace that forces utm_medium=email
// gets it on every link, whatever the request says. Template values may use
// placeholders ("{{campaign}}") filled from the request's values, as the
// destination's are (see personalize.go).
//
// Key: "tp/<workspace>/<name>" holds the template.

const templatePrefix = "tp/"

// Store keeps the templates in the link store's pebble database. It is
// safe for concurrent use.
type Store struct{ db *pebble.DB }

// NewStore returns the templates kept beside links.
func NewStore(links *redirect.Store) *Store { return &Store{db: links.DB()} }

// DefaultName is the template applied when a create names none.
const DefaultName = "default"

// ErrNotFound is returned for a template the workspace lacks.
var ErrNotFound = errors.New("template not found")

// utmFields are the names of schemas.UTM's fields, as Force holds them.
var utmFields = []string{"campaign", "content", "medium", "source", "term"}

// Template is a workspace's named UTM template.
type Template struct {
	Name        string      `json:"name"`
	WorkspaceID string      `json:"workspace_id"`
	UTM         schemas.UTM `json:"utm"`
	// Force lists the UTM fields (source, medium, campaign, term, content)
	// that replace the link's own; the others only fill empty fields.
	Force     []string  `json:"force,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func templateKey(workspace, name string) []byte {
	return []byte(templatePrefix + workspace + "/" + name)
}

// Validate checks the template's name, fields and placeholders.
func (t *Template) Validate() error {
	if !ValidName(t.Name) {
		return redirect.FieldErrorf("name", "want 1 to 64 characters a-z 0-9 _ -")
	}
	if err := redirect.ValidateUTM(&t.UTM); err != nil {
		return err
	}
	for _, f := range utmPointers(&t.UTM) {
		if err := checkPlaceholders("utm."+f.name, *f.v); err != nil {
			return err
		}
	}
	for i, f := range t.Force {
		if !slices.Contains(utmFields, f) {
			return redirect.FieldErrorf("force["+strconv.Itoa(i)+"]", "unknown UTM field %q; want one of %s", f, strings.Join(utmFields, ", "))
		}
	}
	return nil
}

// ValidName reports whether n can name a template.
func ValidName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// checkPlaceholders checks the syntax of the placeholders in s.
func checkPlaceholders(field, s string) error {
	for {
		_, name, rest, found, unclosed := nextPlaceholder(s)
		switch {
		case unclosed:
			return redirect.FieldErrorf(field, "unclosed {{")
		case !found:
			return nil
		case !validPlaceholder(name):
			return redirect.FieldErrorf(field, "placeholder {{%s}}: want a name of a-z 0-9 _ starting with a letter", name)
		}
		s = rest
	}
}

type utmField struct {
	name string
	v    *string
}

func utmPointers(u *schemas.UTM) []utmField {
	return []utmField{{"campaign", &u.Campaign}, {"content", &u.Content}, {"medium", &u.Medium}, {"source", &u.Source}, {"term", &u.Term}}
}

// Apply merges t into l's UTM, filling t's placeholders from values.
func (t *Template) Apply(l *redirect.Link, values map[string]string, used map[string]bool) *redirect.FieldError {
	dst := utmPointers(&l.UTM)
	for i, f := range utmPointers(&t.UTM) {
		if *f.v == "" || (*dst[i].v != "" && !slices.Contains(t.Force, f.name)) {
			continue
		}
		v, err := fillText("template "+t.Name+" utm."+f.name, *f.v, values, used)
		if err != nil {
			return err
		}
		*dst[i].v = v
	}
	return nil
}

// Put creates or replaces t.
func (s *Store) Put(ctx context.Context, t *Template) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return pebblekv.PutJSON(ctx, s.db, templateKey(t.WorkspaceID, t.Name), t)
}

// Get returns workspace's template name, or ErrNotFound.
func (s *Store) Get(ctx context.Context, workspace, name string) (*Template, error) {
	if !ValidName(name) {
		return nil, ErrNotFound
	}
	var t Template
	if err := pebblekv.GetJSON(ctx, s.db, templateKey(workspace, name), &t); err != nil {
		if errors.Is(err, pebble.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &t, nil
}

// List returns workspace's templates in name order.
func (s *Store) List(ctx context.Context, workspace string) ([]*Template, error) {
	return pebblekv.ListJSON[Template](ctx, s.db, templatePrefix+workspace+"/", nil)
}

// Delete deletes workspace's template name.
func (s *Store) Delete(ctx context.Context, workspace, name string) error {
	if _, err := s.Get(ctx, workspace, name); err != nil {
		return err
	}
	return s.db.Delete(templateKey(workspace, name), pebble.Sync)
}
