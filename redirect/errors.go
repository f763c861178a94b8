package redirect

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned by Store.Get and Store.Put when no link has the id.
var ErrNotFound = errors.New("link not found")

// ErrPathTaken is matched (errors.Is) by the error Create and Put return when
// another link already holds the domain and path. errors.As with a
// *PathTakenError gives the holder's id.
var ErrPathTaken = errors.New("path taken")

// PathTakenError says which link already holds a domain and path.
type PathTakenError struct {
	Domain, Path string
	ExistingID   string
}

func (e *PathTakenError) Error() string {
	return fmt.Sprintf("%s/%s is taken by link %s", e.Domain, e.Path, e.ExistingID)
}

// Is makes errors.Is(err, ErrPathTaken) true.
func (e *PathTakenError) Is(target error) bool { return target == ErrPathTaken }

// FieldError reports an invalid field of a link or of an API request. Field
// is the JSON name, dotted for nested fields ("utm.source", "metadata").
type FieldError struct {
	Field   string
	Message string
	// Rule is, for a URL field, the internal/urlrule rule that refused
	// it ("scheme", "host", ...); empty for other fields.
	Rule string
}

func (e *FieldError) Error() string { return "field " + e.Field + ": " + e.Message }

// FieldErrorf returns a *FieldError for field with a formatted message.
func FieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrExternalIDTaken is matched (errors.Is) by the error Create and Put
// return when another link of the workspace already has the external id.
// errors.As with an *ExternalIDTakenError gives the holder's id.
var ErrExternalIDTaken = errors.New("external id taken")

// ExternalIDTakenError says which link already has an external id.
type ExternalIDTakenError struct {
	WorkspaceID, ExternalID string
	ExistingID              string
}

func (e *ExternalIDTakenError) Error() string {
	return fmt.Sprintf("external id %q of workspace %s is taken by link %s", e.ExternalID, e.WorkspaceID, e.ExistingID)
}

// Is makes errors.Is(err, ErrExternalIDTaken) true.
func (e *ExternalIDTakenError) Is(target error) bool { return target == ErrExternalIDTaken }
