package page

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// benchPage is n targets in groups of 20 with 90 days of history: every
// seventh day of a target has an outage, every 30th maintenance; every
// 50th target has an open outage.
func benchPage(n int) statusview.Page {
	p := statusview.Page{Title: "Bench", Generated: t0, Overall: sources.Degraded}
	for i := range n {
		if i%20 == 0 {
			p.Groups = append(p.Groups, statusview.Group{Name: fmt.Sprintf("group %d", i/20)})
		}
		g := &p.Groups[len(p.Groups)-1]
		t := statusview.Target{Name: fmt.Sprintf("target-%04d", i), Group: g.Name, Type: "http", Status: sources.Operational,
			Uptime: statusview.Uptime{Day: pct(1), Week: pct(0.999), Month: pct(0.9987), Quarter: pct(0.9991)}}
		t.Days = days(func(d int, day *statusview.Day) {
			switch {
			case (d+i)%7 == 0:
				day.Worst, day.Down = sources.PartialOutage, 25*time.Minute
				day.Outages = []statusview.DayOutage{{ID: fmt.Sprintf("o-%d-%d", i, d), Title: "Elevated error rates on the API", Severity: sources.PartialOutage, Class: outage.Incident, Duration: 25 * time.Minute}}
			case (d+i)%30 == 0:
				day.Worst, day.Maintenance = sources.Maintenance, time.Hour
			}
		})
		if i%50 == 0 {
			// As the builder gives it: a target with an open outage has
			// no DaysVersion (its today grows at every view).
			t.Status, t.Since = sources.Degraded, t0.Add(-40*time.Minute)
			t.OpenOutages = []string{fmt.Sprintf("open-%d", i)}
			p.Open = append(p.Open, statusview.Outage{ID: t.OpenOutages[0], Target: t.Name, Group: g.Name, Title: "Slow responses",
				Class: outage.Incident, Severity: sources.Degraded, Started: t.Since, Latest: "We are looking into it.", LatestAt: t0.Add(-5 * time.Minute)})
		}
		if len(t.OpenOutages) == 0 {
			t.DaysVersion = 1
		}
		g.Targets = append(g.Targets, t)
	}
	return p
}

// BenchmarkStatusPage serves / for 1,000 targets with 90 days of history,
// as a browser asks for it (gzip) and not, and reports the 99th
// percentile of the steady page and the first view's time.
func BenchmarkStatusPage(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("targets=1000/gzip=%v", gz), func(b *testing.B) {
			h := newHandler(b, "en", benchPage(1000), fixtureStore(0))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			var took []time.Duration
			var size int
			w := &countingWriter{h: http.Header{}}
			// The first view renders every row; later views of the steady
			// page take the rows kept. The first is reported apart.
			start := time.Now()
			h.ServeHTTP(w, req)
			first := time.Since(start)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w.n = 0
				start := time.Now()
				h.ServeHTTP(w, req)
				took = append(took, time.Since(start))
				size = w.n
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "KB")
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
		})
	}
}

// BenchmarkTransferSize reports what / weighs over the wire for 100
// targets, gzip-compressed (goal: under 100 KB).
func BenchmarkTransferSize(b *testing.B) {
	h := newHandler(b, "en", benchPage(100), fixtureStore(0))
	var plain, zipped int
	for b.Loop() {
		plain = get(b, h, "/").Body.Len()
		zipped = get(b, h, "/", "Accept-Encoding", "gzip").Body.Len()
	}
	b.ReportMetric(float64(zipped)/1024, "gzip-KB")
	b.ReportMetric(float64(plain)/1024, "plain-KB")
}

// countingWriter is a ResponseWriter that keeps only the body's size, as a
// connection would send it on.
type countingWriter struct {
	h http.Header
	n int
}

func (c *countingWriter) Header() http.Header { return c.h }
func (c *countingWriter) WriteHeader(int)     {}
func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}
