// Package chart draws a digest's picture: a swimlane per target over the
// digest's window, its outages as bars coloured by severity (maintenance
// and unknown status in colours of their own), and its uptime beside its
// name; with a one-paragraph alt text that says the same in words.
//
// Rendering is a pure function of outage.Chart: fixed size per lane, fonts
// embedded in gonum's plot module, no clock, no map order. The same data
// gives the same PNG bytes, so a retried delivery posts the same picture
// and the golden tests compare bytes.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"time"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/outagebot/outagebot/digest/internal/words"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Filename is the picture's file name on both platforms (Discord's embed
// refers to it as attachment://digest.png).
const Filename = "digest.png"

// Geometry, in points (1/72 inch) at dpi: a fixed width and a height that
// grows with the lanes, bounded by outage.MaxChartLanes.
const (
	dpi        = 96
	width      = 720 * vg.Length(1)
	laneHeight = 20 * vg.Length(1)
	// chrome is the height around the lanes: title, time axis and the
	// legend below it.
	chrome       = 92 * vg.Length(1)
	legendHeight = 22 * vg.Length(1)
	// maxLabel bounds a target's name on its lane, in runes.
	maxLabel = 28
	// minBar is the narrowest bar drawn, so a one-minute outage in a
	// week's window is still seen.
	minBar = 1.5 * vg.Length(1)
	// uptimeColumn is the room right of the lanes for each lane's uptime.
	uptimeColumn = 58 * vg.Length(1)
)

// The palette is Okabe and Ito's, which readers with the common forms of
// colour blindness tell apart; severities grow from yellow to vermilion.
var (
	colourUp          = color.RGBA{R: 0xe6, G: 0xe6, B: 0xe6, A: 0xff}
	colourDegraded    = color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff}
	colourPartial     = color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}
	colourMajor       = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}
	colourMaintenance = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}
	colourUnknown     = color.RGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	colourGrid        = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	colourText        = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
	colourMuted       = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
)

// legend is the key under the lanes, in order of severity: each colour
// and the message that names it.
var legend = []struct {
	label  string
	colour color.Color
}{
	{"chart.legend.up", colourUp},
	{"chart.legend.degraded", colourDegraded},
	{"chart.legend.partial", colourPartial},
	{"chart.legend.major", colourMajor},
	{"chart.legend.maintenance", colourMaintenance},
	{"chart.legend.unknown", colourUnknown},
}

// colour is a bar's colour by its status.
func colour(s sources.Status) color.Color {
	switch s {
	case sources.Degraded:
		return colourDegraded
	case sources.PartialOutage:
		return colourPartial
	case sources.MajorOutage:
		return colourMajor
	case sources.Maintenance:
		return colourMaintenance
	case sources.Unknown:
		return colourUnknown
	}
	// An outage of a status the picture does not know is still an
	// outage: drawn as the least severe.
	return colourDegraded
}

