package page

import (
	"hash/maphash"
	"html/template"
	"strings"
	"sync"

	"github.com/outagebot/outagebot/statusview"
)

// barCache keeps each target's rendered bar while its history is the same:
// a page of 1,000 targets has 90,000 days, and their history changes a few
// times a day while the page is viewed many times a minute. Hashing a
// target's days costs a small part of writing them out.
type barCache struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[string]barEntry
}

type barEntry struct {
	sum  uint64
	html template.HTML
}

func (c *barCache) get(l locale, t statusview.Target) template.HTML {
	c.mu.Lock()
	if c.m == nil {
		c.seed, c.m = maphash.MakeSeed(), map[string]barEntry{}
	}
	seed := c.seed
	c.mu.Unlock()
	sum := fingerprint(seed, t)
	c.mu.Lock()
	e, ok := c.m[t.Name]
	c.mu.Unlock()
	if ok && e.sum == sum {
		return e.html
	}
	var b strings.Builder
	l.bar(&b, t)
	e = barEntry{sum: sum, html: template.HTML(b.String())}
	c.mu.Lock()
	// Removed targets are forgotten now and then rather than tracked.
	if len(c.m) > 100_000 {
		clear(c.m)
	}
	c.m[t.Name] = e
	c.mu.Unlock()
	return e.html
}

// fingerprint covers everything bar writes.
func fingerprint(seed maphash.Seed, t statusview.Target) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(t.Name)
	var buf [8]byte
	word := func(v int64) {
		for i := range buf {
			buf[i] = byte(v >> (8 * i))
		}
		h.Write(buf[:])
	}
	for _, d := range t.Days {
		word(d.Date.Unix())
		h.WriteString(string(d.Worst))
		word(int64(d.Down))
		word(int64(d.Maintenance))
		word(int64(d.Unknown))
		for _, o := range d.Outages {
			h.WriteString(o.Title)
			h.WriteByte(0)
			h.WriteString(string(o.Severity))
			word(int64(o.Duration))
		}
		h.WriteByte(0xff)
	}
	return h.Sum64()
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
