package config

import (
	"slices"
	"strings"
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

func TestProbeTypes(t *testing.T) {
	cfg, err := Parse("p.toml", []byte(`
[[target]]
name = "DB"
type = "tcp"
address = "db.internal:5432"

[[target]]
name = "DNS"
type = "dns"
address = "example.com"
record_type = "aaaa"
resolver = "10.0.0.2:53"
expect = ["2001:db8::1"]

[[target]]
name = "Cert"
type = "tlscert"
address = "example.com"
warn_days = 30

[[target]]
name = "API"
type = "http"
url = "https://api.example.com/health"
json_path = "status"
json_equals = "ok"
follow_redirects = false
retries = 2
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range cfg.Targets {
		if !tt.IsProbe() || tt.FailureThreshold != DefaultProbeFailureThreshold || tt.Interval.Duration != DefaultProbeInterval {
			t.Errorf("%s: probe defaults not applied: %+v", tt.Name, tt)
		}
	}
}

func TestDeliveriesFor(t *testing.T) {
	cfg, err := Parse("r.toml", []byte(`
[slack]
bot_token = "xoxb-1"
[[channel]]
name = "ops"
slack = "C0000000001"
[[channel]]
name = "ai"
slack = "C0000000002"
[[channel]]
name = "community"
slack = "C0000000003"

[[target]]
vendor = "openai"
group = "ai"
[[target]]
vendor = "github"
channels = ["community"]
[[target]]
vendor = "stripe"

[[route]]
groups = ["AI"]
channels = ["ai"]
[[route]]
channels = ["ops"]
min_severity = "major_outage"
[[route]]
targets = ["GitHub"]
channels = ["ops"]
min_severity = "partial_outage"
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	show := func(ds []Delivery) string {
		var parts []string
		for _, d := range ds {
			parts = append(parts, d.Channel.Name+">"+d.MinSeverity)
		}
		return strings.Join(parts, " ")
	}
	for i, want := range []string{
		"ai> ops>major_outage",          // OpenAI: its group's route, and #ops for what is major
		"community> ops>partial_outage", // GitHub: its own channel; #ops at the lower of two thresholds
		"ops>major_outage",              // Stripe: only the catch-all route
	} {
		if got := show(cfg.DeliveriesFor(cfg.Targets[i])); got != want {
			t.Errorf("%s: %q, want %q", cfg.Targets[i].Name, got, want)
		}
	}
}
