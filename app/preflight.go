package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/outagebot/outagebot/internal/webhookurl"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/httpapi"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/notifier/slack"
	"github.com/outagebot/outagebot/notifier/telegram"
)

// The chat checks at start: is each platform's token accepted, and can the
// bot post in each configured channel. They never hold the bot up: polling
// and delivery start at once, and the checks retry in the background while
// the platform cannot be reached. What they find is logged, shown on the
// health endpoints and exported as metrics.

// Platform states in ChatReport.
const (
	ChatChecking     = "checking"     // no answer yet
	ChatReady        = "ready"        // the token is accepted
	ChatUnreachable  = "unreachable"  // network error or 5xx: retrying with backoff
	ChatUnauthorized = "unauthorized" // the token is refused: rechecked slowly
)

// Webhook channel states from the URL's form. check --online then asks
// Slack or Discord about each valid one (without posting), which makes it
// reachable or unreachable like a bot channel.
const (
	WebhookValid   = "valid"
	WebhookInvalid = "invalid"
)

const (
	// chatCallTimeout bounds one check call.
	chatCallTimeout = 10 * time.Second
	// credentialRecheck is how often a refused token is tried again: it
	// only recovers when someone acts, but an app can be reinstalled
	// without restarting the bot.
	credentialRecheck = 15 * time.Minute
	backoffFirst      = 2 * time.Second
	backoffMax        = 5 * time.Minute
)

// ChatCheckOptions tune the background checks (tests make them instant).
type ChatCheckOptions struct {
	// Backoff is the wait before retry number attempt (0-based) after the
	// platform could not be reached (default: 2s doubling to 5m, with
	// jitter).
	Backoff func(attempt int) time.Duration
	// Sleep waits d or until ctx ends (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
}

// ChatReport is what the checks found, per platform; it is the "chat"
// detail of /healthz and /readyz.
type ChatReport struct {
	Platforms []PlatformReport `json:"platforms"`
}

// PlatformReport is one platform's token and channels.
type PlatformReport struct {
	Platform  string          `json:"platform"`
	State     string          `json:"state"`
	Workspace string          `json:"workspace,omitempty"`
	User      string          `json:"user,omitempty"`
	Error     string          `json:"error,omitempty"`
	Notes     []string        `json:"notes,omitempty"`
	Channels  []ChannelReport `json:"channels,omitempty"`
}

