package page

import (
	"encoding/binary"
	"hash/maphash"
	"html/template"
	"math"
	"sync"

	"github.com/outagebot/outagebot/statusview"
)

// rowCache keeps each target's rendered row while what it shows is the
// same: a page of 1,000 targets is viewed many times a minute while its
// rows change a few times a day, so a steady page is a concatenation of
// kept rows. A row is found by a fingerprint of the few values it shows;
// its 90 days count by the builder's DaysVersion when there is one, and
// are hashed only for the targets whose today an open outage extends.
type rowCache struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[string]rowEntry
}

type rowEntry struct {
	sum  uint64
	html template.HTML
}

func (c *rowCache) init() maphash.Seed {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.seed, c.m = maphash.MakeSeed(), map[string]rowEntry{}
	}
	return c.seed
}

func (c *rowCache) lookup(name string, sum uint64) (template.HTML, bool) {
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	return e.html, ok && e.sum == sum
}

func (c *rowCache) put(name string, sum uint64, html template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Removed targets are forgotten now and then rather than tracked.
	if len(c.m) > 100_000 {
		clear(c.m)
	}
	c.m[name] = rowEntry{sum: sum, html: html}
}

// fingerprinter hashes what a row shows. One is used per page and reuses
// its buffer, so hashing a row allocates nothing.
type fingerprinter struct {
	seed maphash.Seed
	buf  []byte
}

func (f *fingerprinter) str(s string) {
	f.buf = binary.AppendUvarint(f.buf, uint64(len(s)))
	f.buf = append(f.buf, s...)
}

func (f *fingerprinter) word(v uint64) { f.buf = binary.LittleEndian.AppendUint64(f.buf, v) }

func (f *fingerprinter) uptime(u *float64) {
	if u == nil {
		f.buf = append(f.buf, 0)
		return
	}
	f.buf = append(f.buf, 1)
	f.word(math.Float64bits(*u))
}

// row is the fingerprint of everything the row template and bar write for
// t in locale lang, since being the row's "since" text (it moves with the
// clock), and the bytes it was taken over (valid until the next call),
// which unlike the seeded fingerprint are the same in every process.
func (f *fingerprinter) row(lang string, t statusview.Target, since string) (sum uint64, shown []byte) {
	f.buf = f.buf[:0]
	f.str(lang)
	f.str(t.Name)
	f.str(string(t.Status))
	f.str(since)
	f.str(t.Error)
	f.uptime(t.Uptime.Day)
	f.uptime(t.Uptime.Week)
	f.uptime(t.Uptime.Month)
	f.uptime(t.Uptime.Quarter)
	f.word(uint64(len(t.OpenOutages)))
	for _, id := range t.OpenOutages {
		f.str(id)
	}
	f.word(uint64(len(t.Locations)))
	for _, loc := range t.Locations {
		f.str(loc.Name)
		f.str(string(loc.Status))
		f.str(loc.Error)
		f.str(loc.Excluded)
		f.str(millis(loc.Latency)) // as shown, so a row changes when its words do
		if loc.Failing {
			f.buf = append(f.buf, 'f')
		}
	}
	f.word(uint64(len(t.Days)))
	if t.DaysVersion != 0 {
		f.buf = append(f.buf, 'v')
		f.word(t.DaysVersion)
		// The version says the days are the same, not which they are:
		// the first date keeps two days' versions apart all the same.
		if len(t.Days) > 0 {
			f.word(uint64(t.Days[0].Date.Unix()))
		}
	} else {
		f.buf = append(f.buf, 'd')
		for _, d := range t.Days {
			f.days(d)
		}
	}
	return maphash.Bytes(f.seed, f.buf), f.buf
}

func (f *fingerprinter) days(d statusview.Day) {
	f.word(uint64(d.Date.Unix()))
	f.str(string(d.Worst))
	f.word(uint64(d.Down))
	f.word(uint64(d.Maintenance))
	f.word(uint64(d.Unknown))
	f.word(uint64(len(d.Outages)))
	for _, o := range d.Outages {
		f.str(o.Title)
		f.str(string(o.Severity))
		f.word(uint64(o.Duration))
	}
}

// zipCache keeps the compressed bodies of the last few pages by ETag: an
// unchanged page is compressed once, not at every view.
type zipCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

const zipCacheSize = 8

func (c *zipCache) get(etag string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[etag]
	return b, ok
}

func (c *zipCache) put(etag string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= zipCacheSize {
		c.m = map[string][]byte{}
	}
	c.m[etag] = b
}
