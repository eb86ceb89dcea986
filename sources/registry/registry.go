// Package registry builds the Source a configured target asks for. Adding a
// source type is one line in the constructors map (and, in step, one name in
// the config package's list of types).
package registry

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/auto"
	"github.com/outagebot/outagebot/sources/awshealth"
	"github.com/outagebot/outagebot/sources/betterstack"
	"github.com/outagebot/outagebot/sources/cachet"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/gcp"
	"github.com/outagebot/outagebot/sources/incidentio"
	"github.com/outagebot/outagebot/sources/instatus"
	"github.com/outagebot/outagebot/sources/pageurl"
	"github.com/outagebot/outagebot/sources/probe"
	"github.com/outagebot/outagebot/sources/slackstatus"
	"github.com/outagebot/outagebot/sources/statusio"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// Deps are what sources share.
type Deps struct {
	// Client is the feeds' shared HTTP client; nil builds one from
	// UserAgent and MaxBody.
	Client *fetch.Client
	// UserAgent is sent by probes (and by a Client built here); empty is
	// fetch.UserAgent("").
	UserAgent string
	// MaxBody bounds a feed or probe body; 0 is fetch.DefaultMaxBody.
	MaxBody int64
	// Log receives what type = "auto" detected, and when AWS's event
	// history cannot be read.
	Log *slog.Logger
	// ProbeTransport is shared by every HTTP probe that may reuse
	// connections (probe.NewSharedTransport); nil gives each its own.
	ProbeTransport http.RoundTripper
}

type constructor func(config.Target, Deps) (sources.Source, error)

// constructors maps a target's type to its Source.
var constructors = map[string]constructor{
	"statuspage":  page(func(n pageurl.Result, c *fetch.Client) sources.Source { return statuspage.New(n.URL, c) }),
	"slackstatus": page(func(n pageurl.Result, c *fetch.Client) sources.Source { return slackstatus.New(n.URL, c) }),
	"incidentio":  page(func(n pageurl.Result, c *fetch.Client) sources.Source { return incidentio.New(n.URL, c) }),
	"feed":        page(func(n pageurl.Result, c *fetch.Client) sources.Source { return feed.New(n.URL, c) }),
	"gcp":         page(func(n pageurl.Result, c *fetch.Client) sources.Source { return gcp.New(n.URL, c) }),
	"instatus":    page(func(n pageurl.Result, c *fetch.Client) sources.Source { return instatus.New(n.URL, c) }),
	"betterstack": page(func(n pageurl.Result, c *fetch.Client) sources.Source { return betterstack.New(n.URL, c) }),
	"statusio":    page(newStatusio),
	"cachet":      page(func(n pageurl.Result, c *fetch.Client) sources.Source { return cachet.New(n.URL, c) }),
	"awshealth":   newAWSHealth,
	"http":        newHTTP,
	"tcp":         newTCP,
	"dns":         newDNS,
	"tlscert":     newTLSCert,
}

// page builds a vendor feed's source from its url normalised for its type,
// so that the page's base URL and any of its API URLs poll the same
// endpoints.
func page(build func(pageurl.Result, *fetch.Client) sources.Source) constructor {
	return func(t config.Target, d Deps) (sources.Source, error) {
		n, err := pageurl.Normalize(t.Type, t.URL)
		if err != nil {
			return nil, err
		}
		return build(n, feedClient(t, d)), nil
	}
}

// Normalize is the URL a feed target's source polls from, for `check` to
// show; ok is false for types that have no url to normalise (probes and
// auto).
func Normalize(t config.Target) (n pageurl.Result, ok bool, err error) {
	if _, known := constructors[t.Type]; !known || !pageurl.Handles(t.Type) {
		return pageurl.Result{}, false, nil
	}
	n, err = pageurl.Normalize(t.Type, t.URL)
	if err != nil {
		return pageurl.Result{}, true, fmt.Errorf("target %q: %w", t.Name, err)
	}
	return n, true, nil
}

