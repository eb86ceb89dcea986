package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/store"
)

// subscriptions lists both sources and where each sends: the
// configuration's channels and routes, a chat subscription to a channel a
// [[channel]] names (its destination), to another channel (one of its
// own), to a vendor the configuration watches and to one it does not, and
// one on a platform the bot does not serve.
func TestSubscriptionsCommand(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	cfg := writeConfig(t, fmt.Sprintf(`
[bot]
state = %q
[slack]
bot_token = "xoxb-test"
[[channel]]
name = "ops"
slack = "C0OPS00001"
[[channel]]
name = "pager"
slack = "C0PAGE0001"
[[target]]
vendor = "openai"
channels = ["ops"]
[[target]]
name = "API"
type = "http"
url = "https://api.example.com/healthz"
group = "payments"
channels = ["ops"]
[[route]]
groups = ["payments"]
channels = ["pager"]
min_severity = "major_outage"
`, state))
	st, err := store.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 14, 2, 0, 0, time.UTC)
	for _, s := range []store.Subscription{
		{Platform: "slack", Channel: "C0OPS00001", Kind: store.SubVendor, Name: "openai", MinSeverity: "partial_outage"},
		{Platform: "slack", Channel: "C0TEAM0001", Kind: store.SubVendor, Name: "github"},
		{Platform: "slack", Channel: "C0TEAM0001", Kind: store.SubGroup, Name: "payments", MinSeverity: "degraded"},
		{Platform: "discord", Channel: "1100000000000000001", Kind: store.SubTarget, Name: "api"},
	} {
		s.CreatedBy, s.CreatedAt = "<@U1>", at
		if _, _, _, err := st.Subscribe(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	code, out, errOut := runCLI("subscriptions", "--config", cfg)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "subscriptions.golden", out)
}
