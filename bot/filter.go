package bot

import (
	"slices"
	"strings"

	"github.com/outagebot/outagebot/sources"
)

// filterObservation keeps the components named in keep (by name or id, case
// insensitive; naming a group keeps its members) and the incidents that touch
// them, name no component at all, or are in follow. An empty keep keeps
// everything.
func filterObservation(obs sources.Observation, keep []string, follow map[string]bool) sources.Observation {
	if len(keep) == 0 {
		return obs
	}
	wanted := func(c sources.Component) bool {
		for _, k := range keep {
			if strings.EqualFold(k, c.Name) || k == c.ID || (c.Group != "" && strings.EqualFold(k, c.Group)) {
				return true
			}
		}
		return false
	}
	var comps []sources.Component
	ids := map[string]bool{}
	for _, c := range obs.Components {
		if wanted(c) {
			comps = append(comps, c)
			ids[c.ID] = true
		}
	}
	touches := func(inc sources.Incident) bool {
		return follow[inc.ID] || len(inc.ComponentIDs) == 0 || slices.ContainsFunc(inc.ComponentIDs, func(id string) bool { return ids[id] })
	}
	out := obs
	out.Components = comps
	out.Incidents = slices.DeleteFunc(slices.Clone(obs.Incidents), func(i sources.Incident) bool { return !touches(i) })
	out.Maintenances = slices.DeleteFunc(slices.Clone(obs.Maintenances), func(i sources.Incident) bool { return !touches(i) })
	return out
}

// missingComponents lists the names in keep that match no component of obs
// (by name, id or group): a vendor that renamed or migrated its page would
// otherwise silence the target without a word.
func missingComponents(obs sources.Observation, keep []string) []string {
	var missing []string
	for _, k := range keep {
		found := slices.ContainsFunc(obs.Components, func(c sources.Component) bool {
			return strings.EqualFold(k, c.Name) || k == c.ID || (c.Group != "" && strings.EqualFold(k, c.Group))
		})
		if !found {
			missing = append(missing, k)
		}
	}
	return missing
}
