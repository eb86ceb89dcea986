package bot

import (
	"container/heap"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Job is one target on the schedule.
type Job struct {
	Name     string
	Interval time.Duration
	// busy is set while a poll of this job runs, so a slow target is never
	// polled twice at once; its missed turn is skipped, not queued.
	busy atomic.Bool
}

// Scheduler runs every job at its interval from one timer heap, feeding a
// bounded pool of workers. One goroutine and one timer serve all targets,
// so 10,000 targets cost no more wake-ups than they have polls.
type Scheduler struct {
	// Workers bounds concurrent polls (default 64).
	Workers int
	// Spread is the longest start-up delay: first polls are spread evenly
	// over min(interval, Spread, 10ms per target) so a large config does
	// not poll everything at once, while a small one starts at once.
	Spread time.Duration
	// Skipped, if set, is called when a job's turn comes while it is still
	// running.
	Skipped func(name string)
	// Coalesce is how early a job may start to share a wake-up with the
	// job due before it (default DefaultCoalesce, never more than a tenth
	// of the shortest interval; negative turns it off). Waking the process
	// for every poll costs more CPU than the poll itself: with 10,000
	// targets a minute apart, polls are 6 ms apart, and each one alone
	// wakes idle threads to run it and its connection's goroutines, then
	// lets them sleep again. Started in batches, polls share those
	// wake-ups. Each job keeps its own cadence (its turns stay one interval
	// apart on average); a turn is only ever early, by less than Coalesce.
	Coalesce time.Duration

	running atomic.Bool
	ticks   atomic.Int64
}

// DefaultCoalesce is Scheduler.Coalesce's default: 10 wake-ups a second
// at most, a poll at most 100 ms early.
const DefaultCoalesce = 100 * time.Millisecond

// slack is how early a job may start: Coalesce, bounded by a tenth of the
// shortest interval so that a short interval's cadence stays close.
func (s *Scheduler) slack(jobs []*Job) time.Duration {
	c := s.Coalesce
	switch {
	case c < 0:
		return 0
	case c == 0:
		c = DefaultCoalesce
	}
	for _, j := range jobs {
		c = min(c, j.Interval/10)
	}
	return max(c, 0)
}

// Running reports whether Run is active, or armed to start.
func (s *Scheduler) Running() bool { return s.running.Load() }

// Arm marks the scheduler running ahead of a Run that its caller is about
// to start on another goroutine, so that a health check between the two
// does not read a starting scheduler as a stopped one. Run clears the mark
// when it returns.
func (s *Scheduler) Arm() { s.running.Store(true) }

// Run polls the jobs until ctx is cancelled, then waits for polls in flight
// to return. poll must honour ctx.
func (s *Scheduler) Run(ctx context.Context, jobs []*Job, poll func(context.Context, *Job)) {
	s.running.Store(true)
	defer s.running.Store(false)
	workers := s.Workers
	if workers <= 0 {
		workers = 64
	}
	work := make(chan *Job)
	var wg sync.WaitGroup
	for range min(workers, max(len(jobs), 1)) {
		wg.Go(func() {
			for j := range work {
				if ctx.Err() == nil {
					poll(ctx, j)
				}
				j.busy.Store(false)
			}
		})
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	if len(jobs) == 0 {
		<-ctx.Done()
		return
	}

	now := time.Now()
	q := make(jobHeap, 0, len(jobs))
	for i, j := range jobs {
		window := min(j.Interval, time.Duration(len(jobs))*10*time.Millisecond)
		if s.Spread > 0 {
			window = min(window, s.Spread)
		}
		offset := time.Duration(0)
		if len(jobs) > 1 {
			offset = window * time.Duration(i) / time.Duration(len(jobs))
		}
		q = append(q, &slot{job: j, next: now.Add(offset)})
	}
	heap.Init(&q)
	slack := s.slack(jobs)

	timer := time.NewTimer(time.Until(q[0].next))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.ticks.Add(1)
		now := time.Now()
		for q[0].next.Compare(now.Add(slack)) <= 0 {
			if ctx.Err() != nil {
				// Shutdown won the race with the timer: start nothing new.
				return
			}
			sl := q[0]
			if sl.job.busy.CompareAndSwap(false, true) {
				select {
				case work <- sl.job:
				case <-ctx.Done():
					sl.job.busy.Store(false)
					return
				}
			} else if s.Skipped != nil {
				s.Skipped(sl.job.Name)
			}
			sl.next = sl.next.Add(sl.job.Interval)
			if sl.next.Before(now) {
				// Fell behind (all workers were busy): resume the cadence
				// from now instead of firing a burst of missed turns.
				sl.next = now.Add(sl.job.Interval)
			}
			heap.Fix(&q, 0)
			now = time.Now()
		}
		timer.Reset(time.Until(q[0].next))
	}
}

type slot struct {
	job  *Job
	next time.Time
}

type jobHeap []*slot

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h jobHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)        { *h = append(*h, x.(*slot)) }
func (h *jobHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
