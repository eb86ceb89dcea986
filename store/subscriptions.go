package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Subscription is a chat channel following a target, a group of targets or
// a catalog vendor, made with `/status subscribe`.
type Subscription struct {
	// Platform is "slack" or "discord"; Channel is the platform's channel
	// id.
	Platform string
	Channel  string
	// Kind is SubTarget, SubGroup or SubVendor; Name is what it follows,
	// in lower case.
	Kind string
	Name string
	// MinSeverity is the least severity announced there (degraded,
	// partial_outage or major_outage); "" is everything, maintenance and
	// unreachable notices included, as a [[channel]] without a route.
	MinSeverity string
	CreatedBy   string
	CreatedAt   time.Time
	// SinceEvent is the highest event id when it was made: the
	// subscription hears of outages whose first event came after.
	SinceEvent int64
}

// Kinds of subscription.
const (
	SubTarget = "target"
	SubGroup  = "group"
	SubVendor = "vendor"
)

// SubKey is what a subscription follows.
type SubKey struct{ Kind, Name string }

// Following says which subscriptions hear of a target's events and where
// each subscribed channel's messages go.
type Following struct {
	// Keys are the (kind, name) pairs that follow the target: its name,
	// its group, its catalog vendor. Names are lower case.
	Keys []SubKey
	// Dest is the outbox destination of a subscribed channel ("ops/slack"
	// when a [[channel]] names it, else its own), "" when the bot does not
	// serve that platform: such a subscription is skipped.
	Dest func(platform, channel string) string
	// Owned reports whether a destination belongs to subscriptions alone
	// (no [[channel]] names it): its threads go on only while a
	// subscription still follows the target.
	Owned func(dest string) bool
}

// Subscribe stores sub unless the channel already follows the same thing.
// created is false when it did; a different MinSeverity is then updated
// (changed reports it) and the rest, creation time included, stays.
func (s *Store) Subscribe(ctx context.Context, sub Subscription) (created, changed bool, prev Subscription, err error) {
	sub.Name = strings.ToLower(sub.Name)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		old, found, err := s.subscription(ctx, tx, sub.Platform, sub.Channel, sub.Kind, sub.Name)
		if err != nil {
			return err
		}
		if found {
			prev = old
			if old.MinSeverity == sub.MinSeverity {
				return nil
			}
			changed = true
			_, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET min_severity = ? WHERE platform = ? AND channel = ? AND kind = ? AND name = ?`),
				sub.MinSeverity, sub.Platform, sub.Channel, sub.Kind, sub.Name)
			return err
		}
		// ON CONFLICT: a replica answering the same command at the same
		// moment made it first; that one stands.
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriptions (platform, channel, kind, name, min_severity, created_by, created_at, since_event)
			SELECT ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(id), 0) FROM events WHERE true
			ON CONFLICT (platform, channel, kind, name) DO NOTHING`),
			sub.Platform, sub.Channel, sub.Kind, sub.Name, sub.MinSeverity, sub.CreatedBy, sub.CreatedAt.UnixMilli())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n > 0
		return nil
	})
	if err != nil {
		return false, false, Subscription{}, fmt.Errorf("save the subscription of %s %s to %s %q: %w", sub.Platform, sub.Channel, sub.Kind, sub.Name, err)
	}
	return created, changed, prev, nil
}

// Unsubscribe deletes a channel's subscription and reports whether there
// was one.
func (s *Store) Unsubscribe(ctx context.Context, platform, channel, kind, name string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM subscriptions WHERE platform = ? AND channel = ? AND kind = ? AND name = ?`),
		platform, channel, kind, strings.ToLower(name))
	if err != nil {
		return false, fmt.Errorf("delete the subscription of %s %s to %s %q: %w", platform, channel, kind, name, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Subscriptions lists the subscriptions of one channel, or of every
// channel when platform is "", by platform, channel, kind and name.
func (s *Store) Subscriptions(ctx context.Context, platform, channel string) ([]Subscription, error) {
	query := `SELECT platform, channel, kind, name, min_severity, created_by, created_at, since_event FROM subscriptions`
	var args []any
	if platform != "" {
		query += ` WHERE platform = ? AND channel = ?`
		args = append(args, platform, channel)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY platform, channel, kind, name`), args...)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	return scanSubscriptions(rows)
}

