package webhook

import (
	"errors"
	"fmt"

	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// Endpoint is where one customer receives webhooks.
type Endpoint struct {
	// ID names the endpoint in results and logs, and keys its Dispatcher
	// queue.
	ID string
	// URL is an absolute http or https URL (internal/urlrule's syntax).
	URL string
	// Secrets sign every message, each giving one signature in
	// webhook-signature: the current secret, plus the previous one during a
	// rotation. At least one.
	Secrets []string
}

// Validate reports every bad field at once, each error naming its key. It
// checks the form only; whether the host resolves to an allowed address is
// known at delivery time.
func (e Endpoint) Validate() error {
	var errs []error
	if e.ID == "" {
		errs = append(errs, errors.New("endpoint id: required"))
	}
	if _, err := parseEndpointURL(e.URL); err != nil {
		errs = append(errs, err)
	}
	if len(e.Secrets) == 0 {
		errs = append(errs, errors.New("endpoint secrets: at least one required"))
	}
	for i, s := range e.Secrets {
		if err := webhooksig.ValidateSecret(s); err != nil {
			errs = append(errs, fmt.Errorf("endpoint secrets[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// parseEndpointURL checks raw with the syntax half of the one URL rule
// (internal/urlrule.Parse: absolute http or https, a host, no credentials)
// and returns it normalized, which is what the Deliverer sends to: an
// endpoint stored with a host in Unicode or upper case is reached at its
// ASCII form, as Go's client would reach it.
func parseEndpointURL(raw string) (*urlrule.URL, error) {
	u, e := urlrule.Parse(raw, urlrule.Web, 0)
	if e != nil {
		return nil, fmt.Errorf("endpoint url: %s: %s", e.Rule, e.Message)
	}
	return u, nil
}