func face(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

func style(size vg.Length, bold bool, c color.Color) text.Style {
	return text.Style{Color: c, Font: face(size, bold), Handler: plot.DefaultTextHandler}
}

// Render draws the chart as PNG, its words in p's language. Lanes beyond
// outage.MaxChartLanes are left out (the data normally has no more); a
// chart without lanes or with an empty window is an error.
func Render(c *outage.Chart, p *i18n.Printer) ([]byte, error) {
	if c == nil || len(c.Lanes) == 0 {
		return nil, errors.New("chart: no targets to draw")
	}
	if !c.Until.After(c.Since) {
		return nil, fmt.Errorf("chart: empty window %s – %s", c.Since.Format(time.RFC3339), c.Until.Format(time.RFC3339))
	}
	lanes := c.Lanes
	more := c.More
	if len(lanes) > outage.MaxChartLanes {
		more += len(lanes) - outage.MaxChartLanes
		lanes = lanes[:outage.MaxChartLanes]
	}
	loc := location(c.Zone)
	n := len(lanes)

	pl := plot.New()
	pl.BackgroundColor = color.White
	pl.Title.Text = Title(c, p)
	pl.Title.TextStyle = style(13, true, colourText)
	pl.Title.TextStyle.XAlign = draw.XCenter
	pl.Title.TextStyle.YAlign = draw.YTop
	pl.Title.Padding = 8

	pl.X.Min, pl.X.Max = unix(c.Since), unix(c.Until)
	pl.X.Tick.Marker = timeTicks{loc: loc, p: p}
	pl.X.Tick.Label = style(10, false, colourMuted)
	pl.X.Tick.Label.XAlign = draw.XCenter
	pl.X.Tick.Label.YAlign = draw.YTop
	pl.X.Tick.Color = colourMuted
	pl.X.Tick.Width = 0.5
	pl.X.Tick.Length = 4
	pl.X.Color = colourMuted
	pl.X.Width = 0.5
	pl.X.Padding = 0

	pl.Y.Min, pl.Y.Max = -0.5, float64(n)-0.5
	pl.Y.Padding = 0
	pl.Y.Width = 0
	pl.Y.Tick.Length = 0
	pl.Y.Tick.Label = style(10, false, colourText)
	pl.Y.Tick.Label.XAlign = draw.XRight
	pl.Y.Tick.Label.YAlign = draw.YCenter
	ticks := make(plot.ConstantTicks, n)
	for i, l := range lanes {
		ticks[i] = plot.Tick{Value: laneY(i, n), Label: label(l)}
	}
	pl.Y.Tick.Marker = ticks
	pl.Add(swimlanes{lanes: lanes, ticks: timeTicks{loc: loc, p: p}, p: p})

	h := chrome + laneHeight*vg.Length(n)
	img := vgimg.NewWith(vgimg.UseWH(width, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	body := draw.Crop(dc, 8, -uptimeColumn, legendHeight, 0)
	pl.Draw(body)
	drawLegend(p, draw.Crop(dc, 0, 0, 0, -(h-legendHeight)), more, c.MoreDown)

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// laneY puts the first (worst) lane at the top.
func laneY(i, n int) float64 { return float64(n - 1 - i) }

// label is a lane's name, cut to maxLabel runes.
func label(l outage.ChartLane) string {
	name := l.Target
	if utf8.RuneCountInString(name) > maxLabel {
		r := []rune(name)
		name = string(r[:maxLabel-1]) + "…"
	}
	return name
}

// swimlanes draws a lane per target: the window in the colour of "up",
// white lines at the time ticks, a bar per span, and the lane's uptime in
// a column right of it.
type swimlanes struct {
	lanes []outage.ChartLane
	ticks timeTicks
	p     *i18n.Printer
}

func (s swimlanes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(s.lanes)
	half := laneHeight * 0.36
	x0, x1 := trX(p.X.Min), trX(p.X.Max)
	pct := style(10, true, colourText)
	pct.XAlign, pct.YAlign = draw.XRight, draw.YCenter
	// Raised by the descent, as the axis raises the names it writes.
	descent := pct.FontExtents().Descent
	for i, l := range s.lanes {
		y := trY(laneY(i, n))
		rect(c, colourUp, x0, x1, y-half, y+half)
		// Right of the data area: the canvas does not clip text.
		share := s.p.Share(l.Uptime)
		if l.Unmeasured {
			share = "–" // no measured time: the alt text says so in words
		}
		c.FillText(pct, vg.Point{X: x1 + uptimeColumn - 12, Y: y + descent}, share)
		for _, b := range l.Bars {
			bx0, bx1 := trX(unix(b.Start)), trX(unix(b.End))
			bx0, bx1 = max(bx0, x0), min(bx1, x1)
			if bx1-bx0 < minBar {
				mid := (bx0 + bx1) / 2
				bx0, bx1 = max(mid-minBar/2, x0), min(mid+minBar/2, x1)
			}
			rect(c, colour(b.Status), bx0, bx1, y-half, y+half)
		}
	}
	// Tick lines over the bars read as a time grid without hiding them.
	grid := draw.LineStyle{Color: colourGrid, Width: 0.75}
	top, bottom := trY(p.Y.Max), trY(p.Y.Min)
	for _, t := range s.ticks.Ticks(p.X.Min, p.X.Max) {
		if t.Label == "" || t.Value <= p.X.Min || t.Value >= p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(grid, x, bottom, x, top)
	}
}

func rect(c draw.Canvas, col color.Color, x0, x1, y0, y1 vg.Length) {
	c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
}

// drawLegend writes the colour key, and how many targets were left out.
func drawLegend(p *i18n.Printer, c draw.Canvas, more, moreDown int) {
	sty := style(10, false, colourText)
	sty.YAlign = draw.YCenter
	y := (c.Min.Y + c.Max.Y) / 2
	x := c.Min.X + 16
	const sw = 10
	for _, e := range legend {
		rect(c, e.colour, x, x+sw, y-sw/2, y+sw/2)
		x += sw + 4
		label := p.T(e.label, nil)
		c.FillText(sty, vg.Point{X: x, Y: y}, label)
		x += sty.Width(label) + 14
	}
	if note := moreNote(p, more, moreDown); note != "" {
		sty.Color = colourMuted
		sty.XAlign = draw.XRight
		c.FillText(sty, vg.Point{X: c.Max.X - 16, Y: y}, note)
	}
}

// moreNote is "and 30 more targets (2 with downtime)".
func moreNote(p *i18n.Printer, more, moreDown int) string {
	switch {
	case more <= 0:
		return ""
	case moreDown == 0:
		return p.N("chart.more.up", more, i18n.Args{"Percent": p.Share(100)})
	}
	return p.N("chart.more.down", more, i18n.Args{"Down": moreDown})
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func fromUnix(v float64) time.Time { return time.UnixMilli(int64(math.Round(v * 1000))) }

// location is the zone by IANA name; UTC when it is empty or unknown here.
func location(zone string) *time.Location {
	if zone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// timeTicks marks round times in the zone: every 15 minutes up to every
// week, whichever gives at most maxTicks labels. A tick at midnight shows
// the date, the others the time of day.
type timeTicks struct {
	loc *time.Location
	p   *i18n.Printer
}

const maxTicks = 9

var tickSteps = []time.Duration{
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

func (tt timeTicks) Ticks(lo, hi float64) []plot.Tick {
	from, to := fromUnix(lo).In(tt.loc), fromUnix(hi).In(tt.loc)
	window := to.Sub(from)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if window/s <= maxTicks {
			step = s
			break
		}
	}
	var out []plot.Tick
	// Walk the zone's calendar so ticks sit on round local times across
	// daylight-saving changes.
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, tt.loc)
	if step >= 24*time.Hour {
		days := int(step / (24 * time.Hour))
		for d := day; !d.After(to); d = d.AddDate(0, 0, days) {
			if !d.Before(from) {
				out = append(out, plot.Tick{Value: unix(d), Label: tt.p.Day(d)})
			}
		}
		return out
	}
	for d := day; !d.After(to); d = d.AddDate(0, 0, 1) {
		for off := time.Duration(0); off < 24*time.Hour; off += step {
			t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, tt.loc).Add(off)
			if t.Before(from) || t.After(to) {
				continue
			}
			lbl := t.Format("15:04")
			if t.Hour() == 0 && t.Minute() == 0 {
				lbl = tt.p.Day(t)
			}
			out = append(out, plot.Tick{Value: unix(t), Label: lbl})
		}
	}
	return out
}

// Title is the chart's heading, which Slack shows above the picture:
// "Uptime and outages, Mar 1 08:00 – Mar 2 08:00 UTC".
func Title(c *outage.Chart, p *i18n.Printer) string {
	if c == nil {
		return ""
	}
	start, end := words.Span(p, c.Since, c.Until, location(c.Zone))
	return p.T("chart.title", i18n.Args{"Start": start, "End": end})
}
