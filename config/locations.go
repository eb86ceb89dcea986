package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// locationName is what a location may be called: it is shown in messages
// and stored as a key, so short and plain.
var locationName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// DefaultQuorum is the quorum of a probe listing n locations: a majority
// of them, so that one location's trouble never opens an outage alone
// when there are others to ask. 0 (for n = 0, every live location) means
// a majority of the locations live when the results are combined.
func DefaultQuorum(n int) int {
	if n == 0 {
		return 0
	}
	return n/2 + 1
}

// Distributed reports whether replicas share the polling through the
// store: several locations, or shared polling.
func (b Bot) Distributed() bool { return b.Location != "" || b.Shard }

// checkLocations validates [bot] location and shard and the targets'
// locations and quorum.
func checkLocations(cfg *Config, ix *docIndex, c *collector) {
	b := cfg.Bot
	postgres := strings.HasPrefix(b.State, "postgres://") || strings.HasPrefix(b.State, "postgresql://")
	const needsPG = "needs a PostgreSQL state ([bot] state = \"postgres://...\"): replicas share their poll results through it, and a SQLite file serves one process"
	if b.Location != "" {
		if !locationName.MatchString(b.Location) {
			c.add([]string{"bot", "location"}, `must be a short name of lower-case letters, digits, '.', '_' or '-' (up to 40), like "eu-west"`)
		} else if !postgres && b.State != "" {
			c.add([]string{"bot", "location"}, needsPG)
		}
	}
	if b.Shard && !postgres && b.State != "" {
		c.add([]string{"bot", "shard"}, needsPG)
	}
	for i, t := range cfg.Targets {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return []string{"target", n, key} }
		if !t.IsProbe() {
			// Type-specific key checks already refuse locations and
			// quorum on a vendor feed: a feed is polled once, from one
			// replica, whatever the locations.
			continue
		}
		hasLocs, hasQuorum := ix.present(at("locations")), ix.present(at("quorum"))
		if (hasLocs || hasQuorum) && b.Location == "" {
			key := "locations"
			if !hasLocs {
				key = "quorum"
			}
			c.add(at(key), "needs [bot] location on every replica (like location = \"eu-west\"): without it there is one location and nothing to combine")
		}
		if hasLocs && len(t.Locations) == 0 {
			c.add(at("locations"), "must name at least one location; leave it out to probe from every live location")
		}
		seen := map[string]bool{}
		for j, l := range t.Locations {
			p := append(at("locations"), strconv.Itoa(j+1))
			switch {
			case !locationName.MatchString(l):
				c.add(p, fmt.Sprintf(`%q is not a location name: lower-case letters, digits, '.', '_' or '-', like "eu-west"`, clip(l)))
			case seen[l]:
				c.add(p, fmt.Sprintf("location %q is listed twice", l))
			}
			seen[l] = true
		}
		switch {
		case !hasQuorum:
		case len(t.Locations) > 0 && (t.Quorum < 1 || t.Quorum > len(t.Locations)):
			c.add(at("quorum"), fmt.Sprintf("must be from 1 to %d (the number of locations listed)", len(t.Locations)))
		case t.Quorum < 1 || t.Quorum > MaxThreshold:
			c.add(at("quorum"), fmt.Sprintf("must be from 1 to %d: how many locations must fail to open an outage", MaxThreshold))
		}
	}
}
