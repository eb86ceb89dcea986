package config

import (
	"slices"
	"sort"
)

// targetType describes one value of a target's type key.
type targetType struct {
	// probe is true for internal probes, false for vendor feeds. It picks
	// the defaults (interval, thresholds).
	probe bool
	// keys are the type-specific keys this type accepts. A key listed for
	// some other type is an error on a target of this type.
	keys []string
	// address is set for types that check an address instead of a url.
	address bool
}

// targetTypes is every known target type. Adding a source is one line here,
// plus its package and its line in the sources registry.
var targetTypes = map[string]targetType{
	"statuspage":  {probe: false, keys: []string{"components", "follow_redirects"}},
	"slackstatus": {probe: false, keys: []string{"components", "follow_redirects"}},
	"incidentio":  {probe: false, keys: []string{"components", "follow_redirects"}},
	"feed":        {probe: false, keys: []string{"follow_redirects"}},
	"gcp":         {probe: false, keys: []string{"components", "follow_redirects"}},
	"instatus":    {probe: false, keys: []string{"components", "follow_redirects"}},
	"betterstack": {probe: false, keys: []string{"components", "follow_redirects"}},
	"statusio":    {probe: false, keys: []string{"components", "follow_redirects"}},
	"cachet":      {probe: false, keys: []string{"components", "follow_redirects"}},
	"awshealth":   {probe: false, keys: []string{"components", "follow_redirects"}},
	"auto":        {probe: false, keys: []string{"components", "follow_redirects"}},
	"http": {probe: true, keys: []string{"method", "expect_status", "body_contains", "degraded_latency", "headers", "fresh_connection",
		"body_regex", "json_path", "json_equals", "follow_redirects", "insecure_skip_verify", "retries", "locations", "quorum"}},
	"tcp":     {probe: true, address: true, keys: []string{"degraded_latency", "retries", "locations", "quorum"}},
	"dns":     {probe: true, address: true, keys: []string{"record_type", "resolver", "expect", "retries", "locations", "quorum"}},
	"tlscert": {probe: true, address: true, keys: []string{"warn_days", "server_name", "retries", "locations", "quorum"}},
}

// typeSpecificKeys is the union of every type's keys, sorted.
var typeSpecificKeys = func() []string {
	var all []string
	for _, tt := range targetTypes {
		for _, k := range tt.keys {
			if !slices.Contains(all, k) {
				all = append(all, k)
			}
		}
	}
	sort.Strings(all)
	return all
}()

// Types returns the known target types, sorted.
func Types() []string {
	names := make([]string, 0, len(targetTypes))
	for name := range targetTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// typesTaking returns the sorted types that accept key.
func typesTaking(key string) []string {
	var names []string
	for _, name := range Types() {
		if slices.Contains(targetTypes[name].keys, key) {
			names = append(names, name)
		}
	}
	return names
}
