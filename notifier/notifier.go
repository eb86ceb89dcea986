// Package notifier delivers outage events to chat. The Dispatcher drains the
// store's outbox in order per (outage, destination), with rate limits and
// retries; each integration (slack, discord, console) only knows how to make
// one delivery and how to tell a retryable failure from a permanent one.
package notifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// Notifier makes one delivery. It returns a reference to the message it
// created (for an opened event, the root of the outage's thread) or the
// root it replied under.
//
// Errors that should not be retried soon wrap Permanent; errors that carry
// the platform's wait time wrap RetryAfter. Anything else is retried with
// exponential backoff.
type Notifier interface {
	Deliver(ctx context.Context, d Delivery) (RemoteRef, error)
}

// Kinds is a Notifier that says which event kinds it delivers. The
// dispatcher settles an event of any other kind as delivered without calling
// the notifier, so a kind added later (acknowledged, say) is harmless to a
// notifier written before it. A Notifier without the method delivers the
// kinds every notifier knows (see Handles).
type Kinds interface {
	Handles(k outage.Kind) bool
}

// baseKinds are the kinds every notifier delivers.
var baseKinds = map[outage.Kind]bool{
	outage.Opened: true, outage.Updated: true, outage.Resolved: true,
	outage.Digest: true, outage.Report: true,
}

// Handles reports whether n delivers events of kind k.
func Handles(n Notifier, k outage.Kind) bool {
	if ks, ok := n.(Kinds); ok {
		return ks.Handles(k)
	}
	return baseKinds[k]
}

// HandlesBase is Kinds.Handles for a notifier that also delivers extra
// kinds besides those every notifier knows.
func HandlesBase(k outage.Kind, extra ...outage.Kind) bool {
	return baseKinds[k] || slices.Contains(extra, k)
}

// RootEditor is a Notifier whose threads have a root that shows the
// outage's current state. The dispatcher asks for an edit after each reply
// that changes the state (see Delivery.EditsRoot) and treats it as work of
// its own: recorded with the reply, retried like a delivery, a newer state
// replacing an older one not yet shown. Errors are classified as Deliver's.
type RootEditor interface {
	EditRoot(ctx context.Context, e RootEdit) error
}

// RootEdit asks for Root to show Event's state.
type RootEdit struct {
	Destination Destination
	Root        RemoteRef
	Event       outage.Event
	// Attempt counts earlier failed attempts of this edit.
	Attempt int
	// Pace, if set, is waited on before the call (see Delivery.Pace).
	Pace Pacer
}

// Pacer holds a caller back to a channel's rate limit; *rate.Limiter is
// one.
type Pacer interface {
	Wait(ctx context.Context) error
}

// Wait waits for p, if any, before one call that counts against the
// platform's limit for the channel. A wait that cannot end within ctx's
// deadline fails at once, as a retryable error.
func Wait(ctx context.Context, p Pacer) error {
	if p == nil {
		return nil
	}
	if err := p.Wait(ctx); err != nil {
		return fmt.Errorf("waiting for the channel's rate limit: %w", err)
	}
	return nil
}

// RemoteRef identifies a posted message on its platform (Slack's ts,
// Discord's message id). Empty when the platform gives none.
type RemoteRef string

// Destination is where a delivery goes: a configured channel on one
// platform.
type Destination struct {
	// Channel is the configured channel name.
	Channel string
	// Platform is "slack", "discord" or "console".
	Platform string
	// Address is the platform's channel id (or webhook), empty for console.
	Address string
}

// String is the destination's key in the outbox: "ops/slack".
func (d Destination) String() string { return d.Channel + "/" + d.Platform }

// Delivery is one outbox row made ready for a notifier.
type Delivery struct {
	// OutboxID is unique and stable across retries and restarts: notifiers
	// use it to make a repeated delivery idempotent.
	OutboxID    int64
	Destination Destination
	Event       outage.Event
	// Root is the message that opened the outage's thread on this
	// destination, empty for the opened event itself or when the opened
	// event could not be delivered.
	Root RemoteRef
	// Joined is set when Root was posted by another outage, whose thread
	// this one joined (a failing service of ours and the vendor incident
	// behind it): the delivery replies there, opened event included, and
	// never edits that root.
	Joined bool
	// Attempt counts earlier failed attempts; a notifier may use a non-zero
	// Attempt to look up whether an uncertain earlier attempt succeeded.
	Attempt int
	// Group, when set, asks for one message announcing all these opened
	// outages at once (storm control); Event is the first of them and
	// OutboxID its delivery's. The message becomes the root of every
	// outage in it.
	Group []outage.Event
	// GroupedRoot says Root is such a grouped message, shared by several
	// outages: a reply names its target, and the root is not edited to one
	// outage's state.
	GroupedRoot bool
	// Pace, if set, is waited on before every call that counts against
	// the platform's per-channel limit (a post, a reply, an edit), so the
	// limit holds for calls, however many one delivery makes.
	Pace Pacer
}

// EditsRoot reports whether, once d is delivered, the root of its thread
// is to be edited to d.Event's state: after an update or restoration
// replied under a root of the outage's own (an acknowledgement too: the
// root then says who took the outage on). A joined thread's root and a
// grouped root belong to others, and a delivery without a root posted one
// in the current state.
func (d Delivery) EditsRoot() bool {
	return (d.Event.Kind == outage.Updated || d.Event.Kind == outage.Resolved || d.Event.Kind == outage.Acknowledged) &&
		d.Root != "" && !d.Joined && !d.GroupedRoot && len(d.Group) == 0
}

// PermanentError marks a failure that retrying soon will not fix (the bot is
// not in the channel, the token is wrong). Fix says what the operator should
// do about it.
type PermanentError struct {
	Err error
	Fix string
	// Rejected marks a refusal of this one message (malformed, too long):
	// sending it again can never work, so it is given up at once and the
	// thread moves on. Without it the destination itself is at fault, and
	// the message waits until someone fixes that.
	Rejected bool
}

func (e *PermanentError) Error() string {
	if e.Fix == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (fix: %s)", e.Err, e.Fix)
}

func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError marks a failure where the platform said how long to wait.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// IsPermanent reports whether err wraps a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// IsRejected reports whether err is a platform's refusal of the message
// itself.
func IsRejected(err error) bool {
	var p *PermanentError
	return errors.As(err, &p) && p.Rejected
}

// RetryAfter returns the wait the platform asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}
