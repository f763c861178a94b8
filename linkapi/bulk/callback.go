package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// The completion callback of a bulk job: a POST of
//
//	{"type":"job.succeeded"|"job.failed","timestamp":"<RFC 3339>","data":<Job>}
//
// signed per Standard Webhooks (webhook-id is the job id, so a receiver
// deduplicates retries on it) with the job's own secret, shown once in the
// 202 answer. It is attempted Config.CallbackAttempts times with
// doubling backoff; the job records whether it is still pending, so a
// restart delivers it.

// callbackBody is the body of a job callback.
type callbackBody struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      *Job      `json:"data"`
}

// checkCallbackURL checks a callback_url with the one URL rule for URLs
// the service calls (internal/urlrule, RequireAddresses: a name must
// resolve now, and to public addresses only, unless private callbacks are
// allowed) and returns its normalized form. Every refusal is a 400
// invalid_field naming the rule. DNS can change afterwards: the callback
// dials through netguard.Guard.
func (j *jobs) checkCallbackURL(ctx context.Context, raw string) (string, *linkapi.APIError) {
	rule := urlrule.Policy{AllowPrivate: j.cfg.AllowPrivateCallbacks, RequireAddresses: true,
		Resolve: j.api.Destinations.Resolve, ResolveTimeout: j.api.Destinations.ResolveTimeout}
	u, err := rule.Check(ctx, "callback_url", raw, urlrule.Web)
	if e, ok := errors.AsType[*urlrule.Error](err); ok {
		aerr := linkapi.BadRequest(linkapi.CodeInvalidField, e.Field, e.Message)
		aerr.Rule = e.Rule
		return "", aerr
	}
	if err != nil {
		return "", j.create.Internal("check callback_url", err)
	}
	return u, nil
}

// defaultCallback returns Config.Callback's default: a client with a
// short timeout that follows no redirects and, unless allowPrivate, dials
// only public addresses.
func defaultCallback(timeout time.Duration, allowPrivate bool) func(context.Context, string, http.Header, []byte) error {
	guard := &netguard.Guard{AllowPrivate: allowPrivate, Dialer: net.Dialer{Timeout: timeout}}
	client := &http.Client{
		Timeout:       timeout,
		Transport:     &http.Transport{DialContext: guard.DialContext, MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context, target string, headers http.Header, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header = headers
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("callback answered %s", resp.Status)
		}
		return nil
	}
}

// deliverCallback sends rec's callback with retries, then clears
// CallbackPending. It gives up early when the runner stops (the callback
// stays pending and is sent after the next start).
func (r *Runner) deliverCallback(rec *jobRecord) {
	log := r.j.log.With("job_id", rec.ID, "callback_url", rec.CallbackURL)
	job := rec.Job
	body, err := json.Marshal(callbackBody{Type: jobEventType(&job), Timestamp: r.j.api.Now().UTC(), Data: &job})
	if err != nil {
		log.Error("job callback: encode", "err", err)
		return
	}
	backoff := r.j.cfg.CallbackBackoff
	for attempt := 1; ; attempt++ {
		err = r.sendCallback(rec, body)
		if err == nil || attempt == r.j.cfg.CallbackAttempts {
			break
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	if err != nil {
		if r.ctx.Err() != nil {
			return
		}
		log.Warn("job callback: giving up", "attempts", r.j.cfg.CallbackAttempts, "err", err)
	}
	rec.CallbackPending = false
	if err := r.j.store.putJob(context.WithoutCancel(r.ctx), rec); err != nil {
		log.Error("job callback: record delivery", "err", err)
	}
}

// sendCallback makes one attempt, signed at the time of sending.
func (r *Runner) sendCallback(rec *jobRecord, body []byte) error {
	now := r.j.api.Now()
	secret, err := r.j.callbackSecret(rec)
	if err != nil {
		return err
	}
	sig, err := webhooksig.Sign(secret, rec.ID, now, body)
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "clicktrail-jobs/1")
	h.Set(webhooksig.HeaderID, rec.ID)
	h.Set(webhooksig.HeaderTimestamp, fmt.Sprint(now.Unix()))
	h.Set(webhooksig.HeaderSignature, sig)
	ctx, cancel := context.WithTimeout(r.ctx, r.j.cfg.CallbackTimeout)
	defer cancel()
	return r.j.cfg.Callback(ctx, rec.CallbackURL, h, body)
}

// callbackSealContext binds a job's sealed callback secret to the job.
func callbackSealContext(jobID string) string { return "bulk job " + jobID + " callback" }

// callbackSecret opens the job's callback secret; a record stored before
// secrets were sealed holds it in the clear.
func (j *jobs) callbackSecret(rec *jobRecord) (string, error) {
	if !seal.IsSealed(rec.SealedCallbackSecret) {
		return rec.SealedCallbackSecret, nil
	}
	s, err := j.secrets.Open(rec.SealedCallbackSecret, callbackSealContext(rec.ID))
	if err != nil {
		return "", fmt.Errorf("job %s: callback secret: %w", rec.ID, err)
	}
	return s, nil
}