func (s *Store) subscription(ctx context.Context, tx *sql.Tx, platform, channel, kind, name string) (Subscription, bool, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT platform, channel, kind, name, min_severity, created_by, created_at, since_event FROM subscriptions
		WHERE platform = ? AND channel = ? AND kind = ? AND name = ?`), platform, channel, kind, name)
	if err != nil {
		return Subscription{}, false, err
	}
	subs, err := scanSubscriptions(rows)
	if err != nil || len(subs) == 0 {
		return Subscription{}, false, err
	}
	return subs[0], true, nil
}

func scanSubscriptions(rows *sql.Rows) ([]Subscription, error) {
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var sub Subscription
		var at int64
		if err := rows.Scan(&sub.Platform, &sub.Channel, &sub.Kind, &sub.Name, &sub.MinSeverity, &sub.CreatedBy, &at, &sub.SinceEvent); err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		sub.CreatedAt = time.UnixMilli(at)
		out = append(out, sub)
	}
	return out, rows.Err()
}

// subscribers adds to dests the channels subscribed to ev's target, in
// the transaction that queues ev:
//
//   - a subscription hears of an outage whose first event came after it
//     was made (one made mid-outage starts with the next outage);
//   - from there, every event at or above its least severity (incidents
//     only when it has one), and the rest of a thread it already carries,
//     so a de-escalated outage still gets its restoration there;
//   - a destination that belongs to subscriptions alone gets nothing more
//     once no subscription follows the target there (unsubscribed: its
//     open thread stops).
//
// Each destination appears once.
func (s *Store) subscribers(ctx context.Context, tx *sql.Tx, f *Following, ev outage.Event, dests []string) ([]string, error) {
	if len(f.Keys) == 0 {
		return dests, nil
	}
	var where []string
	var args []any
	for _, k := range f.Keys {
		where = append(where, `(kind = ? AND name = ?)`)
		args = append(args, k.Kind, strings.ToLower(k.Name))
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT platform, channel, kind, name, min_severity, created_by, created_at, since_event FROM subscriptions WHERE `+strings.Join(where, " OR ")), args...)
	if err != nil {
		return nil, fmt.Errorf("read the subscriptions to %s: %w", ev.Target, err)
	}
	subs, err := scanSubscriptions(rows)
	if err != nil {
		return nil, err
	}
	first := ev.ID
	var thread []string
	if ev.Seq > 1 {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MIN(id), 0) FROM events WHERE outage_id = ?`), ev.OutageID).Scan(&first); err != nil {
			return nil, fmt.Errorf("read the first event of %s: %w", ev.OutageID, err)
		}
		if thread, err = s.threadDests(ctx, tx, ev.OutageID); err != nil {
			return nil, err
		}
	}
	following := map[string]bool{}
	var add []string
	for _, sub := range subs {
		if sub.SinceEvent >= first {
			continue
		}
		d := f.Dest(sub.Platform, sub.Channel)
		if d == "" {
			continue
		}
		following[d] = true
		if meetsSub(ev, sub.MinSeverity) || slices.Contains(thread, d) {
			add = append(add, d)
		}
	}
	out := make([]string, 0, len(dests)+len(add))
	for _, d := range dests {
		// Routing adds a thread's destinations back; one owned by
		// subscriptions stays only while one follows.
		if f.Owned != nil && f.Owned(d) && !following[d] {
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, d := range add {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// threadDests are the destinations an outage's own events were queued to.
func (s *Store) threadDests(ctx context.Context, tx *sql.Tx, outageID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT o.dest FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.outage_id = ?`), outageID)
	if err != nil {
		return nil, fmt.Errorf("read the thread destinations of %s: %w", outageID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// meetsSub reports whether a subscription with least severity min hears
// of ev: everything without one; incidents at least that bad with one.
func meetsSub(ev outage.Event, min string) bool {
	if min == "" {
		return true
	}
	return ev.Class == outage.Incident && ev.Severity.Rank() >= sources.Status(min).Rank()
}
