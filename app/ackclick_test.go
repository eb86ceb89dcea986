package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/internal/pgtest"
)

var ackButton = regexp.MustCompile(`outagebot:ack:([A-Za-z0-9_-]+)`)

// Acknowledge is clicked on the same root twice at once, through two
// replicas: one acknowledgement is stored, one acknowledged event is
// delivered, and the root is edited to name who acknowledged it.
func TestAcknowledgeOnTwoReplicas(t *testing.T) {
	state := pgtest.URL(t, "the acknowledgement across replicas test")
	page, feed := newVendor(t, 0)
	slackAPI := newSlack(t, subChannel, subOpsChannel)

	first := startSubBot(t, state, slackAPI.URL(), feed, feed)
	waitFor(t, "the first bot to lead", func() bool { return first.app.Role() == app.RoleLeader })
	second := startSubBot(t, state, slackAPI.URL(), feed, feed)
	waitFor(t, "the second bot to stand by", func() bool { return second.app.Role() == app.RoleStandby })

	page.phase.Store(1)
	waitFor(t, "the outage's root", func() bool { return len(roots(slackAPI, subOpsChannel)) == 1 })
	root := roots(slackAPI, subOpsChannel)[0]
	// The buttons sit in the colour bar's attachment when there is one.
	m := ackButton.FindSubmatch(append(append([]byte(nil), root.Blocks...), root.Attachments...))
	if m == nil {
		t.Fatalf("the root has no Acknowledge button: %s %s", root.Blocks, root.Attachments)
	}
	id := string(m[1])

	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, b := range []*runningBot{first, second} {
		// Two clicks are two requests with their own trigger ids (one
		// request seen twice is a replay, refused by whichever replica
		// sees it second).
		payload := slackAPI.Payload(fakeslack.BlockAction{UserID: admin, UserName: "admin", ChannelID: subOpsChannel, MessageTS: root.TS,
			ActionID: "outagebot:ack:" + id, Value: id, TriggerID: fmt.Sprintf("click-%d", i)})
		req := fakeslack.SignedInteraction("http://"+b.app.Addr()+"/slack/interactions", subSecret, time.Now(), payload)
		wg.Go(func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	if codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("the clicks were answered %v, want 200 and 200", codes)
	}
	answers := slackAPI.WaitResponses(2, 15*time.Second)
	if len(answers) != 2 {
		t.Fatalf("%d answers at the response_url, want one per click", len(answers))
	}
	var fresh, already int
	for _, a := range answers {
		switch {
		case strings.Contains(a.Text, "You acknowledged it"):
			fresh++
		case strings.Contains(a.Text, "Already acknowledged"):
			already++
		}
	}
	if fresh != 1 || already != 1 {
		t.Errorf("answers %+v: want one acknowledgement and one already-acknowledged", answers)
	}

	acked := func() bool {
		r := roots(slackAPI, subOpsChannel)
		return len(r) == 1 && strings.Contains(string(r[0].Blocks)+string(r[0].Attachments), `Acknowledged by \u003c@`+admin+`\u003e`)
	}
	waitFor(t, "the root to be edited with the acknowledgement", acked)
	first.app.Drain(t.Context())

	// The report's timeline holds the one acknowledgement.
	resp, err := http.Get(fmt.Sprintf("http://%s/api/v1/outages/%s/report", first.app.Addr(), id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep struct {
		AcknowledgedBy string `json:"acknowledged_by"`
		Timeline       []struct {
			Kind string `json:"kind"`
		} `json:"timeline"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != 200 {
		t.Fatalf("report of %s: %d, %v", id, resp.StatusCode, err)
	}
	n := 0
	for _, e := range rep.Timeline {
		if e.Kind == "acknowledged" {
			n++
		}
	}
	if n != 1 || rep.AcknowledgedBy == "" {
		t.Errorf("report: acknowledged by %q, %d acknowledgements in the timeline, want 1: %+v", rep.AcknowledgedBy, n, rep.Timeline)
	}

	r := roots(slackAPI, subOpsChannel)
	if len(r) != 1 {
		t.Fatalf("%d roots, want 1", len(r))
	}
	acks := 0
	for _, reply := range r[0].Replies {
		if strings.Contains(reply.Text, "Acknowledged by") {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("%d acknowledgement replies in the thread, want 1: %+v", acks, r[0].Replies)
	}
}
