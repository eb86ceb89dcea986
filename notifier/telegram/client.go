package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/notifier"
)

// DefaultAPIURL is the Bot API's base; methods are called at
// {base}/bot{token}/{method} (https://core.telegram.org/bots/api#making-requests).
const DefaultAPIURL = "https://api.telegram.org"

const (
	// maxAnswer bounds an answer read from the Bot API; a Message is a few
	// kilobytes at most.
	maxAnswer = 1 << 20
	// defaultRetryAfter is the wait after a 429 that names none (a proxy's).
	defaultRetryAfter = 5 * time.Second
	// maxDescription bounds how much of Telegram's error text goes into ours.
	maxDescription = 300
)

// Client calls the Bot API with JSON bodies over plain net/http. Its errors
// are classified for the dispatcher (notifier.RetryAfterError,
// notifier.PermanentError, else retryable) and never contain the token,
// which is part of every request's path.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// NewClient makes a client for token at apiURL ("" is Telegram itself).
// hc may be nil (http.DefaultClient's transport, deadlines from the
// context).
func NewClient(token, apiURL string, hc *http.Client) (*Client, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("telegram: bot_token is empty")
	}
	if strings.ContainsAny(token, "/?#% \t\r\n") {
		return nil, errors.New("telegram: bot_token must be the token BotFather gave, like 123456:ABC-DEF")
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telegram: api_url %q must be an absolute http or https URL", apiURL)
	}
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{base: strings.TrimRight(apiURL, "/"), token: token, http: hc}, nil
}

// APIError is the Bot API's answer to a failed call:
// {"ok":false,"error_code":400,"description":"Bad Request: chat not found",
// "parameters":{...}} (https://core.telegram.org/bots/api#making-requests).
type APIError struct {
	Method      string
	Status      int
	Code        int
	Description string
	// RetryAfter is parameters.retry_after (flood control).
	RetryAfter time.Duration
	// MigrateTo is parameters.migrate_to_chat_id: the group became a
	// supergroup with this id.
	MigrateTo int64
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram: %s: HTTP %d", e.Method, e.Status)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// transportError is a failure before Telegram answered; its text holds no
// URL (and so no token).
type transportError struct {
	msg string
	err error
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.err }

// answer is the envelope of every Bot API response.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		MigrateToChatID int64   `json:"migrate_to_chat_id"`
		RetryAfter      float64 `json:"retry_after"`
	} `json:"parameters"`
}

// Call posts params as JSON to method and decodes the result into result
// (may be nil). A failure is an *APIError (wrapped as the dispatcher
// needs) or a retryable transport error.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return &notifier.PermanentError{Err: fmt.Errorf("telegram: %s: encode: %w", method, err), Rejected: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return &transportError{msg: "telegram: " + method + ": cannot make the request"}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transport(method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return c.transport(method, err)
	}
	var a answer
	if jerr := json.Unmarshal(raw, &a); jerr != nil || (!a.OK && a.ErrorCode == 0 && resp.StatusCode < 300) {
		if resp.StatusCode >= 300 {
			return classify(&APIError{Method: method, Status: resp.StatusCode, Description: http.StatusText(resp.StatusCode)})
		}
		return &transportError{msg: "telegram: " + method + ": unreadable answer", err: jerr}
	}
	if !a.OK {
		e := &APIError{Method: method, Status: resp.StatusCode, Code: a.ErrorCode, Description: c.clean(a.Description)}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if p := a.Parameters; p != nil {
			e.RetryAfter = time.Duration(p.RetryAfter * float64(time.Second))
			e.MigrateTo = p.MigrateToChatID
		}
		if e.RetryAfter <= 0 && e.Code == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				e.RetryAfter = time.Duration(s) * time.Second
			}
		}
		return classify(e)
	}
	if result != nil {
		if err := json.Unmarshal(a.Result, result); err != nil {
			return &transportError{msg: "telegram: " + method + ": unreadable result", err: err}
		}
	}
	return nil
}

// transport describes a failure before an answer, dropping *url.Error,
// whose text holds the URL and so the token.
func (c *Client) transport(method string, err error) error {
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
	}
	return &transportError{msg: c.clean(fmt.Sprintf("telegram: %s: %s: %v", method, what, inner)), err: inner}
}

// clean takes the token out of text and bounds it.
func (c *Client) clean(s string) string {
	s = strings.ReplaceAll(s, c.token, "[REDACTED]")
	if r := []rune(s); len(r) > maxDescription {
		s = string(r[:maxDescription]) + "…"
	}
	return s
}

// Fixes for what retrying will not cure.
const (
	fixToken  = "check bot_token: Telegram does not accept it (ask @BotFather for the token, /token)"
	fixChat   = "check telegram = \"<chat id>\" in [[channel]]: a group's id is negative (-100… for a supergroup or channel), a public channel may be @name; the bot must be a member"
	fixMember = "add the bot to the chat again (for a channel: as an administrator allowed to post messages; a person who blocked the bot must unblock it)"
	fixRights = "give the bot the right to send messages in that chat (in a forum with telegram_topics, also to manage topics)"
	fixTopic  = "the chat is no forum or the bot may not manage its topics: turn Topics on in the group and make the bot an administrator with Manage Topics, or set telegram_topics = false"
	fixBug    = "Telegram rejected the message as outagebot rendered it: please report this as a bug with the log line"
)

// classify turns an API error into what the dispatcher acts on.
func classify(e *APIError) error {
	d := strings.ToLower(e.Description)
	switch {
	case e.Code == http.StatusTooManyRequests || e.Status == http.StatusTooManyRequests:
		after := e.RetryAfter
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &notifier.RetryAfterError{Err: e, After: after}
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound:
		// The Bot API answers 404 Not Found for a path whose token is
		// malformed, 401 for one it does not know.
		return &notifier.PermanentError{Err: e, Fix: fixToken}
	case e.Code == http.StatusForbidden:
		// "bot was blocked by the user", "bot was kicked from the group
		// chat", "bot is not a member of the channel chat".
		return &notifier.PermanentError{Err: e, Fix: fixMember}
	case e.Code >= 500 || e.Code == http.StatusRequestTimeout:
		return e
	case e.MigrateTo != 0:
		// Followed by the notifier; reaching here means it could not be.
		return &notifier.PermanentError{Err: e, Fix: fmt.Sprintf("the group became a supergroup: set telegram = \"%d\" in [[channel]]", e.MigrateTo)}
	case strings.Contains(d, "chat not found"), strings.Contains(d, "peer_id_invalid"), strings.Contains(d, "chat_id is empty"):
		return &notifier.PermanentError{Err: e, Fix: fixChat}
	case strings.Contains(d, "not enough rights"), strings.Contains(d, "chat_write_forbidden"), strings.Contains(d, "need administrator rights"), strings.Contains(d, "chat_admin_required"):
		return &notifier.PermanentError{Err: e, Fix: fixRights}
	case strings.Contains(d, "not a forum"), strings.Contains(d, "topic_closed"), strings.Contains(d, "message thread not found"):
		return &notifier.PermanentError{Err: e, Fix: fixTopic}
	case e.Code == http.StatusBadRequest:
		// The message itself (unparsable entities, too long, a message to
		// edit that was deleted): sending it again cannot work.
		return &notifier.PermanentError{Err: e, Fix: fixBug, Rejected: true}
	}
	return e
}

// apiError returns the Bot API's error in err, if any.
func apiError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}
