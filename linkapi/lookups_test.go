package linkapi

import (
	"context"
	"errors"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// staleLookups answers that nothing exists, as a memo made before the
// records were written does.
type staleLookups struct{}

func (staleLookups) Template(context.Context, string, string) (*templates.Template, error) {
	return nil, templates.ErrNotFound
}

func (staleLookups) Domain(context.Context, string) (*tenancy.Domain, error) {
	return nil, tenancy.ErrDomainNotFound
}

// TestLookupsInContext checks that a create reads templates and domains
// through the Lookups of its context (a bulk job's memo), and reads the
// stores without one.
func TestLookupsInContext(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	a := newAPI(APIConfig{Store: s}.withDefaults())
	ctx := context.Background()
	if err := a.templates.Put(ctx, &templates.Template{Name: templates.DefaultName, WorkspaceID: "ws_a", UTM: schemas.UTM{Medium: "email"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tenants.AddDomain(ctx, &tenancy.Domain{Domain: "go.example", WorkspaceID: "ws_a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		wantFound bool
	}{
		{"the context's lookups answer", WithLookups(ctx, staleLookups{}), false},
		{"no lookups read the store", ctx, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := a.lookupTemplate(tc.ctx, "ws_a", templates.DefaultName)
			if found := err == nil && tp.UTM.Medium == "email"; found != tc.wantFound || (!found && !errors.Is(err, templates.ErrNotFound)) {
				t.Errorf("template = %+v, %v; want found %v", tp, err, tc.wantFound)
			}
			d, err := a.lookupDomain(tc.ctx, "go.example")
			if found := err == nil && d.WorkspaceID == "ws_a"; found != tc.wantFound || (!found && !errors.Is(err, tenancy.ErrDomainNotFound)) {
				t.Errorf("domain = %+v, %v; want found %v", d, err, tc.wantFound)
			}
		})
	}
}
