// Package report builds the post-outage report: the timeline of one outage
// and of the outages tied to it (the vendor incident behind a failing
// service of ours, the services a vendor incident hurt), from stored data
// only, as markdown for an incident review or as JSON.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Store is what a report reads.
type Store interface {
	Outage(ctx context.Context, id string) (outage.Outage, error)
	Events(ctx context.Context, outageID string) ([]outage.Event, error)
	Outages(ctx context.Context, since time.Time, target string) ([]outage.Outage, error)
}

// relatedWindow is how far before the outage related outages are looked
// for: a vendor incident that explains ours may have begun well before.
const relatedWindow = 48 * time.Hour

// Report is one outage's story.
type Report struct {
	// ID and Target are the outage asked about; Title is the vendor's
	// incident title when a vendor incident is involved, else its own.
	ID       string         `json:"id"`
	Target   string         `json:"target"`
	Title    string         `json:"title"`
	Severity sources.Status `json:"severity"`
	// titleSaid is Title as a catalog message when the bot gave the
	// outage its title ("Down"), nil for a vendor's.
	titleSaid *outage.Text
	// Ongoing is set while any outage of the story is open.
	Ongoing bool `json:"ongoing"`
	// DetectedAt is when we first knew: the first failure of one of our
	// services, or when the vendor's page first showed it.
	DetectedAt time.Time `json:"detected_at"`
	DetectedBy string    `json:"detected_by"`
	// Vendor is the vendor's side, when a vendor incident is involved.
	Vendor *Vendor `json:"vendor,omitempty"`
	// RestoredAt is when the last outage of the story ended; Duration runs
	// from DetectedAt to it (or to the report's time while ongoing).
	RestoredAt time.Time     `json:"restored_at,omitzero"`
	Duration   time.Duration `json:"duration_ns"`
	// Components are the vendor components affected, in order of
	// appearance.
	Components []string `json:"components,omitempty"`
	// Services are our own services that failed (or held up) in the story.
	Services []Service `json:"services,omitempty"`
	Timeline []Entry   `json:"timeline"`
	// AcknowledgedAt and AcknowledgedBy are the first acknowledgement
	// from chat, if any; TimeToAcknowledge runs from DetectedAt to it.
	AcknowledgedAt    time.Time     `json:"acknowledged_at,omitzero"`
	AcknowledgedBy    string        `json:"acknowledged_by,omitempty"`
	TimeToAcknowledge time.Duration `json:"time_to_acknowledge_ns,omitempty"`
	// At is when the report was made.
	At time.Time `json:"generated_at"`
}

