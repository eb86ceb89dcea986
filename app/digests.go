package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/digest"
	"github.com/outagebot/outagebot/i18n"
)

// startDigests runs the [[digest]] schedules. Each digest is committed to
// the outbox with a record of its run, so the dispatcher posts it like any
// event: once, in order, retried until delivered.
func (a *App) startDigests(ctx context.Context, cfg *config.Config, wg *sync.WaitGroup) {
	jobs, err := digestJobs(cfg)
	if err != nil {
		// The configuration was validated: this cannot happen.
		a.log.Error("digests are not sent", "err", err)
		return
	}
	if len(jobs) == 0 {
		return
	}
	s := &digest.Scheduler{
		Jobs:   jobs,
		Inputs: digest.Inputs{View: a.runner, History: a.store},
		Store:  a.store,
		Log:    a.log.With("component", "digests"),
		Now:    a.commands.Now,
		Notify: a.disp.Wake,
	}
	wg.Go(func() { s.Run(ctx) })
}

// digestNow answers `digest now`: the digest of the window ending now, built
// by the same code as the scheduled ones.
func (a *App) digestNow(ctx context.Context, window time.Duration) (bot.Answer, error) {
	now := time.Now
	if a.commands != nil && a.commands.Now != nil {
		now = a.commands.Now
	}
	d, err := digest.Build(ctx, digest.Inputs{View: a.runner, History: a.store}, window, now(), nil)
	if err != nil {
		return bot.Answer{}, err
	}
	// In the asker's language, as the command answers.
	return d.AnswerIn(i18n.For(bot.LangFrom(ctx))), nil
}

// digestJobs makes a scheduled job of each configured digest.
func digestJobs(cfg *config.Config) ([]digest.Job, error) {
	var jobs []digest.Job
	for i, d := range cfg.Digests {
		sched, err := config.ParseSchedule(d.Spec())
		if err != nil {
			return nil, fmt.Errorf("digest[%d].schedule: %w", i+1, err)
		}
		jobs = append(jobs, digest.Job{
			Key:         DigestKey(i, d),
			Schedule:    digest.WallClock(sched),
			Window:      d.Window.Duration,
			Dests:       digestDests(cfg, d),
			SkipIfQuiet: d.SkipIfQuiet,
			Targets:     digestTargets(cfg, d),
			Location:    d.Location(),
			Chart:       d.WantsChart(),
		})
	}
	return jobs, nil
}

// digestTargets are the names of the targets d covers, nil for all.
func digestTargets(cfg *config.Config, d config.Digest) []string {
	if len(d.Targets) == 0 {
		return nil
	}
	var out []string
	for _, t := range cfg.Targets {
		if config.DigestIncludes(d, t) {
			out = append(out, t.Name)
		}
	}
	return out
}

// DigestKey identifies the i-th (from 0) configured digest in the store:
// its position and a hash of its schedule, so that reordering digests or
// changing a schedule never makes one digest's run pass for another's.
func DigestKey(i int, d config.Digest) string {
	h := fnv.New32a()
	// The spec with its zone: the same hours in another zone are another
	// schedule. Without a timezone key it is the schedule as written.
	_, _ = h.Write([]byte(d.Spec()))
	return fmt.Sprintf("%d-%08x", i+1, h.Sum32())
}

// digestDests are the outbox destinations of a digest: those of its
// channels (all channels when it names none), or the console without chat.
func digestDests(cfg *config.Config, d config.Digest) []string {
	if !cfg.Chat() {
		return []string{consoleDest.String()}
	}
	var out []string
	for _, ch := range cfg.ChannelsForDigest(d) {
		for _, dest := range destinationsOf(ch) {
			out = append(out, dest.String())
		}
	}
	return out
}
