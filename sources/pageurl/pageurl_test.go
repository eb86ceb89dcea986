package pageurl

import (
	"errors"
	"strings"
	"testing"
)

// Every base type, configured with its page's base, that base with a
// trailing slash, any of its API documents, a query, an upper-case host, or
// a page hosted under a path, is polled from the same base.
func TestNormalizeToBase(t *testing.T) {
	tests := []struct {
		typ  string
		base string
		// docs are the vendor's documents and pages, relative to the base.
		docs []string
	}{
		{"statuspage", "https://status.example.com", []string{
			"/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
			"/api/v2/incidents.json", "/api/v2/incidents/unresolved.json", "/api/v2/incidents/cz46xcgw4mqf.json",
			"/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
			"/api/v2/scheduled-maintenances/active.json", "/api/v2", "/api/v2/", "/api",
			"/history.rss", "/history.atom", "/history", "/API/V2/Summary.json",
		}},
		{"incidentio", "https://status.openai.com", []string{
			"/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/components.json", "/api/v2/status.json",
			"/api/v1/summary", "/proxy/status.openai.com", "/proxy/status.openai.com/summary",
			"/proxy/status.openai.com/component_impacts", "/proxy/status.openai.com/incidents/01JMYB4A",
			"/feed.rss", "/feed.atom", "/history.atom", "/history.rss",
		}},
		{"slackstatus", "https://slack-status.com", []string{
			"/api/v2.0.0/current", "/api/v2.0.0/history", "/api/v1.0.0/current", "/feed/rss", "/feed/atom",
		}},
		{"gcp", "https://status.cloud.google.com", []string{
			"/incidents.json", "/products.json", "/incidents.schema.json", "/feed.atom", "/en/feed.atom",
			"/summary", "/incidents/aVZvFL2Wq7SXhU8YnTkm",
		}},
		{"gcp", "https://www.google.com/appsstatus/dashboard", []string{"/incidents.json", "/products.json", "/summary"}},
		{"instatus", "https://status.example.com", []string{
			"/summary.json", "/v3/components.json", "/v2/components.json", "/history.rss", "/history.atom",
		}},
		{"betterstack", "https://status.example.com", []string{"/index.json"}},
		{"awshealth", "https://health.aws.amazon.com", []string{"/public/currentevents", "/health/status", "/health/home"}},
		{"cachet", "https://status.example.com", []string{
			"/api/v1/components", "/api/v1/components/groups", "/api/v1/incidents", "/api/v1/incidents/12/updates",
			"/api/v1/schedules", "/api/v1/ping", "/api/v1", "/api", "/rss", "/atom", "/atom/2", "/incidents/12",
		}},
		// A page hosted under a path keeps it.
		{"cachet", "https://example.com/status", []string{"/api/v1/components", "/api/v1/incidents"}},
		{"statuspage", "https://example.com/our/status", []string{"/api/v2/summary.json", "/history.atom"}},
		{"instatus", "https://example.com/status", []string{"/summary.json"}},
		{"betterstack", "https://example.com/status", []string{"/index.json"}},
	}
	for _, tt := range tests {
		inputs := []string{tt.base, tt.base + "/"}
		for _, d := range tt.docs {
			inputs = append(inputs, tt.base+d)
		}
		scheme, rest, _ := strings.Cut(tt.base, "://")
		host, path, _ := strings.Cut(rest, "/")
		if path != "" {
			path = "/" + path
		}
		inputs = append(inputs,
			scheme+"://"+strings.ToUpper(host)+path,
			strings.ToUpper(scheme)+"://"+host+path+"/",
		)
		for _, in := range inputs {
			t.Run(tt.typ+" "+in, func(t *testing.T) {
				got, err := Normalize(tt.typ, in)
				if err != nil {
					t.Fatal(err)
				}
				if got.URL != tt.base || got.Type != tt.typ || got.From != in || got.DroppedQuery {
					t.Errorf("Normalize(%q, %q) = %+v, want URL %s", tt.typ, in, got, tt.base)
				}
			})
			// A query is not part of the path, and not sent.
			for _, q := range []string{"?utm_source=x", "?token=s3cret#fragment", "?"} {
				t.Run(tt.typ+" "+in+q, func(t *testing.T) {
					got, err := Normalize(tt.typ, in+q)
					if err != nil {
						t.Fatal(err)
					}
					if got.URL != tt.base || !got.DroppedQuery {
						t.Errorf("Normalize(%q, %q) = %+v, want URL %s with the query dropped", tt.typ, in+q, got, tt.base)
					}
				})
			}
		}
	}
}

