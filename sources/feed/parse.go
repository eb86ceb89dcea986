package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/outagebot/outagebot/sources"
)

const notFeed = "not an RSS or Atom feed"

// parsed is one parsed feed; observation filters it by the clock.
type parsed struct {
	page      string
	incidents []sources.Incident // newest update first
}

// entry is one feed item.
type entry struct {
	key, guid, link, title string
	at                     time.Time
	segs                   []segment
	pos                    int // position in the feed
}

// Parse parses an RSS or Atom feed. base is the feed's URL, against which
// relative links are resolved. now and window decide which incidents are
// reported: those updated within window before now (DefaultWindow when
// window is 0 or less).
func Parse(data []byte, base string, now time.Time, window time.Duration) (sources.Observation, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	doc, err := parse(data, base, now)
	if err != nil {
		return sources.Observation{}, err
	}
	return doc.observation(now, window), nil
}

// Detect reports whether body is an RSS or Atom feed, by its root element.
func Detect(body []byte, contentType string) bool {
	root, err := rootElement(body)
	return err == nil && isFeedRoot(root)
}

func isFeedRoot(name string) bool {
	switch strings.ToLower(name) {
	case "rss", "feed", "rdf":
		return true
	}
	return false
}

// rootElement is the name of the document's first element.
func rootElement(data []byte) (string, error) {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(t) == 0 || t[0] != '<' {
		return "", errors.New("not XML")
	}
	d := xml.NewDecoder(bytes.NewReader(t[:min(len(t), 16<<10)]))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for range 64 {
		tok, err := d.RawToken()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
	return "", errors.New("no root element")
}

func checkFeed(data []byte) error {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	switch {
	case len(t) == 0:
		return fmt.Errorf("%s: the body is empty", notFeed)
	case t[0] == '{' || t[0] == '[':
		return fmt.Errorf("%s: the document is JSON", notFeed)
	case t[0] != '<':
		return fmt.Errorf("%s: the document is not XML", notFeed)
	}
	root, err := rootElement(t)
	switch {
	case err != nil:
		return fmt.Errorf("invalid XML: %s", strings.TrimPrefix(err.Error(), "XML syntax error "))
	case strings.EqualFold(root, "html"):
		return fmt.Errorf("%s: got an HTML page (an error or login page?)", notFeed)
	case !isFeedRoot(root):
		return fmt.Errorf("%s: the root element is <%s>, want <rss> or <feed>", notFeed, root)
	}
	return nil
}

// readFeed runs gofeed, which must never take the process down with it.
func readFeed(data []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("invalid feed: the parser failed (%v)", r)
		}
	}()
	f, err = gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("invalid XML: %s", strings.TrimPrefix(err.Error(), "XML syntax error "))
	}
	if f.FeedType != "rss" && f.FeedType != "atom" {
		return nil, fmt.Errorf("%s: the document is a %s feed", notFeed, f.FeedType)
	}
	return f, nil
}

func parse(data []byte, base string, now time.Time) (*parsed, error) {
	if err := checkFeed(data); err != nil {
		return nil, err
	}
	f, err := readFeed(data)
	if err != nil {
		return nil, err
	}
	baseURL, _ := url.Parse(base)
	p := &parsed{page: absolute(baseURL, f.Link)}
	if u, err := url.Parse(p.page); err == nil && u.Path == "/" && u.RawQuery == "" {
		p.page = strings.TrimSuffix(p.page, "/") // a site's root: as the other sources write it
	}
	if p.page == "" && baseURL != nil && baseURL.Host != "" && (baseURL.Scheme == "http" || baseURL.Scheme == "https") {
		p.page = baseURL.Scheme + "://" + baseURL.Host
	}
	home := normalize(p.page)

	var (
		order  []string
		groups = map[string][]*entry{}
	)
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		// Titles are text (gofeed has decoded their entities already).
		e := &entry{pos: i, guid: strings.TrimSpace(it.GUID), title: collapse(it.Title)}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		e.link = absolute(baseURL, link)
		if it.UpdatedParsed != nil {
			e.at = it.UpdatedParsed.UTC()
		}
		if it.PublishedParsed != nil && it.PublishedParsed.After(e.at) {
			e.at = it.PublishedParsed.UTC()
		}
		body := it.Content
		if len(it.Description) > len(body) {
			body = it.Description
		}
		e.segs = segmentsOf(body, true)
		switch n := normalize(e.link); {
		case n != "" && n != home:
			e.key = n
		case e.guid != "":
			e.key = e.guid
		default:
			e.key = e.title
		}
		if e.key == "" {
			continue
		}
		if _, ok := groups[e.key]; !ok {
			order = append(order, e.key)
		}
		groups[e.key] = append(groups[e.key], e)
	}
	for _, key := range order {
		p.incidents = append(p.incidents, incident(key, groups[key], now))
	}
	slices.SortStableFunc(p.incidents, func(a, b sources.Incident) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return p, nil
}

