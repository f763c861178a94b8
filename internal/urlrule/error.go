package urlrule

import "fmt"

// Error says why a URL was refused.
type Error struct {
	Field   string // JSON name of the field, e.g. "rules[1].destination_url"; empty from Parse
	Rule    string // one of the Rule* constants
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return "url refused (" + e.Rule + "): " + e.Message
	}
	return "field " + e.Field + ": url refused (" + e.Rule + "): " + e.Message
}

func refuse(rule, format string, args ...any) *Error {
	return &Error{Rule: rule, Message: fmt.Sprintf(format, args...)}
}
