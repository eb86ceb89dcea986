package config

import (
	"slices"
	"testing"

	"github.com/outagebot/outagebot/catalog"
)

func TestVendorFillsTarget(t *testing.T) {
	cfg, err := Parse("v.toml", []byte(`
[[target]]
vendor = "GitHub"

[[target]]
vendor = "chatgpt"
name = "AI"
components = ["API"]
interval = "30s"
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	gh, ai := cfg.Targets[0], cfg.Targets[1]
	if gh.Name != "GitHub" || gh.Type != "statuspage" || gh.URL != "https://www.githubstatus.com" || gh.Interval.Duration != DefaultFeedInterval {
		t.Errorf("github = %+v", gh)
	}
	if ai.Name != "AI" || ai.URL != "https://status.openai.com" || !slices.Equal(ai.Components, []string{"API"}) {
		t.Errorf("openai via alias = %+v", ai)
	}
}

// Every catalog entry must name a type this package knows, or `vendor =`
// would load a target that cannot be built.
func TestCatalogTypesAreKnown(t *testing.T) {
	for _, v := range catalog.All() {
		if _, ok := targetTypes[v.Type]; !ok {
			t.Errorf("catalog vendor %s has unknown type %q", v.Name, v.Type)
		}
	}
}
