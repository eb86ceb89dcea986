package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/notifier"
)

// Discord JSON error codes this package acts on
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	codeUnknownChannel       = 10003
	codeUnknownMessage       = 10008
	codeUnknownWebhook       = 10015
	codeUnauthorized         = 40001
	codeMissingAccess        = 50001
	codeMissingPermissions   = 50013
	codeInvalidWebhookToken  = 50027
	codeInvalidFormBody      = 50035
	codeMaxPins              = 30003
	codeThreadAlreadyCreated = 160004
)

// defaultRetryAfter is used for a 429 that says neither retry_after nor
// Retry-After (a proxy's, say).
const defaultRetryAfter = 5 * time.Second

// maxErrorMessage bounds how much of Discord's error text goes into ours.
const maxErrorMessage = 300

// APIError is Discord's answer to a failed call: the HTTP status and the JSON
// error code and message
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
// Its text never contains a token or webhook URL.
type APIError struct {
	Op      string // what was attempted: "send message to channel 123"
	Status  int
	Code    int
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("discord: %s: HTTP %d", e.Op, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	return s
}

// transportError is a failure before Discord answered (network, timeout, a
// response that did not parse). Its text is redacted; it unwraps to the
// underlying error so errors.Is(err, context.DeadlineExceeded) works.
type transportError struct {
	msg string
	err error
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.err }

// redactor removes secrets from text.
type redactor []string

func (r redactor) redact(s string) string {
	for _, secret := range r {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// botFixes and webhookFixes say what an operator should do about a
// permanent failure, by Discord error code.
var botFixes = map[int]string{
	codeMissingAccess:      "give the bot View Channel and Send Messages in that channel (and make sure it is in that server)",
	codeUnknownChannel:     "check the discord channel id in [[channel]]: enable Developer Mode, right-click the channel, Copy Channel ID; the bot must be in that server",
	codeMissingPermissions: "give the bot Send Messages, Embed Links and Read Message History in that channel (with threads on, also Create Public Threads and Send Messages in Threads)",
	codeUnauthorized:       "check bot_token: it must be the bot token from the Discord Developer Portal (Bot > Reset Token)",
	codeInvalidFormBody:    "Discord rejected the message as malformed; this is a bug in outagebot, please report it with the log line",
}

var webhookFixes = map[int]string{
	codeUnknownWebhook:      "check webhook_url: the webhook was deleted or the URL is incomplete; create one under the channel's Integrations > Webhooks",
	codeInvalidWebhookToken: "check webhook_url: its token part is wrong; copy the URL again from the channel's Integrations > Webhooks",
	codeUnknownChannel:      "check webhook_url: the channel it posts to no longer exists",
	codeInvalidFormBody:     "Discord rejected the message as malformed; this is a bug in outagebot, please report it with the log line",
}

// classify turns an error from a discordgo call into one the dispatcher
// understands: *notifier.RetryAfterError for rate limits,
// *notifier.PermanentError for what retrying will not fix, anything else is
// retried with backoff. The result never contains a secret.
func classify(op string, err error, info *callInfo, secrets redactor, webhook bool) error {
	if err == nil {
		return nil
	}
	op = secrets.redact(op)

	var local *rateLimited
	if errors.As(err, &local) {
		return &notifier.RetryAfterError{Err: &transportError{msg: fmt.Sprintf("discord: %s: %v", op, local), err: local}, After: local.after}
	}

	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		after := time.Duration(0)
		msg := ""
		if rl.TooManyRequests != nil {
			after, msg = rl.RetryAfter, rl.Message
		}
		if after <= 0 && info != nil {
			after = info.retryAfter
		}
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &notifier.RetryAfterError{Err: &APIError{Op: op, Status: http.StatusTooManyRequests, Message: trim(secrets.redact(msg))}, After: after}
	}

	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		api := &APIError{Op: op, Status: re.Response.StatusCode}
		if re.Message != nil {
			api.Code, api.Message = re.Message.Code, trim(secrets.redact(re.Message.Message))
		}
		return classifyAPI(api, re.ResponseBody, info, webhook)
	}

	// discordgo reports a 429 it could not parse as a JSON error, and a
	// 502 (with retries off) as a plain error; the transport saw the status.
	if info != nil && info.status == http.StatusTooManyRequests {
		after := info.retryAfter
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &notifier.RetryAfterError{Err: &APIError{Op: op, Status: info.status, Message: "rate limited"}, After: after}
	}
	if info != nil && info.status >= 500 {
		return &APIError{Op: op, Status: info.status, Message: http.StatusText(info.status)}
	}

	// Network errors and timeouts: retryable. Drop *url.Error, whose text
	// holds the URL (and so a webhook's token).
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	what := "request failed"
	var ne net.Error
	switch {
	case errors.Is(inner, context.DeadlineExceeded), errors.As(inner, &ne) && ne.Timeout():
		what = "timed out"
	case errors.Is(inner, context.Canceled):
		what = "cancelled"
	case errors.Is(err, discordgo.ErrJSONUnmarshal):
		what = "unreadable answer"
	}
	return &transportError{msg: trim(secrets.redact(fmt.Sprintf("discord: %s: %s: %v", op, what, inner))), err: inner}
}

func classifyAPI(api *APIError, body []byte, info *callInfo, webhook bool) error {
	fixes := botFixes
	if webhook {
		fixes = webhookFixes
	}
	switch {
	case api.Status == http.StatusTooManyRequests:
		var b struct {
			RetryAfter float64 `json:"retry_after"`
		}
		after := time.Duration(0)
		if json.Unmarshal(body, &b) == nil {
			after = seconds(b.RetryAfter)
		}
		if after <= 0 && info != nil {
			after = info.retryAfter
		}
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &notifier.RetryAfterError{Err: api, After: after}
	case fixes[api.Code] != "":
		return &notifier.PermanentError{Err: api, Fix: fixes[api.Code], Rejected: api.Code == codeInvalidFormBody}
	case api.Status == http.StatusUnauthorized:
		fix := fixes[codeUnauthorized]
		if webhook {
			fix = fixes[codeInvalidWebhookToken]
		}
		return &notifier.PermanentError{Err: api, Fix: fix}
	case api.Status == http.StatusForbidden:
		fix := fixes[codeMissingPermissions]
		if webhook {
			fix = "check the webhook's channel permissions"
		}
		return &notifier.PermanentError{Err: api, Fix: fix}
	case api.Status == http.StatusNotFound:
		fix := fixes[codeUnknownChannel]
		if webhook {
			fix = fixes[codeUnknownWebhook]
		}
		return &notifier.PermanentError{Err: api, Fix: fix}
	case api.Status == http.StatusBadRequest, api.Status == http.StatusRequestEntityTooLarge:
		return &notifier.PermanentError{Err: api, Fix: fixes[codeInvalidFormBody], Rejected: true}
	}
	// 5xx, 408 and anything unexpected: retry with backoff.
	return api
}

// apiCode returns Discord's JSON error code in err, if any.
func apiCode(err error) int {
	var api *APIError
	if errors.As(err, &api) {
		return api.Code
	}
	return 0
}

func trim(s string) string {
	return truncate(s, maxErrorMessage)
}
