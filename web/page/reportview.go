package page

import (
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
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
func (l *locale) report(r report.Report, notes []string) reportData {
	d := reportData{ID: r.ID, Head: r.Target, Title: r.Title, Severity: l.badge(r.Severity), Ongoing: r.Ongoing,
		Markdown: "/api/v1/outages/" + r.ID + "/report?format=markdown", Notes: notes}
	if r.Vendor != nil {
		d.Head, d.Vendor = r.Vendor.Name, r.Vendor.URL
	}
	state := l.T("page.report.resolved", nil)
	if r.Ongoing {
		state = l.T("page.report.ongoing", nil)
	}
	d.Rows = append(d.Rows,
		[2]string{l.T("page.report.state", nil), state},
		[2]string{l.T("page.report.severity", nil), d.Severity.Label},
		[2]string{l.T("page.report.detected", nil), l.T("page.report.detected_by", i18n.Args{"At": l.Stamp(r.DetectedAt), "By": r.DetectedBy})})
	d.Rows = append(d.Rows, l.ackRows(r)...)
	if r.Ongoing {
		d.Rows = append(d.Rows, [2]string{l.T("page.report.so_far", nil), l.Duration(r.Duration)})
	} else {
		d.Rows = append(d.Rows, [2]string{l.T("page.report.restored", nil), l.Stamp(r.RestoredAt) + " UTC"},
			[2]string{l.T("page.report.duration", nil), l.Duration(r.Duration)})
	}
	if len(r.Components) > 0 {
		d.Rows = append(d.Rows, [2]string{l.T("page.report.components", nil), strings.Join(r.Components, ", ")})
	}
	if len(r.Services) > 0 {
		d.Rows = append(d.Rows, [2]string{l.T("page.report.services", nil), l.services(r)})
	}
	for _, e := range r.Timeline {
		phase := ""
		// "resolved · resolved" says nothing twice.
		if e.Phase != "" && string(e.Phase) != string(e.Kind) {
			phase = l.phase(e.Phase)
		}
		d.Timeline = append(d.Timeline, entryView{At: l.Clock(e.At, r.DetectedAt), Target: e.Target, OutageID: e.OutageID,
			Kind: l.word(kindWords, string(e.Kind)), Severity: l.badge(e.Severity), Phase: phase, Text: e.Text})
	}
	return d
}

// ackRows say when the vendor acknowledged the outage and, when it dates
// the start earlier, from when.
func (l *locale) ackRows(r report.Report) [][2]string {
	head := l.T("page.report.ack", nil)
	v := r.Vendor
	if v == nil || v.AckAt.IsZero() {
		if len(r.Services) == 0 {
			return nil
		}
		if r.Ongoing {
			return [][2]string{{head, l.T("page.report.ack_not_yet", nil)}}
		}
		return [][2]string{{head, l.T("page.report.ack_never", nil)}}
	}
	at := l.Stamp(v.AckAt)
	ack := l.T("page.report.ack_at", i18n.Args{"At": at})
	switch {
	case v.Lag >= time.Minute:
		ack = l.T("page.report.ack_lag", i18n.Args{"At": at, "Lag": l.Duration(v.Lag)})
	case len(r.Services) > 0:
		ack = l.T("page.report.ack_first", i18n.Args{"At": at})
	}
	rows := [][2]string{{head, ack}}
	if !v.StartedAt.IsZero() && v.StartedAt.Before(v.AckAt.Add(-time.Minute)) {
		rows = append(rows, [2]string{l.T("page.report.vendor_start", nil), l.Stamp(v.StartedAt) + " UTC"})
	}
	return rows
}

// services is one line of our services the outage took down: when each
// failed and came back, and whether the vendor said so.
func (l *locale) services(r report.Report) string {
	parts := make([]string, 0, len(r.Services))
	for _, s := range r.Services {
		args := i18n.Args{"Failed": l.Clock(s.FailedAt, r.DetectedAt), "Duration": l.Duration(s.Duration)}
		p := l.T("page.report.service_open", args)
		if !s.RestoredAt.IsZero() {
			args["Restored"] = l.Clock(s.RestoredAt, s.FailedAt)
			p = l.T("page.report.service", args)
		}
		if s.Confirm != "" {
			p += ", " + l.word(confirmWords, string(s.Confirm))
		}
		parts = append(parts, s.Name+" ("+p+")")
	}
	return strings.Join(parts, "; ")
}