// incident builds one incident from its entries.
func incident(key string, entries []*entry, now time.Time) sources.Incident {
	// Oldest entry first; feeds list newest first, so on a tie the later
	// entry in the feed is the older.
	slices.SortStableFunc(entries, func(a, b *entry) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return b.pos - a.pos
	})
	newest := entries[len(entries)-1]
	inc := sources.Incident{ID: key, Title: newest.title}
	for i := len(entries) - 1; i >= 0 && inc.URL == ""; i-- {
		inc.URL = entries[i].link
	}

	var (
		ups      []sources.IncidentUpdate
		last     sources.IncidentStatus
		preamble []string
	)
	for _, e := range entries {
		ref := e.at
		if ref.IsZero() {
			ref = now
		}
		marked := e.segs
		if len(marked) > 0 && marked[0].marker == "" {
			if len(marked) > 1 {
				preamble = append(preamble, marked[0].text)
			}
			marked = marked[1:]
		}
		// An entry's own update is named by the entry's time: one entry per
		// update keeps its name, and one entry per incident showing only
		// the latest update gets a new name with each update.
		entryID := key + "@" + e.at.Format(time.RFC3339)
		if len(marked) == 0 {
			// No markers: the entry is one update, its phase in its words.
			text := ""
			if len(e.segs) > 0 {
				text = e.segs[0].text
			}
			st := phaseOf(e.title, text)
			last = st
			ups = append(ups, sources.IncidentUpdate{ID: entryID, At: e.at, Status: st, Body: text})
			continue
		}
		// Markers: newest first in the body; walk them oldest first. An
		// update is named by its own time where the body gives one, so that
		// its ID stays put as updates are added above it.
		for i := len(marked) - 1; i >= 0; i-- {
			sg := marked[i]
			st := sources.IncidentStatus(markerStatus(sg.marker))
			if st == "update" {
				st = last
				if st == "" {
					st = sources.IncidentInvestigating
				}
			}
			last = st
			at, dated := parseDate(sg.date, ref)
			var id string
			switch {
			case dated:
				id = key + "@" + at.Format(time.RFC3339)
			case len(marked) > 1:
				at, id = e.at, key+"#"+strconv.Itoa(len(marked)-1-i)
			default:
				at, id = e.at, entryID
			}
			ups = append(ups, sources.IncidentUpdate{ID: id, At: at, Status: st, Body: sg.text})
		}
	}
	slices.SortStableFunc(ups, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
	// The same update may be in several entries (feeds that repeat the
	// history in every item): keep the first. Two different updates under
	// one name (two in the same minute): number the later.
	bodies := make(map[string][]string, len(ups))
	out := make([]sources.IncidentUpdate, 0, len(ups))
	for _, u := range ups {
		prev := bodies[u.ID]
		if slices.Contains(prev, u.Body) {
			continue
		}
		bodies[u.ID] = append(prev, u.Body)
		if len(prev) > 0 {
			u.ID += "#" + strconv.Itoa(len(prev))
		}
		out = append(out, u)
	}
	ups = out
	inc.Updates = ups

	latest, _ := inc.Latest()
	inc.Status = latest.Status
	inc.StartedAt = ups[0].At
	inc.UpdatedAt = latest.At
	if inc.UpdatedAt.Before(newest.at) {
		inc.UpdatedAt = newest.at
	}

	maintenance := false
	for _, u := range ups {
		switch u.Status {
		case sources.MaintenanceScheduled, sources.MaintenanceInProgress, sources.MaintenanceVerifying, sources.MaintenanceCompleted:
			maintenance = true
		}
	}
	all := strings.ToLower(inc.Title)
	for _, u := range ups {
		all += "\n" + strings.ToLower(u.Body)
	}
	if !maintenance && hasWord(strings.ToLower(inc.Title), "maintenance") && !hasAny(all, "investigating", "identified", "outage") {
		maintenance = true
		for i := range inc.Updates {
			inc.Updates[i].Status = maintenancePhase(inc.Updates[i].Status, strings.ToLower(inc.Updates[i].Body))
		}
		inc.Status = inc.Updates[len(inc.Updates)-1].Status
	}
	if maintenance {
		inc.Impact = sources.Maintenance
		inc.ScheduledFor, inc.ScheduledUntil = window(preamble, newest.at, now)
		// Started: when work began, not when it was announced.
		inc.StartedAt = time.Time{}
		for _, u := range inc.Updates {
			if u.Status != sources.MaintenanceScheduled {
				inc.StartedAt = u.At
				break
			}
		}
	} else {
		inc.Impact = severity(all)
	}
	if inc.Status.Done() {
		inc.ResolvedAt = latest.At
		if inc.ResolvedAt.IsZero() {
			inc.ResolvedAt = inc.UpdatedAt
		}
	}
	return inc
}

// phaseOf reads an entry's phase from its words when no marker says it:
// the title's first ("... - Resolved"), else the text's.
func phaseOf(title, text string) sources.IncidentStatus {
	if st, ok := phaseWords(strings.ToLower(title)); ok {
		return st
	}
	st, _ := phaseWords(strings.ToLower(text))
	return st
}

