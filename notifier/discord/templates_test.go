package discord

import (
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier/tmpl"
)

// A channel in German with its own title template: the root, the replies
// and the edits of the root all come from the templates.
func TestTemplatedChannel(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.AddChannel(testChannel)
	r, err := tmpl.New("de", "{{.Target}} – {{.Status}}", "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(Options{Token: testToken, APIURL: fake.URL(), Templates: r})
	if err != nil {
		t.Fatal(err)
	}
	evs := lifecycle()
	root := deliver(t, n, delivery(1, evs[0], ""))
	for i, ev := range evs[1:] {
		deliver(t, n, delivery(int64(i+2), ev, root))
	}
	m, ok := fake.Message(string(root))
	if !ok || len(m.Embeds) != 1 || len(m.Edits) != len(evs)-1 {
		t.Fatalf("root %+v", m)
	}
	if first := m.Edits[0]; len(first.Embeds) != 1 || !strings.HasPrefix(first.Embeds[0].Title, evs[0].Target+" – ") {
		t.Errorf("edited root = %+v", first)
	}
	last := m.Embeds[0]
	if last.Title != evs[0].Target+" – In Betrieb" || !strings.HasPrefix(last.Description, "Wiederhergestellt nach 1 Std. 12 Min.") {
		t.Errorf("root after the restoration: %q / %q", last.Title, last.Description)
	}
	msgs := fake.Messages(testChannel)
	if reply := msgs[len(msgs)-1]; !strings.HasPrefix(reply.Content, "Wiederhergestellt nach 1 Std. 12 Min.") {
		t.Errorf("restoration reply = %q", reply.Content)
	}
}
