package page

import (
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
)

// reportData is what the outage page template reads.
type reportData struct {
	ID       string
	Head     string
	Title    string
	Severity badge
	Ongoing  bool
	Markdown string
	Vendor   string
	Rows     [][2]string
	Notes    []string
	Timeline []entryView
}

type entryView struct {
	At       string
	Target   string
	OutageID string
	Kind     string
	Severity badge
	Phase    string
	Text     string
}

// report lays out a post-outage report as the markdown export does, with
// the locale's words. notes are the lines about related targets and
// fallbacks that the outage's messages carried.
func (l locale) report(r report.Report, notes []string) reportData {
	d := reportData{ID: r.ID, Head: r.Target, Title: r.Title, Severity: l.badge(r.Severity), Ongoing: r.Ongoing,
		Markdown: "/api/v1/outages/" + r.ID + "/report?format=markdown", Notes: notes}
	if r.Vendor != nil {
		d.Head, d.Vendor = r.Vendor.Name, r.Vendor.URL
	}
	state := l.T("report.resolved")
	if r.Ongoing {
		state = l.T("report.ongoing")
	}
	d.Rows = append(d.Rows,
		[2]string{l.T("report.state"), state},
		[2]string{l.T("report.severity"), d.Severity.Label},
		[2]string{l.T("report.detected"), l.F("report.detectedby", l.Stamp(r.DetectedAt), r.DetectedBy)})
	if v := r.Vendor; v != nil && !v.AckAt.IsZero() {
		ack := l.F("report.ack.at", l.Stamp(v.AckAt))
		switch {
		case v.Lag >= time.Minute:
			ack = l.F("report.ack.lag", l.Stamp(v.AckAt), outage.FormatDuration(v.Lag))
		case len(r.Services) > 0:
			ack = l.F("report.ack.first", l.Stamp(v.AckAt))
		}
		d.Rows = append(d.Rows, [2]string{l.T("report.ack"), ack})
		if !v.StartedAt.IsZero() && v.StartedAt.Before(v.AckAt.Add(-time.Minute)) {
			d.Rows = append(d.Rows, [2]string{l.T("report.vstart"), l.Stamp(v.StartedAt) + " UTC"})
		}
	} else if len(r.Services) > 0 {
		never := l.T("report.ack.never")
		if r.Ongoing {
			never = l.T("report.ack.notyet")
		}
		d.Rows = append(d.Rows, [2]string{l.T("report.ack"), never})
	}
	if r.Ongoing {
		d.Rows = append(d.Rows, [2]string{l.T("report.sofar"), outage.FormatDuration(r.Duration)})
	} else {
		d.Rows = append(d.Rows, [2]string{l.T("report.restored"), l.Stamp(r.RestoredAt) + " UTC"},
			[2]string{l.T("report.duration"), outage.FormatDuration(r.Duration)})
	}
	if len(r.Components) > 0 {
		d.Rows = append(d.Rows, [2]string{l.T("report.components"), strings.Join(r.Components, ", ")})
	}
	if len(r.Services) > 0 {
		var parts []string
		for _, s := range r.Services {
			p := s.Name + " (" + l.F("report.service.open", l.Clock(s.FailedAt, r.DetectedAt), outage.FormatDuration(s.Duration))
			if !s.RestoredAt.IsZero() {
				p = s.Name + " (" + l.F("report.service", l.Clock(s.FailedAt, r.DetectedAt), l.Clock(s.RestoredAt, s.FailedAt), outage.FormatDuration(s.Duration))
			}
			if s.Confirm != "" {
				p += ", " + l.T("confirm."+string(s.Confirm))
			}
			parts = append(parts, p+")")
		}
		d.Rows = append(d.Rows, [2]string{l.T("report.services"), strings.Join(parts, "; ")})
	}
	for _, e := range r.Timeline {
		phase := ""
		// "resolved · resolved" says nothing twice.
		if e.Phase != "" && string(e.Phase) != string(e.Kind) {
			phase = l.T("phase." + string(e.Phase))
		}
		d.Timeline = append(d.Timeline, entryView{At: l.Clock(e.At, r.DetectedAt), Target: e.Target, OutageID: e.OutageID,
			Kind: l.T("kind." + string(e.Kind)), Severity: l.badge(e.Severity), Phase: phase, Text: e.Text})
	}
	return d
}