func phaseWords(t string) (sources.IncidentStatus, bool) {
	switch {
	case hasAny(t, "resolved", "completed", "fixed", "restored", "recovered"):
		return sources.IncidentResolved, true
	case hasWord(t, "monitoring"):
		return sources.IncidentMonitoring, true
	case hasWord(t, "identified"):
		return sources.IncidentIdentified, true
	case hasWord(t, "investigating"):
		return sources.IncidentInvestigating, true
	}
	// Anything else ("degraded", "outage", no words at all) is open.
	return sources.IncidentInvestigating, false
}

// maintenancePhase reads a maintenance's phase from an incident phase
// guessed from words, and the words.
func maintenancePhase(st sources.IncidentStatus, text string) sources.IncidentStatus {
	switch {
	case st.Done():
		return sources.MaintenanceCompleted
	case hasAny(text, "in progress", "underway", "started", "begun"):
		return sources.MaintenanceInProgress
	}
	return sources.MaintenanceScheduled
}

// severity reads an incident's impact from its words.
func severity(t string) sources.Status {
	switch {
	case hasAny(t, "major outage", "full outage"):
		return sources.MajorOutage
	case hasWord(t, "partial"):
		return sources.PartialOutage
	case hasWord(t, "outage"):
		return sources.MajorOutage
	}
	return sources.Degraded
}

var eventRE = regexp.MustCompile(`(?i)scheduled event\s+(.+?)\s+-\s+(.+?)\s*$`)

// window reads a maintenance's window from Statuspage's preamble, "THIS IS A
// SCHEDULED EVENT Jun 10, 02:00 - 04:00 UTC" (or "... Jun 10, 22:00 - Jun
// 11, 02:00 UTC").
func window(preamble []string, ref, now time.Time) (from, until time.Time) {
	if ref.IsZero() {
		ref = now
	}
	for i := len(preamble) - 1; i >= 0; i-- {
		for line := range strings.Lines(preamble[i]) {
			m := eventRE.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				continue
			}
			left, right := m[1], m[2]
			fields := strings.Fields(right)
			if len(fields) == 0 {
				continue
			}
			zone := ""
			if z := fields[len(fields)-1]; !strings.Contains(z, ":") {
				zone = z
			}
			if _, err := strconv.Atoi(strings.Split(fields[0], ":")[0]); err == nil {
				// "04:00 UTC": the day is the left's.
				if c := strings.LastIndexByte(left, ','); c >= 0 {
					right = left[:c+1] + " " + right
				}
			}
			if zone != "" && !strings.HasSuffix(left, zone) {
				left += " " + zone
			}
			// The window is announced before it happens (or written while it
			// happens): a date a month before ref is next year's.
			f, ok1 := parseDate(left, ref)
			u, ok2 := parseDate(right, ref)
			if ok1 && ok2 {
				if f.Before(ref.AddDate(0, -1, 0)) {
					f, u = f.AddDate(1, 0, 0), u.AddDate(1, 0, 0)
				}
				if u.Before(f) {
					u = u.AddDate(0, 0, 1)
				}
				return f, u
			}
		}
	}
	return time.Time{}, time.Time{}
}

// absolute makes a feed's link absolute: some feeds drop the scheme
// ("status.example.com/incidents/x"), some are relative, some double the
// slash ("https://status.example.com//incidents/x").
func absolute(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	switch {
	case strings.HasPrefix(link, "//"):
		link = "https:" + link
	case !strings.Contains(link, "://") && !strings.HasPrefix(link, "/"):
		if host, _, _ := strings.Cut(link, "/"); strings.Contains(host, ".") {
			link = "https://" + link
		}
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	for strings.Contains(u.Path, "//") {
		u.Path = strings.ReplaceAll(u.Path, "//", "/")
	}
	u.RawPath = ""
	return u.String()
}

// normalize is a link as a grouping key: no fragment, no trailing slash.
func normalize(link string) string {
	if i := strings.IndexByte(link, '#'); i >= 0 {
		link = link[:i]
	}
	return strings.TrimRight(link, "/")
}

// observation is what the feed says at now: incidents updated within
// window, and maintenances not over.
func (p *parsed) observation(now time.Time, window time.Duration) sources.Observation {
	if p == nil {
		return sources.Observation{}
	}
	obs := sources.Observation{Page: p.page}
	cutoff := now.Add(-window)
	for i := range p.incidents {
		inc := &p.incidents[i]
		recent := !inc.UpdatedAt.IsZero() && !inc.UpdatedAt.Before(cutoff)
		if inc.Impact == sources.Maintenance {
			if !inc.Status.Done() && (recent || inc.ScheduledUntil.After(now)) {
				obs.Maintenances = append(obs.Maintenances, *inc)
			}
			continue
		}
		if recent {
			obs.Incidents = append(obs.Incidents, *inc)
		}
	}
	return obs
}
