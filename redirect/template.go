package redirect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"

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

// DefaultTemplateName is the template applied when a create names none.
const DefaultTemplateName = "default"

// ErrTemplateNotFound is returned for a template the workspace lacks.
var ErrTemplateNotFound = errors.New("template not found")

// utmFields are the names of schemas.UTM's fields, as Force holds them.
var utmFields = []string{"campaign", "content", "medium", "source", "term"}

// UTMTemplate is a workspace's named UTM template.
type UTMTemplate struct {
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
func (t *UTMTemplate) Validate() error {
	if !validTemplateName(t.Name) {
		return fieldErr("name", "want 1 to 64 characters a-z 0-9 _ -")
	}
	if err := validateUTM(&t.UTM); err != nil {
		return err
	}
	for _, f := range utmPointers(&t.UTM) {
		if err := checkPlaceholders("utm."+f.name, *f.v); err != nil {
			return err
		}
	}
	for i, f := range t.Force {
		if !slices.Contains(utmFields, f) {
			return fieldErr("force["+itoa(i)+"]", "unknown UTM field %q; want one of %s", f, strings.Join(utmFields, ", "))
		}
	}
	return nil
}

func validTemplateName(n string) bool {
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
			return fieldErr(field, "unclosed {{")
		case !found:
			return nil
		case !validPlaceholder(name):
			return fieldErr(field, "placeholder {{%s}}: want a name of a-z 0-9 _ starting with a letter", name)
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

// apply merges t into l's UTM, filling t's placeholders from values.
func (t *UTMTemplate) apply(l *Link, values map[string]string, used map[string]bool) *FieldError {
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

// PutTemplate creates or replaces t.
func (s *Store) PutTemplate(ctx context.Context, t *UTMTemplate) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.putRecord(ctx, templateKey(t.WorkspaceID, t.Name), t)
}

// GetTemplate returns workspace's template name, or ErrTemplateNotFound.
func (s *Store) GetTemplate(ctx context.Context, workspace, name string) (*UTMTemplate, error) {
	if !validTemplateName(name) {
		return nil, ErrTemplateNotFound
	}
	var t UTMTemplate
	if err := s.getRecord(ctx, templateKey(workspace, name), &t); err != nil {
		if errors.Is(err, pebble.ErrNotFound) {
			return nil, ErrTemplateNotFound
		}
		return nil, err
	}
	return &t, nil
}

// ListTemplates returns workspace's templates in name order.
func (s *Store) ListTemplates(ctx context.Context, workspace string) ([]*UTMTemplate, error) {
	return listRecords[UTMTemplate](ctx, s, templatePrefix+workspace+"/", nil)
}

// DeleteTemplate deletes workspace's template name.
func (s *Store) DeleteTemplate(ctx context.Context, workspace, name string) error {
	if _, err := s.GetTemplate(ctx, workspace, name); err != nil {
		return err
	}
	return s.db.Delete(templateKey(workspace, name), pebble.Sync)
}