// ChannelReport is one configured channel on one platform.
type ChannelReport struct {
	// Channel is the configured name; ID the platform's channel id, or for
	// a webhook its URL with the secret part hidden.
	Channel string `json:"channel"`
	ID      string `json:"id"`
	// Name is the platform's name for it ("#ops"), when known.
	Name string `json:"name,omitempty"`
	// State is reachable, unreachable, unchecked or checking (webhooks:
	// valid or invalid).
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// OK reports whether every platform accepts its token and every channel
// is reachable (unchecked channels and notes are not failures).
func (r ChatReport) OK() bool {
	for _, p := range r.Platforms {
		if p.State != ChatReady {
			return false
		}
		for _, c := range p.Channels {
			if c.State == string(notifier.ChannelUnreachable) || c.State == string(notifier.ChannelLimited) || c.State == WebhookInvalid || c.State == ChatChecking {
				return false
			}
		}
	}
	return true
}

// chatChecker is what a platform's notifier offers the checks.
type chatChecker interface {
	Identify(ctx context.Context) (notifier.Account, error)
	CheckChannel(ctx context.Context, id string, acct notifier.Account) (notifier.ChannelCheck, error)
}

// hookChecker is what a webhook's notifier offers check --online: whether
// the webhook still exists, asked without posting.
type hookChecker interface {
	CheckHook(ctx context.Context) (notifier.ChannelCheck, error)
}

var (
	_ hookChecker = (*slack.Webhook)(nil)
	_ hookChecker = (*discord.Webhook)(nil)
)

var (
	_ chatChecker = (*slack.Notifier)(nil)
	_ chatChecker = (*discord.Notifier)(nil)
	_ chatChecker = (*telegram.Notifier)(nil)
)

// chatChecks runs the checks of every configured platform.
type chatChecks struct {
	log     *slog.Logger
	opts    ChatCheckOptions
	ready   *prometheus.GaugeVec
	reach   *prometheus.GaugeVec
	appID   string // Discord application_id as configured
	webhook *PlatformReport
	// hooks are the webhook channels whose form is valid, by their index
	// in webhook.Channels; only Once asks about them.
	hooks []hookCheck

	mu        sync.Mutex
	platforms []*platformCheck
}

type platformCheck struct {
	name     string // "slack", "discord"
	title    string // "Slack", "Discord"
	checker  chatChecker
	channels []channelCheck

	// Under chatChecks.mu.
	report PlatformReport
}

type hookCheck struct {
	i       int
	checker hookChecker
}

type channelCheck struct {
	name, id string
	checker  chatChecker
}

// newChatChecks prepares the checks for cfg's platforms; the channel
// checks use each destination's own notifier (a Discord channel with
// threads needs more permissions). It returns nil when no chat is
// configured. reg may be nil.
func newChatChecks(cfg *config.Config, routes []notifier.Route, log *slog.Logger, opts ChatCheckOptions, reg prometheus.Registerer) (*chatChecks, error) {
	if !cfg.Chat() {
		return nil, nil
	}
	opts = opts.withDefaults()
	c := &chatChecks{
		log:  log.With("component", "chat-check"),
		opts: opts,
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "outagebot_chat_ready",
			Help: "1 while the platform accepts the bot token (checked at start, retried while the platform cannot be reached), else 0.",
		}, []string{"platform"}),
		reach: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "outagebot_chat_channel_reachable",
			Help: "1 when the bot can post in the configured channel, 0 when it cannot (see /healthz for why); absent while unknown.",
		}, []string{"channel", "platform"}),
	}
	if reg != nil {
		reg.MustRegister(c.ready, c.reach)
	}
	if d := cfg.Discord; d != nil {
		c.appID = d.ApplicationID
	}
	add := func(name, title string, checker chatChecker) *platformCheck {
		p := &platformCheck{name: name, title: title, checker: checker, report: PlatformReport{Platform: name, State: ChatChecking}}
		c.platforms = append(c.platforms, p)
		c.ready.WithLabelValues(name).Set(0)
		return p
	}
	var slackP, discordP, telegramP *platformCheck
	if s := cfg.Slack; s != nil {
		slackP = add("slack", "Slack", slack.New(slack.Options{Token: s.BotToken, APIURL: s.APIURL}))
	}
	if d := cfg.Discord; d != nil {
		n, err := discord.New(discord.Options{Token: d.BotToken, APIURL: d.APIURL})
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		discordP = add("discord", "Discord", n)
	}
	if tg := cfg.Telegram; tg != nil {
		n, err := telegram.New(telegram.Options{Token: tg.BotToken, APIURL: tg.APIURL})
		if err != nil {
			return nil, err
		}
		telegramP = add("telegram", "Telegram", n)
	}
	for _, r := range routes {
		d := r.Destination
		var p *platformCheck
		switch d.Platform {
		case "slack":
			p = slackP
		case "discord":
			p = discordP
		case "telegram":
			p = telegramP
		case "webhook":
			c.addWebhook(d, r.Notifier)
			continue
		}
		if p == nil {
			continue
		}
		checker := p.checker
		if own, ok := r.Notifier.(chatChecker); ok {
			checker = own
		}
		p.channels = append(p.channels, channelCheck{name: d.Channel, id: d.Address, checker: checker})
		p.report.Channels = append(p.report.Channels, ChannelReport{Channel: d.Channel, ID: d.Address, State: ChatChecking})
	}
	return c, nil
}

