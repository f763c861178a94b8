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

// Malformed reports whether the syntax half of the rule (Parse) refused the
// URL: rules syntax, scheme, credentials, host and port. The link API
// answers those invalid_field; a refusal by the policy (a list, a private
// address, a name that does not resolve) is destination_refused.
func (e *Error) Malformed() bool {
	switch e.Rule {
	case RuleSyntax, RuleScheme, RuleCredentials, RuleHost, RulePort:
		return true
	}
	return false
}

func refuse(rule, format string, args ...any) *Error {
	return &Error{Rule: rule, Message: fmt.Sprintf(format, args...)}
}
