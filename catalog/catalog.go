// Package catalog is the built-in list of popular vendors' status pages, so
// that `vendor = "github"` is all a configuration needs. The list is one
// embedded TOML file, vendors.toml, easy to extend.
package catalog

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
)

//go:embed vendors.toml
var data []byte

// Vendor is one catalog entry.
type Vendor struct {
	Name       string   `toml:"name"`
	Title      string   `toml:"title"`
	Category   string   `toml:"category"`
	Type       string   `toml:"type"`
	URL        string   `toml:"url"`
	Aliases    []string `toml:"aliases"`
	Components []string `toml:"components"`
	// Source says where the URL and format were confirmed (a public
	// repository or document that shows the page's API in use), so that a
	// stale entry can be traced and rechecked.
	Source string `toml:"source"`
}

var load = sync.OnceValues(func() ([]Vendor, error) {
	var doc struct {
		Vendor []Vendor `toml:"vendor"`
	}
	dec := toml.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("catalog/vendors.toml: %w", err)
	}
	sort.Slice(doc.Vendor, func(i, j int) bool { return doc.Vendor[i].Name < doc.Vendor[j].Name })
	return doc.Vendor, nil
})

// All returns the catalog sorted by name. The embedded file is checked by the
// package's tests, so an error here means a broken build.
func All() []Vendor {
	vs, err := load()
	if err != nil {
		panic(err)
	}
	return slices.Clone(vs)
}

// Lookup finds a vendor by name or alias, ignoring case.
func Lookup(name string) (Vendor, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, v := range All() {
		if v.Name == n || slices.Contains(v.Aliases, n) {
			return v, true
		}
	}
	return Vendor{}, false
}

// Names lists every vendor name, sorted.
func Names() []string {
	vs := All()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}
