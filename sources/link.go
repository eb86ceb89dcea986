package sources

import (
	"net/url"
	"strings"
)

// WebLink returns raw when it is a link a reader can safely be sent to: an
// absolute http or https URL with a host, and nothing that chat markup
// could read as the link's end (spaces, control characters, < > | or
// quotes). Anything else is "": vendor pages are not trusted to give
// only web links (a javascript: link would ride along into a Discord embed).
func WebLink(raw string) string {
	if raw == "" || len(raw) > maxLink || strings.ContainsFunc(raw, unsafeInLink) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return raw
	}
	return ""
}

// maxLink bounds a link; longer ones are not links people follow.
const maxLink = 2048

func unsafeInLink(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune(`<>|"`+"`", r) || r >= 0x80 && (r < 0xa0 || r == 0x2028 || r == 0x2029)
}

// WithWebLinks returns obs with every link checked by WebLink: the page's,
// and each incident's and maintenance's. Links that fail are dropped. obs's
// own slices are not changed (a source may keep them for its next poll).
func (obs Observation) WithWebLinks() Observation {
	obs.Page = WebLink(obs.Page)
	obs.Incidents = webLinks(obs.Incidents)
	obs.Maintenances = webLinks(obs.Maintenances)
	return obs
}

func webLinks(incs []Incident) []Incident {
	copied := false
	for i, inc := range incs {
		if WebLink(inc.URL) == inc.URL {
			continue
		}
		if !copied {
			incs = append([]Incident(nil), incs...)
			copied = true
		}
		incs[i].URL = ""
	}
	return incs
}
