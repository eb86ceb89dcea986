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
	// components are the components each incident lists (by incident ID),
	// in the state its newest entry gives them.
	components map[string][]sources.Component
}

// entry is one feed item.
type entry struct {
	key, guid, link, title string
	at                     time.Time // the newest machine-readable date, UTC
	// machine are the item's machine-readable dates (pubDate, published,
	// updated) as written, with their offsets.
	machine []time.Time
	segs    []segment
	pos     int // position in the feed
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
		return xmlError(err)
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
			// What the parser tripped over means nothing to whoever reads
			// the error.
			f, err = nil, fmt.Errorf("%s: the feed could not be read", notFeed)
		}
	}()
	f, err = gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, xmlError(err)
	}
	if f.FeedType != "rss" && f.FeedType != "atom" {
		return nil, fmt.Errorf("%s: the document is a %s feed", notFeed, f.FeedType)
	}
	return f, nil
}

// xmlError says what is wrong with a body that should have been a feed, in
// the feed's terms: where the XML breaks, or that it ends early.
func xmlError(err error) error {
	var syn *xml.SyntaxError
	if !errors.As(err, &syn) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s: the XML ends early (truncated?)", notFeed)
		}
		// gofeed's own errors name its internals ("Failed to detect feed
		// type"); the checks before it have ruled out what they mean.
		return fmt.Errorf("%s: the feed could not be read", notFeed)
	}
	if syn.Msg == "unexpected EOF" {
		return fmt.Errorf("%s: the XML ends early, on line %d (truncated?)", notFeed, syn.Line)
	}
	return fmt.Errorf("%s: invalid XML on line %d: %s", notFeed, syn.Line, syn.Msg)
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
	p := &parsed{page: absolute(baseURL, f.Link), components: map[string][]sources.Component{}}
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
		e := &entry{pos: i, guid: strings.TrimSpace(it.GUID), title: titleText(it.Title)}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		e.link = absolute(baseURL, link)
		for _, t := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
			if t == nil || t.IsZero() {
				continue
			}
			e.machine = append(e.machine, *t)
			if t.After(e.at) {
				e.at = t.UTC()
			}
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
		inc, comps := incident(key, groups[key], now)
		p.incidents = append(p.incidents, inc)
		if len(comps) > 0 {
			p.components[inc.ID] = comps
		}
	}
	slices.SortStableFunc(p.incidents, func(a, b sources.Incident) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return p, nil
}

// incident builds one incident from its entries, and the components its
// newest listing names.
func incident(key string, entries []*entry, now time.Time) (sources.Incident, []sources.Component) {
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
		preamble []preface
		listing  []string // the newest entry's affected components
		listed   bool
	)
	for _, e := range entries {
		ref := e.at
		if ref.IsZero() {
			ref = now
		}
		marked := e.segs
		if len(marked) > 0 && marked[0].marker == "" {
			if len(marked) > 1 {
				preamble = append(preamble, preface{text: marked[0].text, loc: bodyZone(e, marked[1:]), ref: ref})
			}
			marked = marked[1:]
		}
		if l, ok := listOf(e.segs); ok {
			listing, listed = l, true
		}
		loc := bodyZone(e, marked)
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
			at, dated := placeDate(sg.date, loc, ref)
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
	comps := components(listing, inc.Status.Done())
	if listed {
		inc.ComponentIDs = make([]string, 0, len(comps))
		for _, c := range comps {
			inc.ComponentIDs = append(inc.ComponentIDs, c.ID)
		}
	}
	switch {
	case maintenance:
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
	case len(comps) > 0:
		// The states the vendor gave its components say how bad it is; a
		// published incident is at least degraded.
		inc.Impact = sources.Degraded
		for _, c := range comps {
			inc.Impact = sources.Worst(inc.Impact, c.Status)
		}
	default:
		inc.Impact = severity(wordsOf(inc))
	}
	if inc.Status.Done() {
		inc.ResolvedAt = latest.At
		if inc.ResolvedAt.IsZero() {
			inc.ResolvedAt = inc.UpdatedAt
		}
	}
	return inc, comps
}

// wordsOf is the text an incident's impact is read from when nothing
// structured says it: its title and the updates written while it was open.
// What is written once it is over (a postmortem) describes the incident at
// its worst, or in general, and is not its impact.
func wordsOf(inc sources.Incident) string {
	words := strings.ToLower(inc.Title)
	for _, u := range inc.Updates {
		if !u.Status.Done() {
			words += "\n" + strings.ToLower(u.Body)
		}
	}
	return words
}

// listOf is the affected components an entry lists, if it has the list.
func listOf(segs []segment) ([]string, bool) {
	var (
		out    []string
		listed bool
	)
	for _, sg := range segs {
		if sg.listed {
			listed = true
			out = append(out, sg.components...)
		}
	}
	return out, listed
}

// components reads incident.io's list items, "Connectors/Apps (Degraded
// performance)", into components named by their names. An item whose state
// is not one incident.io writes is affected, and so degraded while the
// incident is open.
func components(items []string, done bool) []sources.Component {
	var out []sources.Component
	for _, it := range items {
		name, st, ok := splitComponent(it)
		if !ok {
			st = sources.Degraded
			if done {
				st = sources.Operational
			}
		}
		if name == "" || slices.ContainsFunc(out, func(c sources.Component) bool { return c.ID == name }) {
			continue
		}
		out = append(out, sources.Component{ID: name, Name: name, Status: st})
	}
	return out
}