// addWebhook checks a webhook URL's form, and keeps a valid one's notifier
// for Once to ask whether the webhook still exists.
func (c *chatChecks) addWebhook(d notifier.Destination, n notifier.Notifier) {
	if c.webhook == nil {
		c.webhook = &PlatformReport{Platform: "webhook", State: ChatReady}
	}
	kind, shown, problem := webhookForm(d.Address)
	r := ChannelReport{Channel: d.Channel, ID: shown, State: WebhookValid, Detail: kind + " (form checked only: use outagebot check --online or test-message)"}
	if problem != "" {
		r.State, r.Detail = WebhookInvalid, problem
	}
	c.webhook.Channels = append(c.webhook.Channels, r)
	if hc, ok := n.(hookChecker); ok && problem == "" {
		c.hooks = append(c.hooks, hookCheck{i: len(c.webhook.Channels) - 1, checker: hc})
	}
}

// checkHook asks whether one webhook still exists. Only Once does: at every
// start it would be a call per webhook for what the first delivery tells
// anyway (a dead webhook fails with its fix).
func (c *chatChecks) checkHook(ctx context.Context, h hookCheck) {
	cctx, cancel := context.WithTimeout(ctx, chatCallTimeout)
	res, err := h.checker.CheckHook(cctx)
	cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &c.webhook.Channels[h.i]
	if err != nil {
		r.State, r.Detail = string(notifier.ChannelUnreachable), "cannot be asked about now: "+err.Error()
		return
	}
	r.State, r.Detail = string(res.State), res.Detail
}

