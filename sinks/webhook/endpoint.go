package webhook

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/clicktrail/clicktrail/webhooksig"
)

// Endpoint is where one customer receives webhooks.
type Endpoint struct {
	// ID names the endpoint in results and logs, and keys its Dispatcher
	// queue.
	ID string
	// URL is an absolute http or https URL.
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

func parseEndpointURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("endpoint url: required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("endpoint url: not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("endpoint url: scheme %q, want https or http", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("endpoint url: no host")
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return nil, errors.New("endpoint url: host is not ASCII: give an internationalized name in its xn-- (punycode) form")
		}
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return nil, errors.New("endpoint url: credentials in the URL are not supported: the signature authenticates clicktrail to the receiver")
		}
	}
	return u, nil
}
