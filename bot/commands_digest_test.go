package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// `digest now [window]` hands the window to the digest builder and returns
// its answer.
func TestDigestCommand(t *testing.T) {
	var asked time.Duration
	c := &Commands{Digest: func(_ context.Context, w time.Duration) (Answer, error) {
		asked = w
		if w > 30*24*time.Hour {
			return Answer{}, errors.New("too far back")
		}
		return Answer{Title: "Daily digest: no outages in the last " + FormatWindow(w)}, nil
	}}
	cases := []struct {
		text   string
		window time.Duration
		title  string
	}{
		{"digest now", 24 * time.Hour, "Daily digest: no outages in the last 24h"},
		{"digest", 24 * time.Hour, "Daily digest: no outages in the last 24h"},
		{"DIGEST now 7d", 7 * 24 * time.Hour, "Daily digest: no outages in the last 7d"},
		{"digest 12h", 12 * time.Hour, "Daily digest: no outages in the last 12h"},
		{"digest now soon", 0, "I could not read that window"},
		{"digest now 60d", 60 * 24 * time.Hour, "The digest is not available right now"},
	}
	for _, tc := range cases {
		asked = 0
		a := c.Run(context.Background(), Request{Text: tc.text})
		if a.Title != tc.title || asked != tc.window {
			t.Errorf("%q: %q (window %s), want %q (window %s)", tc.text, a.Title, asked, tc.title, tc.window)
		}
	}
	none := (&Commands{}).Run(context.Background(), Request{Text: "digest now"})
	if !none.Problem || !strings.Contains(none.Title, "not available") {
		t.Errorf("without a digest builder: %+v", none)
	}
}
