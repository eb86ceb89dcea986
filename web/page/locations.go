package page

import (
	"fmt"
	"github.com/outagebot/outagebot/bot"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// locationView is one location of a multi-location probe as its row's
// line shows it: "eu-west ✓ 42 ms", "us-east ✗ timeout" or
// "ap-south (left out: no live replica)". Mark is a symbol for the eye
// only; Word says the same to a screen reader, so neither colour nor
// symbol carries the meaning alone.
type locationView struct {
	Name   string
	Mark   string
	Word   string
	Class  string
	Detail string
}

func (l *locale) locations(locs []statusview.Location) []locationView {
	if len(locs) == 0 {
		return nil
	}
	out := make([]locationView, 0, len(locs))
	for _, loc := range locs {
		v := locationView{Name: loc.Name}
		switch {
		case loc.Excluded != "":
			v.Detail = l.T("page.loc.excluded", i18n.Args{"Reason": bot.ExcludedIn(l.p, loc.Excluded)})
		case loc.Failing:
			v.Mark, v.Word, v.Class = "✗", l.T("page.loc.failing", nil), "major"
			v.Detail = loc.Error
			if v.Detail == "" {
				v.Detail = l.badge(loc.Status).Label
			}
		case loc.Status == sources.Unknown || loc.Status == "":
			v.Mark, v.Word, v.Class = "?", l.badge(sources.Unknown).Label, "unk"
			v.Detail = loc.Error
		default:
			v.Mark, v.Word, v.Class = "✓", l.T("page.loc.fine", nil), "ok"
			v.Detail = millis(loc.Latency)
		}
		out = append(out, v)
	}
	return out
}

// millis is a latency in whole milliseconds; "" when none was measured.
func millis(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return "<1 ms"
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}