// Vendor is the vendor's acknowledgement of the trouble.
type Vendor struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	// AckAt is when the vendor's page admitted it; Lag is how long after
	// our own detection (zero or less: the vendor said so first).
	AckAt time.Time     `json:"ack_at"`
	Lag   time.Duration `json:"lag_ns"`
	// StartedAt is the start the vendor gives (often backdated).
	StartedAt  time.Time `json:"started_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Service is one of our services in the story.
type Service struct {
	Name       string              `json:"name"`
	OutageID   string              `json:"outage_id"`
	FailedAt   time.Time           `json:"failed_at"`
	RestoredAt time.Time           `json:"restored_at,omitzero"`
	Duration   time.Duration       `json:"duration_ns"`
	Confirm    outage.Confirmation `json:"confirmation,omitempty"`
	Severity   sources.Status      `json:"severity"`
}

// Entry is one line of the timeline.
type Entry struct {
	At       time.Time              `json:"at"`
	Target   string                 `json:"target"`
	OutageID string                 `json:"outage_id"`
	Kind     outage.Kind            `json:"kind"`
	Severity sources.Status         `json:"severity"`
	Phase    sources.IncidentStatus `json:"phase,omitempty"`
	// Text is what happened, in English.
	Text string `json:"text"`

	// event is the stored event the entry tells, and said the words of an
	// entry the report adds: Text in any language (see text).
	event *outage.Event
	said  outage.Text
}

// text is what happened in p's language: the bot's own words translated,
// a vendor's as the vendor wrote them.
func (e Entry) text(p *i18n.Printer) string {
	switch {
	case !e.said.IsZero():
		return p.Text(e.said)
	case e.event != nil:
		return entryText(p, *e.event)
	}
	return e.Text
}

// said is an entry of the report's own, its Text in English.
func said(e Entry, t outage.Text) Entry {
	e.said, e.Text = t, english.Text(t)
	return e
}

// Build makes the report of the outage whose id is (or starts with) id.
func Build(ctx context.Context, st Store, id string, now time.Time) (Report, error) {
	subject, err := st.Outage(ctx, id)
	if err != nil {
		return Report{}, err
	}
	group, err := related(ctx, st, subject)
	if err != nil {
		return Report{}, err
	}
	events := map[string][]outage.Event{}
	for _, o := range group {
		evs, err := st.Events(ctx, o.ID)
		if err != nil {
			return Report{}, fmt.Errorf("read the events of outage %s: %w", o.ID, err)
		}
		events[o.ID] = evs
	}
	r := assemble(subject, group, events, now)
	if acks, ok := st.(Acks); ok {
		if err := addAck(ctx, acks, &r, group); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

// Acks reads acknowledgements; *store.Store is one. A Store that is one
// gives reports the acknowledgement.
type Acks interface {
	Acknowledgement(ctx context.Context, outageID string) (outage.Ack, bool, error)
}

// addAck puts the story's first acknowledgement in r: the figures, and a
// line of the timeline.
func addAck(ctx context.Context, acks Acks, r *Report, group []outage.Outage) error {
	var (
		first outage.Ack
		of    outage.Outage
		found bool
	)
	for _, o := range group {
		a, ok, err := acks.Acknowledgement(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("read the acknowledgement of %s: %w", o.ID, err)
		}
		if ok && (!found || a.At.Before(first.At)) {
			first, of, found = a, o, true
		}
	}
	if !found {
		return nil
	}
	r.AcknowledgedAt, r.AcknowledgedBy = first.At.UTC(), first.Mention("")
	if !r.DetectedAt.IsZero() {
		r.TimeToAcknowledge = max(first.At.Sub(r.DetectedAt), 0)
	}
	e := said(Entry{At: first.At.UTC(), Target: of.Target, OutageID: of.ID, Kind: outage.Acknowledged, Severity: of.Severity},
		outage.Say("report.entry.ack", outage.Str("By", r.AcknowledgedBy), outage.Str("Platform", first.Platform)))
	i := sort.Search(len(r.Timeline), func(i int) bool { return r.Timeline[i].At.After(e.At) })
	r.Timeline = slices.Insert(r.Timeline, i, e)
	return nil
}

// related is the subject and every outage tied to it: by a depends_on link
// either way, or by sharing its chat thread.
func related(ctx context.Context, st Store, subject outage.Outage) ([]outage.Outage, error) {
	cands, err := st.Outages(ctx, subject.OpenedAt.Add(-relatedWindow), "")
	if err != nil {
		return nil, fmt.Errorf("read the outages around %s: %w", subject.ID, err)
	}
	ids := map[string]bool{subject.ID: true}
	threads := map[string]bool{subject.ThreadKey(): true}
	if subject.Link != nil && subject.Link.VendorOutage != "" {
		ids[subject.Link.VendorOutage] = true
	}
	// Grow the set until nothing more joins: a vendor outage pulls in the
	// services linked to it, and those their threads.
	for changed := true; changed; {
		changed = false
		for _, o := range cands {
			if ids[o.ID] && threads[o.ThreadKey()] {
				continue
			}
			in := ids[o.ID] || threads[o.ThreadKey()] || threads[o.ID] ||
				(o.Link != nil && ids[o.Link.VendorOutage])
			if !in {
				continue
			}
			if !ids[o.ID] || !threads[o.ThreadKey()] {
				changed = true
			}
			ids[o.ID], threads[o.ThreadKey()] = true, true
			if o.Link != nil && o.Link.VendorOutage != "" && !ids[o.Link.VendorOutage] {
				ids[o.Link.VendorOutage], changed = true, true
			}
		}
	}
	var group []outage.Outage
	for _, o := range cands {
		if ids[o.ID] && o.Class != outage.Unreachable {
			group = append(group, o)
		}
	}
	if !slices.ContainsFunc(group, func(o outage.Outage) bool { return o.ID == subject.ID }) {
		group = append(group, subject) // older than the window's candidates
	}
	slices.SortFunc(group, func(a, b outage.Outage) int { return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), cmp.Compare(a.ID, b.ID)) })
	return group, nil
}

// assemble is the pure part of Build.
func assemble(subject outage.Outage, group []outage.Outage, events map[string][]outage.Event, now time.Time) Report {
	r := Report{ID: subject.ID, Target: subject.Target, Title: subject.Title, titleSaid: subject.TitleSaid.Clone(), Severity: subject.Severity, At: now}

	// The vendor outage: the one our services link to, else the subject
	// itself when nothing of ours links to it.
	var vendorOutage *outage.Outage
	for i := range group {
		o := &group[i]
		for _, p := range group {
			if p.Link != nil && p.Link.VendorOutage == o.ID {
				vendorOutage = o
			}
		}
	}
	for i := range group {
		o := group[i]
		if o.Link == nil {
			continue
		}
		s := Service{Name: o.Target, OutageID: o.ID, FailedAt: o.OpenedAt, RestoredAt: o.ResolvedAt, Confirm: o.Link.Confirm, Severity: o.Severity}
		end := o.ResolvedAt
		if end.IsZero() {
			end = now
		}
		s.Duration = end.Sub(o.OpenedAt)
		r.Services = append(r.Services, s)
	}

	if vendorOutage == nil && subject.Link == nil && fromVendor(events[subject.ID]) {
		vendorOutage = &subject
	}
	if vendorOutage != nil {
		r.Title, r.titleSaid = vendorOutage.Title, vendorOutage.TitleSaid.Clone()
		v := &Vendor{Name: vendorOutage.Target, Title: vendorOutage.Title, URL: vendorOutage.URL, StartedAt: vendorOutage.OpenedAt, ResolvedAt: vendorOutage.ResolvedAt}
		if evs := events[vendorOutage.ID]; len(evs) > 0 {
			v.AckAt = evs[0].At // the poll that first saw it on the page
		}
		r.Vendor = v
	}

	// Detection: the first failure of our services, else when we saw the
	// vendor's page say so.
	for _, s := range r.Services {
		if r.DetectedAt.IsZero() || s.FailedAt.Before(r.DetectedAt) {
			r.DetectedAt, r.DetectedBy = s.FailedAt, s.Name
		}
	}
	if r.DetectedAt.IsZero() {
		r.DetectedAt, r.DetectedBy = subject.OpenedAt, subject.Target
		if r.Vendor != nil && !r.Vendor.AckAt.IsZero() {
			r.DetectedAt = r.Vendor.AckAt
		}
	}
	if r.Vendor != nil && !r.Vendor.AckAt.IsZero() {
		r.Vendor.Lag = r.Vendor.AckAt.Sub(r.DetectedAt)
	}

	r.Ongoing = false
	for _, o := range group {
		if o.Open() {
			r.Ongoing = true
		} else if o.ResolvedAt.After(r.RestoredAt) {
			r.RestoredAt = o.ResolvedAt
		}
		if o.Severity.Rank() > r.Severity.Rank() {
			r.Severity = o.Severity
		}
	}
	if r.Ongoing {
		r.RestoredAt = time.Time{}
		r.Duration = now.Sub(r.DetectedAt)
	} else {
		r.Duration = r.RestoredAt.Sub(r.DetectedAt)
	}

	for _, o := range group {
		for _, ev := range events[o.ID] {
			if ev.Severity.Rank() > r.Severity.Rank() {
				r.Severity = ev.Severity
			}
			if o.Link == nil {
				for _, c := range ev.Components {
					if !slices.Contains(r.Components, c.Name) {
						r.Components = append(r.Components, c.Name)
					}
				}
			}
			r.Timeline = append(r.Timeline, Entry{At: ev.At, Target: ev.Target, OutageID: ev.OutageID, Kind: ev.Kind, Severity: ev.Severity, Phase: ev.Phase,
				Text: entryText(english, ev), event: &ev})
		}
	}
	// A probe announces after several failed checks: the review wants the
	// first one.
	for _, s := range r.Services {
		if first := firstAt(r.Timeline, s.OutageID); first.After(s.FailedAt) {
			r.Timeline = append(r.Timeline, said(Entry{At: s.FailedAt, Target: s.Name, OutageID: s.OutageID, Kind: Detected, Severity: s.Severity},
				outage.Say("report.entry.first_failure", outage.Clock("Clock", first))))
		}
	}
	slices.SortStableFunc(r.Timeline, func(a, b Entry) int { return a.At.Compare(b.At) })
	return r
}

// Detected is the timeline entry of a service's first failed check, which
// precedes its announcement.
const Detected outage.Kind = "detected"

func firstAt(tl []Entry, id string) time.Time {
	for _, e := range tl {
		if e.OutageID == id {
			return e.At
		}
	}
	return time.Time{}
}

// fromVendor reports whether an outage's events come from a vendor's page
// (an incident phase or a status page link), not from a probe of ours.
func fromVendor(evs []outage.Event) bool {
	return slices.ContainsFunc(evs, func(ev outage.Event) bool { return ev.Phase != "" || ev.URL != "" })
}

// entryText is what an event says, in p's language.
func entryText(p *i18n.Printer, ev outage.Event) string {
	body := p.Body(ev)
	switch ev.Kind {
	case outage.Opened:
		return p.T("report.entry.opened", i18n.Args{"Title": title(p, ev), "Body": body})
	case outage.Resolved:
		return p.T("report.entry.restored", i18n.Args{"Duration": p.Duration(ev.Duration()), "Body": body})
	}
	return body
}

// title is ev's title in p's language, "" when it has none (where
// p.Title would name its class).
func title(p *i18n.Printer, ev outage.Event) string {
	if ev.TitleSaid == nil {
		return ev.Title
	}
	return p.Title(ev)
}