// withDefaults fills in the real backoff and sleep where tests set none.
func (o ChatCheckOptions) withDefaults() ChatCheckOptions {
	if o.Backoff == nil {
		o.Backoff = defaultBackoff
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return o
}

// webhookForm says which platform's incoming webhook raw is, shown how,
// or what is wrong with it. Which URLs are Discord's is webhookurl's
// (every form Discord hands out); a Slack one must also have the
// /services/T…/B…/secret shape (https://api.slack.com/messaging/webhooks).
func webhookForm(raw string) (kind, shown, problem string) {
	u, err := webhookurl.Parse(raw)
	if err != nil {
		return "", "[webhook URL]", "webhook_url " + err.Error()
	}
	if u.Platform == webhookurl.Discord {
		return "Discord webhook", u.Redacted(), ""
	}
	p, _ := url.Parse(strings.TrimSpace(raw))
	if segs := strings.Split(strings.Trim(p.Path, "/"), "/"); len(segs) == 4 && segs[0] == "services" && segs[1] != "" && segs[2] != "" && segs[3] != "" {
		return "Slack incoming webhook", u.Redacted(), ""
	} else if len(segs) > 0 && segs[0] == "services" {
		return "", u.Redacted(), "webhook_url looks like a Slack incoming webhook but is not …/services/T…/B…/<secret>: copy it again from the app's Incoming Webhooks page"
	}
	return "", u.Redacted(), "webhook_url is neither a Slack incoming webhook (…/services/T…/B…/<secret>) nor a Discord webhook (…/api/webhooks/<id>/<token>)"
}

// redactWebhook shows a webhook URL without its secret.
func redactWebhook(raw string) string {
	_, shown, _ := webhookForm(raw)
	return shown
}

// Report is a copy of what the checks know now.
func (c *chatChecks) Report() ChatReport {
	if c == nil {
		return ChatReport{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out ChatReport
	for _, p := range c.platforms {
		r := p.report
		r.Notes = slices.Clone(r.Notes)
		r.Channels = slices.Clone(r.Channels)
		out.Platforms = append(out.Platforms, r)
	}
	if c.webhook != nil {
		r := *c.webhook
		r.Channels = slices.Clone(r.Channels)
		out.Platforms = append(out.Platforms, r)
	}
	return out
}

// Ready is nil unless a platform refuses its token: then nothing reaches
// that platform until someone replaces it, which a deployment should
// notice. A platform that cannot be reached is not a reason: the bot is
// most needed while others are down, and deliveries wait and retry.
func (c *chatChecks) Ready(context.Context) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, p := range c.platforms {
		if p.report.State == ChatUnauthorized {
			errs = append(errs, errors.New(p.report.Error))
		}
	}
	return errors.Join(errs...)
}

// Run checks every platform until each has answered, retrying with
// backoff while one cannot be reached and slowly while one refuses its
// token. It returns when ctx ends or every platform has answered.
func (c *chatChecks) Run(ctx context.Context) {
	if c == nil {
		return
	}
	var wg sync.WaitGroup
	for _, p := range c.platforms {
		wg.Go(func() { c.runPlatform(ctx, p) })
	}
	wg.Wait()
}

// Once checks every platform once (outagebot check --online).
func (c *chatChecks) Once(ctx context.Context) ChatReport {
	if c == nil {
		return ChatReport{}
	}
	var wg sync.WaitGroup
	for _, p := range c.platforms {
		wg.Go(func() { _ = c.check(ctx, p) })
	}
	for _, h := range c.hooks {
		wg.Go(func() { c.checkHook(ctx, h) })
	}
	wg.Wait()
	return c.Report()
}

func (c *chatChecks) runPlatform(ctx context.Context, p *platformCheck) {
	failures := 0
	for {
		err := c.check(ctx, p)
		if err == nil || ctx.Err() != nil {
			return
		}
		wait := credentialRecheck
		if !notifier.IsCredential(err) {
			wait = c.opts.Backoff(failures)
			failures++
		}
		c.log.Debug("checking the chat platform again later", "platform", p.name, "in", wait.Round(time.Millisecond), "err", err)
		if c.opts.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// check asks the platform who the token is and checks every channel. It
// returns an error when the check should be repeated: the platform could
// not be reached, or it refused the token.
func (c *chatChecks) check(ctx context.Context, p *platformCheck) error {
	cctx, cancel := context.WithTimeout(ctx, chatCallTimeout)
	acct, err := p.checker.Identify(cctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		state := ChatUnreachable
		if notifier.IsCredential(err) {
			state = ChatUnauthorized
		}
		c.setPlatform(p, state, notifier.Account{}, err)
		return err
	}
	if p.name == "discord" && c.appID != "" && acct.ApplicationID != "" && acct.ApplicationID != c.appID {
		acct.Notes = append(acct.Notes, fmt.Sprintf("application_id %s is not this bot's application (%s): commands will not register until application_id = %q", c.appID, acct.ApplicationID, acct.ApplicationID))
	}
	c.setPlatform(p, ChatReady, acct, nil)

	var again error
	for i, ch := range p.channels {
		cctx, cancel := context.WithTimeout(ctx, chatCallTimeout)
		res, err := ch.checker.CheckChannel(cctx, ch.id, acct)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case notifier.IsCredential(err):
			c.setPlatform(p, ChatUnauthorized, notifier.Account{}, err)
			return err
		case err != nil:
			again = errors.Join(again, err)
			c.log.Debug("cannot check the channel now", "platform", p.name, "channel", ch.name, "err", err)
			continue
		}
		c.setChannel(p, i, res)
	}
	return again
}

// setPlatform records a platform's state, logging and exporting changes.
func (c *chatChecks) setPlatform(p *platformCheck, state string, acct notifier.Account, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := p.report
	p.report.State, p.report.Workspace, p.report.User, p.report.Notes = state, acct.Workspace, acct.User, acct.Notes
	p.report.Error = ""
	if err != nil {
		p.report.Error = err.Error()
		// Keep who the token was while the platform is away.
		p.report.Workspace, p.report.User = prev.Workspace, prev.User
	}
	ready := 0.0
	if state == ChatReady {
		ready = 1
	}
	c.ready.WithLabelValues(p.name).Set(ready)
	if state == ChatUnauthorized {
		// Channels cannot be checked with a refused token.
		for i := range p.report.Channels {
			if c := &p.report.Channels[i]; c.State == ChatChecking {
				c.State, c.Detail = string(notifier.ChannelUnchecked), "not checked: "+p.title+" refuses the bot token"
			}
		}
	}
	if prev.State == state && prev.Error == p.report.Error && slices.Equal(prev.Notes, p.report.Notes) {
		return
	}
	log := c.log.With("platform", p.name)
	switch state {
	case ChatReady:
		log.Info(p.title+" accepts the bot token", "workspace", acct.Workspace, "bot_user", acct.User)
		for _, n := range acct.Notes {
			log.Warn(p.title+" setup: "+n, "workspace", acct.Workspace)
		}
	case ChatUnauthorized:
		log.Error(p.title+" refuses the bot token: nothing will be posted there until it is replaced", "err", err)
	case ChatUnreachable:
		if prev.State != ChatUnreachable {
			log.Warn("cannot reach "+p.title+" to check the bot token; checking again in the background (polling and queued deliveries carry on)", "err", err)
		}
	}
}

// setChannel records one channel's check, logging and exporting changes.
func (c *chatChecks) setChannel(p *platformCheck, i int, res notifier.ChannelCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &p.report.Channels[i]
	prev := *r
	r.Name, r.State, r.Detail = res.Name, string(res.State), res.Detail
	switch res.State {
	case notifier.ChannelReachable, notifier.ChannelLimited:
		c.reach.WithLabelValues(r.Channel, p.name).Set(1)
	case notifier.ChannelUnreachable:
		c.reach.WithLabelValues(r.Channel, p.name).Set(0)
	default:
		c.reach.DeleteLabelValues(r.Channel, p.name)
	}
	if prev.State == r.State && prev.Detail == r.Detail {
		return
	}
	log := c.log.With("platform", p.name, "channel", r.Channel, "id", r.ID, "name", r.Name)
	switch res.State {
	case notifier.ChannelReachable:
		if r.Detail != "" {
			log = log.With("note", r.Detail)
		}
		log.Info("the bot can post in the channel")
	case notifier.ChannelUnreachable:
		log.Warn("the bot cannot post in the channel: " + r.Detail + "; its messages wait until this is fixed")
	case notifier.ChannelLimited:
		log.Warn("the bot can post in the channel, but " + r.Detail)
	default:
		log.Warn("cannot check the channel: " + r.Detail)
	}
}

// defaultBackoff doubles from backoffFirst to backoffMax, with up to 20%
// jitter so that replicas do not ask in step.
func defaultBackoff(attempt int) time.Duration {
	d := backoffMax
	if attempt < 16 {
		d = min(backoffFirst<<attempt, backoffMax)
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// chatHealth shows the chat checks on /healthz and /readyz, and makes a
// refused token fail /readyz.
func (a *App) chatHealth() []httpapi.Option {
	if a.chat == nil {
		return nil
	}
	return []httpapi.Option{
		httpapi.WithReady(a.chat.Ready),
		httpapi.WithDetail("chat", func() any { return a.chat.Report() }),
	}
}

// ChatReport is what the chat checks have found so far (empty without
// chat).
func (a *App) ChatReport() ChatReport { return a.chat.Report() }

// CheckChat checks cfg's chat tokens and channels once, as at start,
// without running the bot (outagebot check --online).
func CheckChat(ctx context.Context, cfg *config.Config, log *slog.Logger) (ChatReport, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	routes, err := buildRoutes(cfg, Options{}, log)
	if err != nil {
		return ChatReport{}, err
	}
	c, err := newChatChecks(cfg, routes, log, ChatCheckOptions{}, nil)
	if err != nil {
		return ChatReport{}, err
	}
	return c.Once(ctx), nil
}
