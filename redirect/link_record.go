package redirect

import "github.com/clicktrail/clicktrail/schemas"

// Conversions between the link model and its links.v1 record
// (schemas.LinkRecord), which replicates links between redirect nodes.
// The two types have the same fields; the record is the contract on the
// topic, the model carries this package's rules and methods. Neither
// conversion copies: the result shares l's slices, maps and times.

// Record returns l as its links.v1 record.
func (l *Link) Record() *schemas.LinkRecord {
	r := &schemas.LinkRecord{
		ID: l.ID, WorkspaceID: l.WorkspaceID, Domain: l.Domain, Path: l.Path, DestinationURL: l.DestinationURL,
		UTM: l.UTM, Tags: l.Tags, Metadata: l.Metadata, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		Disabled: l.Disabled, DeletedAt: l.DeletedAt, ExternalID: l.ExternalID, ExpiresAt: l.ExpiresAt,
		ExpiredURL: l.ExpiredURL, ExpiredRedirect: l.ExpiredRedirect, RedirectCode: l.RedirectCode,
		TrackConversions: l.TrackConversions,
	}
	if l.Rules != nil {
		r.Rules = make([]schemas.LinkRule, len(l.Rules))
		for i, x := range l.Rules {
			r.Rules[i] = schemas.LinkRule(x)
		}
	}
	if l.Variants != nil {
		r.Variants = make([]schemas.LinkVariant, len(l.Variants))
		for i, x := range l.Variants {
			r.Variants[i] = schemas.LinkVariant(x)
		}
	}
	return r
}

// LinkFromRecord returns the link a links.v1 record carries. It does not
// validate it: the store does when it writes it.
func LinkFromRecord(r *schemas.LinkRecord) *Link {
	l := &Link{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Domain: r.Domain, Path: r.Path, DestinationURL: r.DestinationURL,
		UTM: r.UTM, Tags: r.Tags, Metadata: r.Metadata, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Disabled: r.Disabled, DeletedAt: r.DeletedAt, ExternalID: r.ExternalID, ExpiresAt: r.ExpiresAt,
		ExpiredURL: r.ExpiredURL, ExpiredRedirect: r.ExpiredRedirect, RedirectCode: r.RedirectCode,
		TrackConversions: r.TrackConversions,
	}
	if r.Rules != nil {
		l.Rules = make([]Rule, len(r.Rules))
		for i, x := range r.Rules {
			l.Rules[i] = Rule(x)
		}
	}
	if r.Variants != nil {
		l.Variants = make([]Variant, len(r.Variants))
		for i, x := range r.Variants {
			l.Variants[i] = Variant(x)
		}
	}
	return l
}