// splitComponent splits "API (Degraded performance)" into the name and the
// state, which incident.io writes last; a name may hold brackets of its own.
func splitComponent(item string) (string, sources.Status, bool) {
	item = collapse(item)
	i := strings.LastIndexByte(item, '(')
	if i < 0 || !strings.HasSuffix(item, ")") {
		return item, "", false
	}
	var st sources.Status
	switch strings.ToLower(strings.TrimSpace(item[i+1 : len(item)-1])) {
	case "operational":
		st = sources.Operational
	case "degraded performance", "degraded":
		st = sources.Degraded
	case "partial outage":
		st = sources.PartialOutage
	case "full outage", "major outage":
		st = sources.MajorOutage
	case "under maintenance", "maintenance", "scheduled maintenance":
		st = sources.Maintenance
	default:
		return item, "", false
	}
	return strings.TrimSpace(item[:i]), st, true
}

// bodyZone is the zone an entry's body times are read in: the zone of its
// machine-readable date, whose offset the page's own clock had when it
// wrote the entry. Zone labels in bodies are not trusted (Statuspage labels
// summer times with the winter zone). A machine date written in UTC says
// nothing of the page's zone, so where the body's newest time is a whole
// number of quarter hours before or after it, that is the page's offset.
// nil: the entry has no machine date, and labels are all there is.
func bodyZone(e *entry, marked []segment) *time.Location {
	if len(e.machine) == 0 {
		return nil
	}
	var (
		newest wall
		dated  bool
	)
	for _, sg := range marked {
		if w, ok := parseWall(sg.date); ok {
			newest, dated = w, true
			break // newest first
		}
	}
	_, off := e.machine[0].Zone()
	first := time.FixedZone("", off)
	if !dated {
		return first
	}
	for _, m := range e.machine {
		_, off := m.Zone()
		loc := time.FixedZone("", off)
		if t, ok := newest.in(loc, m); ok && near(m, t) {
			return loc
		}
	}
	for _, m := range e.machine {
		if _, off := m.Zone(); off != 0 {
			continue
		}
		t, ok := newest.in(time.UTC, m)
		if !ok {
			continue
		}
		q := m.Sub(t).Round(15 * time.Minute)
		if q.Abs() <= 14*time.Hour && near(m, t.Add(q)) {
			return time.FixedZone("", -int(q/time.Second))
		}
	}
	return first
}

// near reports whether the body time t (to the minute) is the time m.
func near(m, t time.Time) bool {
	d := m.Sub(t)
	return d > -time.Minute && d < 2*time.Minute
}

// placeDate reads a body's date in loc, or by its own label when loc is
// nil.
func placeDate(s string, loc *time.Location, ref time.Time) (time.Time, bool) {
	if loc == nil {
		return parseDate(s, ref)
	}
	w, ok := parseWall(s)
	if !ok {
		return time.Time{}, false
	}
	return w.in(loc, ref)
}

// titleText is an entry's title as plain text on one line. gofeed has
// decoded its entities; a title that still holds markup is read as HTML.
func titleText(s string) string {
	if structureRE.MatchString(s) || escapedRE.MatchString(s) || inlineRE.MatchString(s) {
		s = PlainText(s)
	}
	return collapse(s)
}

// inlineRE finds inline tags a title may carry.
var inlineRE = regexp.MustCompile(`(?i)<\s*/?\s*(?:b|strong|small|em|i|a|span|code|var)\b[^>]*>`)

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

// preface is the text before an entry's first marker, and the zone and
// reference time its dates are read by.
type preface struct {
	text string
	loc  *time.Location // nil: by their labels
	ref  time.Time
}

// window reads a maintenance's window from Statuspage's preamble, "THIS IS A
// SCHEDULED EVENT Jun 10, 02:00 - 04:00 UTC" (or "... Jun 10, 22:00 - Jun
// 11, 02:00 UTC"), in the zone of the entry it came from.
func window(preamble []preface, ref, now time.Time) (from, until time.Time) {
	if ref.IsZero() {
		ref = now
	}
	for i := len(preamble) - 1; i >= 0; i-- {
		pf := preamble[i]
		for line := range strings.Lines(pf.text) {
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
			f, ok1 := placeDate(left, pf.loc, ref)
			u, ok2 := placeDate(right, pf.loc, ref)
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
		switch {
		case inc.Impact == sources.Maintenance:
			if inc.Status.Done() || !(recent || inc.ScheduledUntil.After(now)) {
				continue
			}
			obs.Maintenances = append(obs.Maintenances, *inc)
		case recent:
			obs.Incidents = append(obs.Incidents, *inc)
		default:
			continue
		}
		// A component in the state the newest incident listing it gives
		// (incidents are newest first).
		for _, c := range p.components[inc.ID] {
			if !slices.ContainsFunc(obs.Components, func(o sources.Component) bool { return o.ID == c.ID }) {
				obs.Components = append(obs.Components, c)
			}
		}
	}
	return obs
}
