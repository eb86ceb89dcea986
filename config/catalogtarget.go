package config

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/outagebot/outagebot/catalog"
)

// CatalogTarget is the target `vendor = "NAME"` alone would configure:
// the catalog's type, URL, title and components with every default, as a
// chat subscription watches a vendor the file does not list.
func CatalogTarget(vendor string) (Target, error) {
	v, ok := catalog.Lookup(vendor)
	if !ok {
		return Target{}, fmt.Errorf("no vendor %q in the catalog", vendor)
	}
	doc := "[[target]]\nvendor = " + strconv.Quote(v.Name) + "\n"
	cfg, err := Parse("catalog:"+v.Name, []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		return Target{}, fmt.Errorf("catalog vendor %s: %w", v.Name, err)
	}
	if len(cfg.Targets) != 1 {
		return Target{}, errors.New("catalog vendor " + v.Name + ": no target")
	}
	t := cfg.Targets[0]
	t.Line = 0
	return t, nil
}
