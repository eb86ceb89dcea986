package pagerduty

import (
	"fmt"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Limits of an Events API v2 event
// (developer.pagerduty.com/docs/events-API-v2/trigger-events).
const (
	maxSummary   = 1024
	maxDedupKey  = 255
	maxComponent = 255
	// maxDetail bounds the vendor's words in custom_details: the whole
	// event must stay under PagerDuty's 512 KB, and an on-call engineer
	// reads the start.
	maxDetail = 8000
)

// Event actions.
const (
	Trigger     = "trigger"
	Acknowledge = "acknowledge"
	Resolve     = "resolve"
)

// Event is an Events API v2 request body.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Payload     *Payload `json:"payload,omitempty"`
	Client      string   `json:"client,omitempty"`
	Links       []Link   `json:"links,omitempty"`
}

// Payload describes a triggered alert.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// Link is a link shown on the alert.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// Severity maps a status to PagerDuty's severities: major outage is
// critical, partial outage error, degraded (and unknown: the status page
// cannot be read) warning, maintenance and anything else info.
func Severity(s sources.Status) string {
	switch s {
	case sources.MajorOutage:
		return "critical"
	case sources.PartialOutage:
		return "error"
	case sources.Degraded, sources.Unknown:
		return "warning"
	}
	return "info"
}

// Action is what ev asks of PagerDuty, "" for nothing: a trigger on
// opening, a resolve on restoration, an acknowledge when acknowledged from
// chat. An update triggers again (same dedup_key: the alert is updated,
// not doubled) only when it changes the severity, which changed says.
// Digests and reports are not alerts.
func Action(ev outage.Event, changed bool) string {
	switch ev.Kind {
	case outage.Opened:
		return Trigger
	case outage.Updated:
		if changed {
			return Trigger
		}
	case outage.Resolved:
		return Resolve
	case outage.Acknowledged:
		return Acknowledge
	}
	return ""
}

// DedupKey is the outage's id: every event of one outage addresses one
// alert.
func DedupKey(ev outage.Event) string { return truncate(ev.OutageID, maxDedupKey) }

// Build makes the request body of ev for action, its summary and link in
// English. group is the target's group from the configuration ("" for
// none).
func Build(routingKey, action string, ev outage.Event, group string) Event {
	return BuildIn(i18n.For(i18n.Default), routingKey, action, ev, group)
}

// BuildIn is Build with the summary and the link's text in p's language;
// the custom details are data and stay as they are.
func BuildIn(p *i18n.Printer, routingKey, action string, ev outage.Event, group string) Event {
	e := Event{RoutingKey: routingKey, EventAction: action, DedupKey: DedupKey(ev)}
	if action != Trigger {
		return e
	}
	summary := notifier.Summary(p, ev)
	var comps []string
	var compDetails []string
	for _, c := range ev.Components {
		comps = append(comps, c.Name)
		compDetails = append(compDetails, fmt.Sprintf("%s: %s", c.Name, c.Status))
	}
	details := map[string]any{
		"outage_id":  ev.OutageID,
		"target":     ev.Target,
		"kind":       string(ev.Kind),
		"severity":   string(ev.Severity),
		"started_at": ev.OpenedAt.UTC().Format(time.RFC3339),
	}
	if ev.Phase != "" {
		details["phase"] = string(ev.Phase)
	}
	if ev.Body != "" {
		details["vendor_words"] = truncate(ev.Body, maxDetail)
	}
	if len(compDetails) > 0 {
		details["components"] = compDetails
	}
	if len(ev.Notes) > 0 {
		details["notes"] = ev.Notes
	}
	if ev.URL != "" {
		details["status_page"] = ev.URL
		e.Links = []Link{{Href: ev.URL, Text: p.T("chat.pagerduty.vendor_page", nil)}}
	}
	e.Client = "outagebot"
	e.Payload = &Payload{
		Summary:       truncate(summary, maxSummary),
		Source:        ev.Target,
		Severity:      Severity(ev.Severity),
		Timestamp:     timestamp(ev.At),
		Component:     truncate(strings.Join(comps, ", "), maxComponent),
		Group:         group,
		Class:         string(ev.Class),
		CustomDetails: details,
	}
	return e
}

// timestamp is t as ISO 8601, "" for none: PagerDuty then dates the
// event itself, where year 1 would date the alert two thousand years ago.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// truncate cuts s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
