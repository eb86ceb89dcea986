package fakehook_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakehook"
)

// A workflow accepts any JSON with 202 and then fails the run of a card
// Teams cannot take: the accepted answer says nothing about the card, so
// an oversized one is lost silently. This is what the size bound guards.
func TestTeamsWorkflowAcceptsBeforeItPosts(t *testing.T) {
	fake := fakehook.New(fakehook.Teams, "")
	defer fake.Close()
	big := `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"` + strings.Repeat("x", 30<<10) + `"}]}}]}`
	for _, c := range []struct {
		name, ct, body string
		status         int
	}{
		{"too large", "application/json", big, http.StatusAccepted},
		{"not a card", "application/json", `{"text":"hello"}`, http.StatusAccepted},
		{"not JSON", "application/json", `hello`, http.StatusBadRequest},
		{"not declared JSON", "text/plain", `{"type":"message"}`, http.StatusBadRequest},
	} {
		resp, err := http.Post(fake.URL(), c.ct, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.status == http.StatusAccepted && len(body) != 0) {
			t.Errorf("%s: %d %q", c.name, resp.StatusCode, body)
		}
	}
	if n, failed := len(fake.Taken()), fake.FailedRuns(); n != 0 || len(failed) != 2 {
		t.Errorf("%d posted, failed runs %q", n, failed)
	}
}
