package console

import (
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// vocab is one language's words for the console and the widths of the
// columns they fill, so that the columns line up whatever the language.
type vocab struct {
	p *i18n.Printer
	// kindWidth fits the longest word of the kind column ("MAINTENANCE").
	kindWidth int
	// stateWidth fits the longest usual state: an update's severity and a
	// duration under a day ("partial outage, 23h 59m").
	stateWidth int
}

// The words of the kind column, as catalog messages.
const (
	kindAcked       = "chat.console.kind.acked"
	kindOffline     = "chat.console.kind.offline"
	kindOnline      = "chat.console.kind.online"
	kindUnknown     = "chat.console.kind.unknown"
	kindReadable    = "chat.console.kind.readable"
	kindMaintenance = "chat.console.kind.maintenance"
	kindOpened      = "chat.console.kind.opened"
	kindUpdated     = "chat.console.kind.updated"
	kindResolved    = "chat.console.kind.resolved"
	kindDigest      = "chat.console.kind.digest"
	kindReport      = "chat.console.kind.report"
)

var kinds = []string{kindAcked, kindOffline, kindOnline, kindUnknown, kindReadable, kindMaintenance,
	kindOpened, kindUpdated, kindResolved, kindDigest, kindReport}

// vocabFor returns lang's vocabulary.
func vocabFor(lang string) *vocab {
	v := &vocab{p: i18n.For(lang)}
	for _, k := range kinds {
		v.kindWidth = max(v.kindWidth, textWidth(v.kind(k)))
	}
	longest := 23*time.Hour + 59*time.Minute
	for _, s := range []sources.Status{sources.Degraded, sources.PartialOutage, sources.MajorOutage, sources.Unknown} {
		v.stateWidth = max(v.stateWidth, textWidth(v.updatedState(s, longest)))
	}
	return v
}

// kind is the kind column's word for the message id: "OPENED", "NEU".
func (v *vocab) kind(id string) string { return v.p.T(id, nil) }

// shortLabel is a severity in the fewest words that keep it clear, to keep
// its column narrow.
func (v *vocab) shortLabel(s sources.Status) string {
	switch s {
	case sources.Degraded:
		return v.p.T("chat.console.degraded", nil)
	case sources.Maintenance:
		return v.p.Class(outage.MaintenanceWork)
	}
	return v.p.StatusInline(s)
}

// updatedState is an update's state: its severity and how long it has
// lasted.
func (v *vocab) updatedState(s sources.Status, d time.Duration) string {
	return v.shortLabel(s) + ", " + v.p.Duration(d)
}

// phase is a vendor phase as a tag in the words: "investigating", "wird
// untersucht"; a phase the catalog does not know is shown as it came.
func (v *vocab) phase(ph sources.IncidentStatus) string {
	id := "phase_inline." + string(ph)
	if s := v.p.T(id, nil); s != id {
		return s
	}
	return string(ph)
}
