package sources

import "testing"

func TestWebLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://status.openai.com/incidents/01JXYZ", "https://status.openai.com/incidents/01JXYZ"},
		{"http://stspg.io/abc123", "http://stspg.io/abc123"},
		{"HTTPS://status.example.com/x?a=1&b=2", "HTTPS://status.example.com/x?a=1&b=2"},
		{"https://status.example.com/incidents/a%7Cb", "https://status.example.com/incidents/a%7Cb"},
		{"javascript:alert(document.cookie)", ""},
		{"JavaScript://status.example.com/%0aalert(1)", ""},
		{"data:text/html,<script>alert(1)</script>", ""},
		{"vbscript:msgbox", ""},
		{"file:///etc/passwd", ""},
		{"mailto:ops@example.com", ""},
		{"//status.example.com/incidents/1", ""},
		{"/incidents/1", ""},
		{"https://", ""},
		{"https:status.example.com", ""},
		{"https://status.example.com/x|Click here", ""},
		{"https://status.example.com/x>", ""},
		{"https://status.example.com/<x>", ""},
		{"https://status.example.com/a b", ""},
		{"https://status.example.com/a\nb", ""},
		{"https://status.example.com/a\u2028b", ""},
		{"https://status.example.com/a`b", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := WebLink(tt.in); got != tt.want {
			t.Errorf("WebLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithWebLinksLeavesTheSourcesSlices(t *testing.T) {
	incs := []Incident{{ID: "a", URL: "https://status.example.com/a"}, {ID: "b", URL: "javascript:alert(1)"}}
	obs := Observation{Page: "javascript:void(0)", Incidents: incs, Maintenances: []Incident{{ID: "m", URL: "data:,x"}}}
	got := obs.WithWebLinks()
	if got.Page != "" || got.Incidents[0].URL != "https://status.example.com/a" || got.Incidents[1].URL != "" || got.Maintenances[0].URL != "" {
		t.Errorf("WithWebLinks = %+v", got)
	}
	if incs[1].URL != "javascript:alert(1)" || obs.Maintenances[0].URL != "data:,x" {
		t.Errorf("WithWebLinks changed the source's slices: %+v", obs)
	}
}
