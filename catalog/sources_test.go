package catalog_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/outagebot/outagebot/catalog"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources/registry"
)

// unsourced are entries whose source note belongs to a change in progress
// elsewhere; remove a name once its entry names its source.
var unsourced = []string{}

// Every entry must be one that outagebot can poll as it stands: a feed type
// the registry builds (not a probe, which watches your own endpoints, and not
// auto, which would hide a moved page behind a guess), at a URL that parses,
// with a note of where its URL and format were confirmed.
func TestEntriesArePollable(t *testing.T) {
	types := registry.Types()
	for _, v := range catalog.All() {
		if !slices.Contains(types, v.Type) {
			t.Errorf("%s: type %q is not a source type (known: %v)", v.Name, v.Type, types)
		}
		if (config.Target{Type: v.Type}).IsProbe() || v.Type == "auto" {
			t.Errorf("%s: type %q must name the page's format", v.Name, v.Type)
		}
		u, err := url.Parse(v.URL)
		if err != nil || !u.IsAbs() || u.Host == "" {
			t.Errorf("%s: url %q does not parse as an absolute URL: %v", v.Name, v.URL, err)
		}
		pending := slices.Contains(unsourced, v.Name)
		switch {
		case v.Source == "" && !pending:
			t.Errorf("%s: source must say where the url and format were confirmed", v.Name)
		case v.Source != "" && pending:
			t.Errorf("%s: has a source now: remove it from unsourced", v.Name)
		}
	}
}

// A target built from each entry must pass the registry, the same path a
// configuration with `vendor = "NAME"` takes.
func TestEntriesBuildSources(t *testing.T) {
	for _, v := range catalog.All() {
		if _, err := registry.New(config.Target{Name: v.Title, Type: v.Type, URL: v.URL}, registry.Deps{}); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
}
