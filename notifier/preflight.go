package notifier

import (
	"errors"
	"fmt"
)

// Account is who a chat credential belongs to, as the platform answers:
// what the bot logs at start and shows on the health endpoint. It never
// holds the credential itself.
type Account struct {
	// Workspace is where the bot lives: Slack's team, Discord's
	// application ("Acme (T0123)").
	Workspace string
	// User is the bot user ("outagebot (U0123)").
	User string
	// UserID, UserName and ApplicationID are the raw ids and name the
	// channel checks need (Discord's member look-up, Slack's /invite hint).
	UserID        string
	UserName      string
	ApplicationID string
	// Scopes are the token's OAuth scopes when the platform tells them
	// (Slack's X-OAuth-Scopes); nil when it does not.
	Scopes []string
	// Notes are findings that do not stop delivery but deserve a look.
	Notes []string
}

// ChannelState is what a channel check found.
type ChannelState string

const (
	// ChannelReachable: the bot can post there.
	ChannelReachable ChannelState = "reachable"
	// ChannelUnreachable: posts there will fail until someone acts
	// (Detail says what to do).
	ChannelUnreachable ChannelState = "unreachable"
	// ChannelLimited: the bot can post there, but a feature configured
	// for the channel (a pinned status board, digest charts) lacks a
	// permission it needs (Detail says which and how to fix it).
	ChannelLimited ChannelState = "limited"
	// ChannelUnchecked: the bot cannot tell (it lacks a read permission
	// the check needs); deliveries are not affected by that.
	ChannelUnchecked ChannelState = "unchecked"
)

// ChannelCheck is whether the bot can post to one channel.
type ChannelCheck struct {
	// Name is the channel as the platform names it ("#ops"), empty when the
	// bot cannot see it.
	Name  string
	State ChannelState
	// Detail says why the channel is unreachable or unchecked and how to
	// fix it, or notes something about a reachable one.
	Detail string
}

// CredentialError says the platform refused the credential itself: nothing
// reaches that platform until someone replaces it, so checking again soon
// is pointless. It wraps the PermanentError (with its Fix) that the call
// returned.
type CredentialError struct {
	Platform string
	Err      error
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("%s does not accept the bot token: %v", e.Platform, e.Err)
}

func (e *CredentialError) Unwrap() error { return e.Err }

// IsCredential reports whether err wraps a CredentialError.
func IsCredential(err error) bool {
	var c *CredentialError
	return errors.As(err, &c)
}
