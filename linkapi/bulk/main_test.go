package bulk

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect/redirecttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testKey    = "test-key-0123456789abcdef"
	testDomain = redirecttest.Domain
)

var allLinkScopes = []string{tenancy.ScopeLinksRead, tenancy.ScopeLinksWrite}

// errorResponse is the body of the link API's error answers.
type errorResponse struct {
	Error *linkapi.APIError `json:"error"`
}

// ruleErrorBody is the part of an error body the URL rule tests read.
type ruleErrorBody struct {
	Error struct{ Code, Field, Rule string }
}
