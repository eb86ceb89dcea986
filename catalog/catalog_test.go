package catalog

import (
	"net/url"
	"regexp"
	"testing"
)

// statusioAPI is the one URL shape the statusio source reads: the API
// document of one page, named by its 24-hex-digit id.
var statusioAPI = regexp.MustCompile(`^https://api\.status\.io/1\.0/status/[0-9a-f]{24}$`)

func TestCatalogIsWellFormed(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatal(err)
	}
	vs := All()
	if len(vs) < 30 {
		t.Errorf("catalog has %d vendors, want at least 30", len(vs))
	}
	seen := map[string]string{}
	name := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	for _, v := range vs {
		for _, n := range append([]string{v.Name}, v.Aliases...) {
			if !name.MatchString(n) {
				t.Errorf("%s: name or alias %q must be lower case letters, digits and dashes", v.Name, n)
			}
			if other, dup := seen[n]; dup {
				t.Errorf("%q is used by both %s and %s", n, other, v.Name)
			}
			seen[n] = v.Name
		}
		if v.Title == "" || v.Category == "" || v.Type == "" {
			t.Errorf("%s: title, category and type are required", v.Name)
		}
		// A feed and a status.io page are documents named by their path;
		// every other type is given the page's home and finds its API there.
		u, err := url.Parse(v.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && v.Type != "feed" && v.Type != "statusio") {
			t.Errorf("%s: url %q must be https, and a page's home (no path) unless it is a feed or a status.io API", v.Name, v.URL)
		}
		if v.Type == "statusio" && !statusioAPI.MatchString(v.URL) {
			t.Errorf("%s: url %q must be status.io's Public Status API, https://api.status.io/1.0/status/<page id>", v.Name, v.URL)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, q := range []string{"github", "GitHub", " openai ", "chatgpt", "Claude", "gitlab"} {
		if _, ok := Lookup(q); !ok {
			t.Errorf("Lookup(%q) found nothing", q)
		}
	}
	if v, _ := Lookup("chatgpt"); v.Name != "openai" {
		t.Errorf("alias resolves to %q", v.Name)
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("found a vendor that does not exist")
	}
}