func TestNormalizeKeeps(t *testing.T) {
	tests := []struct {
		typ, in, want, page string
		dropped             bool
	}{
		// A feed is the document itself, query and all.
		{"feed", "https://www.githubstatus.com/history.atom", "https://www.githubstatus.com/history.atom", "", false},
		{"feed", "https://status.example.com/feed?key=abc&lang=en", "https://status.example.com/feed?key=abc&lang=en", "", false},
		{"feed", "https://Status.Example.com/History.rss", "https://Status.Example.com/History.rss", "", false},
		// status.io: the API URL as is, or a page URL that names the page.
		{"statusio", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "", false},
		{"statusio", "https://API.Status.io/1.0/status/5b36dc6502d06804c08349f7/", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "", false},
		{"statusio", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7?x=1", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "", true},
		{"statusio", "http://127.0.0.1:8080/1.0/status/abc123", "http://127.0.0.1:8080/1.0/status/abc123", "", false},
		{"statusio", "https://status.gitlab.com/pages/history/5b36dc6502d06804c08349f7", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "https://status.gitlab.com", false},
		{"statusio", "https://STATUS.gitlab.com/pages/incident/5b36dc6502d06804c08349f7/6a1f3c0b9e2d4a0012345678", "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "https://status.gitlab.com", false},
		{"statusio", "https://status.docker.com/pages/maintenance/533c6539221ae15e3f000031/6a1f3c0b9e2d4a0012345678?utm=1", "https://api.status.io/1.0/status/533c6539221ae15e3f000031", "https://status.docker.com", true},
		{"statusio", "https://ezidebit.status.io/pages/598a973f96a8201305000142/rss", "https://api.status.io/1.0/status/598a973f96a8201305000142", "https://ezidebit.status.io", false},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.in, func(t *testing.T) {
			got, err := Normalize(tt.typ, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != tt.want || got.Page != tt.page || got.DroppedQuery != tt.dropped {
				t.Errorf("Normalize(%q, %q) = %+v, want URL %s, page %q, dropped %v", tt.typ, tt.in, got, tt.want, tt.page, tt.dropped)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct{ typ, in, want string }{
		{"statuspage", "status.example.com", `url "status.example.com": must start with https:// or http://, like https://status.example.com`},
		{"feed", "ftp://example.com/feed.rss", `url "ftp://example.com/feed.rss": must start with https:// or http://, like https://status.example.com`},
		{"cachet", "https://", `url "https:": has no host, like https://status.example.com`},
		{"gcp", "https://status.cloud.google.com/%zz", `url "(unparsable URL)": is not a URL: invalid URL escape "%zz"`},
		{"incidentio", "https://user:pw@status.example.com:port/", `url "(unparsable URL)": is not a URL: invalid port ":port" after host`},
		// The secret in a query never reaches the error, whatever its name.
		{"slackstatus", "slack-status.com/?t=s3cret", `url "slack-status.com/?t=REDACTED": must start with https:// or http://, like https://status.example.com`},
		{"statusio", "https://status.gitlab.com", `url "https://status.gitlab.com": does not say which status.io page it is: use the page's Public Status API URL, https://api.status.io/1.0/status/<page id>, or its history page, <page>/pages/history/<page id> (the id is in the page's links)`},
		{"statusio", "https://status.gitlab.com/pages/history/nope", `url "https://status.gitlab.com/pages/history/nope": does not say which status.io page it is: use the page's Public Status API URL, https://api.status.io/1.0/status/<page id>, or its history page, <page>/pages/history/<page id> (the id is in the page's links)`},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.in, func(t *testing.T) {
			_, err := Normalize(tt.typ, tt.in)
			var pe *Error
			if !errors.As(err, &pe) || err.Error() != tt.want {
				t.Errorf("Normalize(%q, %q) = %v, want %s", tt.typ, tt.in, err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error reveals the secret: %v", err)
			}
		})
	}
	for _, typ := range []string{"http", "tcp", "auto", "gopher"} {
		if _, err := Normalize(typ, "https://example.com"); !errors.Is(err, ErrUnknownType) {
			t.Errorf("Normalize(%q) = %v, want ErrUnknownType", typ, err)
		}
	}
}

func TestBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://status.example.com", "https://status.example.com"},
		{"https://status.example.com/", "https://status.example.com"},
		{"https://status.example.com/api/v2/summary.json", "https://status.example.com"},
		{"https://status.example.com/api/v2/incidents.json?page=2", "https://status.example.com"},
		{"https://status.openai.com/proxy/status.openai.com", "https://status.openai.com"},
		{"https://slack-status.com/api/v2.0.0/current", "https://slack-status.com"},
		{"https://status.cloud.google.com/en/feed.atom", "https://status.cloud.google.com"},
		{"https://example.com/status/summary.json", "https://example.com/status"},
		{"https://example.com/status/api/v1/components?per_page=100", "https://example.com/status"},
		{"https://example.com/status/index.json", "https://example.com/status"},
		{"https://health.aws.amazon.com/public/currentevents", "https://health.aws.amazon.com"},
		{"https://example.com/public/status", "https://example.com/public/status"},
	}
	for _, tt := range tests {
		if got, err := Base(tt.in); err != nil || got != tt.want {
			t.Errorf("Base(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"https://status.example.com", "/api/v2/summary.json", "https://status.example.com/api/v2/summary.json"},
		{"https://status.example.com/", "/api/v2/summary.json", "https://status.example.com/api/v2/summary.json"},
		{"https://example.com/status?lang=en", "/index.json", "https://example.com/status/index.json?lang=en"},
	}
	for _, tt := range tests {
		if got := Join(tt.base, tt.path); got != tt.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tt.base, tt.path, got, tt.want)
		}
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://status.example.com", "https://status.example.com"},
		{"https://status.example.com/feed?lang=en&token=abc", "https://status.example.com/feed?lang=REDACTED&token=REDACTED"},
		{"https://me:pw@status.example.com/", "https://REDACTED@status.example.com/"},
	}
	for _, tt := range tests {
		if got := Display(tt.in); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
