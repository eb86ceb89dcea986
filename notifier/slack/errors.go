package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/notifier"
)

// Fixes for the Slack API errors that retrying will not cure.
// https://api.slack.com/methods/chat.postMessage#errors
const (
	fixInvite  = "invite the bot to the channel: /invite @outagebot"
	fixToken   = "check bot_token: Slack does not accept it (reinstall the app to get a new one)"
	fixScopes  = "add the chat:write, channels:history, groups:history and files:write scopes to the Slack app and reinstall it"
	fixPayload = "Slack rejected the message as outagebot rendered it: please report this as a bug"
)

var permanentCodes = map[string]string{
	"channel_not_found":       "check the channel id (slack = \"C...\", from the channel's details) and " + fixInvite,
	"not_in_channel":          fixInvite,
	"is_archived":             "the channel is archived: unarchive it or point the channel at another one",
	"invalid_auth":            fixToken,
	"not_authed":              "set bot_token",
	"account_inactive":        "the token's app or user was deactivated: reinstall the Slack app and update bot_token",
	"token_revoked":           "the token was revoked: reinstall the Slack app and update bot_token",
	"token_expired":           "the token expired: reinstall the Slack app (or turn off token rotation) and update bot_token",
	"missing_scope":           fixScopes,
	"restricted_action":       "a workspace admin restricts who may post in this channel: allow the app to post there or use another channel",
	"ekm_access_denied":       "the workspace's Enterprise Key Management denies access: ask a workspace admin",
	"team_access_not_granted": "the app is not installed in the channel's workspace: install it there",
	"invalid_blocks":          fixPayload,
	"invalid_attachments":     fixPayload,
	"invalid_metadata_format": fixPayload,
	"msg_too_long":            fixPayload,
	"no_text":                 fixPayload,
	"too_many_attachments":    fixPayload,
}

// cleanCode is what a Slack error code looks like; anything else (a server
// that echoes a request back) is not repeated in an error.
var cleanCode = regexp.MustCompile(`^[a-z0-9_.]{1,64}$`)

// callError is a Slack call's failure with secrets taken out of its text.
type callError struct {
	msg string
	// err is the cause, kept for errors.Is and errors.As unless its own
	// text carries a secret.
	err error
}

func (e *callError) Error() string { return e.msg }
func (e *callError) Unwrap() error { return e.err }

// newCallError builds "slack METHOD: detail" with every secret redacted.
func newCallError(secrets []string, method, detail string, cause error) *callError {
	msg := redact(secrets, "slack "+method+": "+detail)
	if cause != nil && leaks(secrets, cause) {
		cause = nil
	}
	return &callError{msg: msg, err: cause}
}

// leaks reports whether err or anything it wraps says a secret.
func leaks(secrets []string, err error) bool {
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// redact replaces every secret in s.
func redact(secrets []string, s string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// classify turns a slack-go error into what the dispatcher acts on:
// RetryAfterError when Slack said how long to wait, PermanentError with a
// fix for errors retrying will not cure, a plain error otherwise (HTTP 5xx,
// timeouts, connection errors: retried with backoff). The result never
// contains a secret.
func classify(secrets []string, method string, err error) error {
	var (
		rate   *slack.RateLimitedError
		api    slack.SlackErrorResponse
		status slack.StatusCodeError
		uerr   *url.Error
	)
	switch {
	case errors.As(err, &rate):
		return &notifier.RetryAfterError{
			Err:   newCallError(secrets, method, "rate limited", err),
			After: rate.RetryAfter,
		}
	case errors.As(err, &api):
		code := api.Err
		if !cleanCode.MatchString(code) || leaks(secrets, errors.New(code)) {
			code = "unexpected error"
		}
		cerr := newCallError(secrets, method, code, err)
		fix, ok := permanentCodes[code]
		if !ok {
			return cerr
		}
		if code == "missing_scope" && cleanScopes.MatchString(api.Needed) && !leaks(secrets, errors.New(api.Needed)) {
			fix = "add the " + api.Needed + " scope to the Slack app and reinstall it"
		}
		return &notifier.PermanentError{Err: cerr, Fix: fix, Rejected: fix == fixPayload}
	case errors.As(err, &status):
		cerr := newCallError(secrets, method, fmt.Sprintf("HTTP %d", status.Code), err)
		if status.Code >= 500 || status.Code == http.StatusTooManyRequests || status.Code == http.StatusRequestTimeout {
			return cerr
		}
		return &notifier.PermanentError{Err: cerr, Fix: "check the Slack api_url: the Web API should not answer " + http.StatusText(status.Code)}
	case errors.Is(err, context.DeadlineExceeded):
		return newCallError(secrets, method, "timed out", context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		return newCallError(secrets, method, "canceled", context.Canceled)
	case errors.As(err, &uerr):
		// The URL may hold a secret (a webhook's does): name only what
		// went wrong underneath.
		return newCallError(secrets, method, netDetail(uerr.Err), uerr.Err)
	}
	return newCallError(secrets, method, err.Error(), err)
}

var cleanScopes = regexp.MustCompile(`^[a-z:._,-]{1,200}$`)

// netDetail describes a transport failure without the URL.
func netDetail(err error) string {
	var nerr net.Error
	switch {
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timed out: " + err.Error()
	case err == nil:
		return "request failed"
	}
	return err.Error()
}
