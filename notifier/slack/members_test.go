package slack

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakeslack"
)

func TestUserChannels(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	var many []string
	for i := range 450 {
		many = append(many, fmt.Sprintf("C%09d", i))
	}
	fake.SetMemberships("U0ALICE", many...)
	fake.SetMemberships("U0BOB", "C0OPS")
	n := New(Options{Token: "xoxb-test", APIURL: fake.URL()})
	got, err := n.UserChannels(t.Context(), "U0ALICE")
	if err != nil || !slices.Equal(got, many) {
		t.Fatalf("alice: %d channels, %v; want all %d across pages", len(got), err, len(many))
	}
	if calls := fake.Calls("users.conversations"); len(calls) != 3 || calls[0].Params.Get("types") != "public_channel,private_channel" {
		t.Errorf("users.conversations calls: %d, first %v", len(calls), calls[0].Params)
	}
	if got, err := n.UserChannels(t.Context(), "U0NOBODY"); err != nil || len(got) != 0 {
		t.Errorf("a user in no channel: %v, %v", got, err)
	}
	fake.SetScopes("chat:write")
	if _, err := n.UserChannels(t.Context(), "U0BOB"); err == nil || !strings.Contains(err.Error(), "missing_scope") {
		t.Errorf("without channels:read: %v", err)
	}
}
