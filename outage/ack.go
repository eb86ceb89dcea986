package outage

import (
	"strings"
	"time"
)

// Acknowledged is the event of someone in chat taking an outage on (the
// Acknowledge button). It carries the outage's state as of the last event
// before it, plus Ack. Notifiers that show a root edit it to say who
// acknowledged and reply once in the thread; notifiers that do not know the
// kind let it pass (see notifier.Kinds).
const Acknowledged Kind = "acknowledged"

// Ack is who acknowledged an outage, on which platform and when. The first
// acknowledgement is the only one: later clicks are told who came first.
type Ack struct {
	// UserID is the platform's id of the user (Slack "U123", a Discord
	// snowflake); Name their display name, for other platforms.
	UserID   string    `json:"user_id"`
	Name     string    `json:"name,omitempty"`
	Platform string    `json:"platform"`
	At       time.Time `json:"at"`
}

// Mention names the acknowledger for a message on platform: a mention there
// when the ack was made there, else their name.
func (a Ack) Mention(platform string) string {
	if a.Platform == platform && a.UserID != "" {
		return "<@" + a.UserID + ">"
	}
	if a.Name != "" {
		return "@" + strings.TrimPrefix(a.Name, "@")
	}
	return a.UserID
}

// Line is the sentence a root shows: "Acknowledged by <@U1> at 14:05 UTC".
func (a Ack) Line(platform string) string {
	return "Acknowledged by " + a.Mention(platform) + " at " + a.At.UTC().Format("15:04 UTC")
}