func newStatusio(n pageurl.Result, c *fetch.Client) sources.Source {
	if n.Page != "" {
		return statusio.New(n.URL, c, statusio.WithPage(n.Page))
	}
	return statusio.New(n.URL, c)
}

// Types lists the source types New knows, sorted.
func Types() []string {
	out := make([]string, 0, len(constructors))
	for k := range constructors {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// New builds the Source for t.
func New(t config.Target, d Deps) (sources.Source, error) {
	build, ok := constructors[t.Type]
	if !ok {
		return nil, fmt.Errorf("target %q: unknown type %q (known: %s)", t.Name, t.Type, strings.Join(Types(), ", "))
	}
	src, err := build(t, d)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", t.Name, err)
	}
	return src, nil
}

// feedClient is the shared feed client, or one made from d's settings,
// following redirects as t allows.
func feedClient(t config.Target, d Deps) *fetch.Client {
	c := d.Client
	if c == nil {
		c = fetch.New(fetch.Options{UserAgent: d.UserAgent, MaxBody: d.MaxBody})
	}
	return c.WithRedirects(fetch.Redirects(t.FollowRedirects))
}

func newAWSHealth(t config.Target, d Deps) (sources.Source, error) {
	n, err := pageurl.Normalize(t.Type, t.URL)
	if err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return awshealth.New(n.URL, feedClient(t, d), awshealth.WithLogger(log.With("target", t.Name))), nil
}

func newHTTP(t config.Target, d Deps) (sources.Source, error) {
	return probe.NewHTTP(probe.HTTPConfig{
		Name:               t.Name,
		URL:                t.URL,
		Method:             t.Method,
		ExpectStatus:       t.ExpectStatus,
		BodyContains:       t.BodyContains,
		DegradedLatency:    t.DegradedLatency.Duration,
		Headers:            t.Headers,
		FreshConnection:    t.FreshConnection,
		BodyRegex:          t.BodyRegex,
		JSONPath:           t.JSONPath,
		JSONEquals:         t.JSONEquals,
		FollowRedirects:    fetch.Redirects(t.FollowRedirects),
		InsecureSkipVerify: t.InsecureSkipVerify,
		Retries:            t.Retries,
		UserAgent:          d.UserAgent,
		MaxBody:            d.MaxBody,
		Timeout:            t.Timeout.Duration,
		Transport:          d.ProbeTransport,
	})
}

func newTCP(t config.Target, _ Deps) (sources.Source, error) {
	return probe.NewTCP(probe.TCPConfig{Name: t.Name, Address: t.Address, Timeout: t.Timeout.Duration, Retries: t.Retries, DegradedLatency: t.DegradedLatency.Duration})
}

func newDNS(t config.Target, _ Deps) (sources.Source, error) {
	return probe.NewDNS(probe.DNSConfig{Name: t.Name, Host: t.Address, RecordType: t.RecordType, Resolver: t.Resolver, Expect: t.Expect, Timeout: t.Timeout.Duration, Retries: t.Retries})
}

func newTLSCert(t config.Target, _ Deps) (sources.Source, error) {
	return probe.NewTLSCert(probe.TLSCertConfig{Name: t.Name, Address: t.Address, ServerName: t.ServerName, WarnDays: t.WarnDays, Timeout: t.Timeout.Duration, Retries: t.Retries})
}

// auto builds other types, so it joins the map once the map exists.
func init() { constructors["auto"] = newAuto }

// newAuto detects the feed's format on the first poll and then behaves as
// that type's source.
func newAuto(t config.Target, d Deps) (sources.Source, error) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return auto.New(t.URL, feedClient(t, d), func(typ, url string) (sources.Source, error) {
		tt := t
		tt.Type, tt.URL = typ, url
		return New(tt, d)
	}, log.With("target", t.Name)), nil
}
