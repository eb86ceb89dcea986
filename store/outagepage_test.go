package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

func seedOutages(t *testing.T, s *store.Store, n int) []outage.Outage {
	t.Helper()
	var all []outage.Outage
	for i := range n {
		target := []string{"A", "B", "C"}[i%3]
		// Pairs open in the same millisecond: the id breaks the tie.
		o := outage.Outage{ID: fmt.Sprintf("o%03d", i), Target: target, Key: fmt.Sprint(i), Class: outage.Incident, Title: "t",
			Severity: sources.Degraded, OpenedAt: day1.Add(time.Duration(i/2) * time.Hour)}
		if i%5 != 0 {
			o.ResolvedAt = o.OpenedAt.Add(30 * time.Minute)
		}
		if _, err := s.Commit(context.Background(), store.Commit{Target: target, State: []byte(`{}`), Outages: []outage.Outage{o}, At: o.OpenedAt}); err != nil {
			t.Fatal(err)
		}
		all = append(all, o)
	}
	return all
}

func ids(outs []outage.Outage) []string {
	var out []string
	for _, o := range outs {
		out = append(out, o.ID)
	}
	return out
}

func TestOutagePage(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			all := seedOutages(t, open(t), 40)
			newestFirst := slices.Clone(all)
			slices.SortFunc(newestFirst, func(a, b outage.Outage) int {
				if c := b.OpenedAt.Compare(a.OpenedAt); c != 0 {
					return c
				}
				return strings.Compare(b.ID, a.ID)
			})
			for _, tc := range []struct {
				name string
				q    store.OutageQuery
				keep func(outage.Outage) bool
			}{
				{"all", store.OutageQuery{Limit: 7}, func(outage.Outage) bool { return true }},
				{"targets", store.OutageQuery{Limit: 4, Targets: []string{"A", "C"}}, func(o outage.Outage) bool { return o.Target != "B" }},
				{"window", store.OutageQuery{Limit: 3, Since: day1.Add(5 * time.Hour), Until: day1.Add(12 * time.Hour)}, func(o outage.Outage) bool {
					return o.OpenedAt.Before(day1.Add(12*time.Hour)) && (o.ResolvedAt.IsZero() || !o.ResolvedAt.Before(day1.Add(5*time.Hour)))
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					seedOutages(t, s, 40)
					var want []string
					for _, o := range newestFirst {
						if tc.keep(o) {
							want = append(want, o.ID)
						}
					}
					var got []string
					q := tc.q
					for pages := 0; ; pages++ {
						page, next, err := s.OutagePage(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						if len(page) > q.Limit {
							t.Fatalf("page of %d, limit %d", len(page), q.Limit)
						}
						got = append(got, ids(page)...)
						if next.IsZero() {
							break
						}
						if pages == 0 {
							// Newer outages written between pages change nothing
							// of the listing's continuation.
							seedLater(t, s, "A", day1.Add(100*time.Hour))
						}
						back, err := store.ParseCursor(next.String())
						if err != nil || back != next {
							t.Fatalf("cursor %q reads back as %+v, %v", next.String(), back, err)
						}
						q.After = back
					}
					if !slices.Equal(got, want) {
						t.Errorf("got %v\nwant %v", got, want)
					}
				})
			}
		})
	}
}

var later = 0

func seedLater(t *testing.T, s *store.Store, target string, at time.Time) {
	t.Helper()
	later++
	o := outage.Outage{ID: fmt.Sprintf("z%03d", later), Target: target, Key: "z", Class: outage.Incident, Title: "new", Severity: sources.Degraded, OpenedAt: at}
	if _, err := s.Commit(context.Background(), store.Commit{Target: target, State: []byte(`{}`), Outages: []outage.Outage{o}, At: at}); err != nil {
		t.Fatal(err)
	}
}

// Every form of the query reads along an index: none scans the table.
func TestOutagePageUsesAnIndex(t *testing.T) {
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after := store.Cursor{OpenedAt: day1, ID: "x"}
	for _, q := range []store.OutageQuery{
		{Limit: 50},
		{Limit: 50, After: after},
		{Limit: 50, Targets: []string{"A"}},
		{Limit: 50, Targets: []string{"A", "B"}, After: after},
		{Limit: 50, Since: day1, Until: day1.Add(time.Hour)},
		{Limit: 50, Targets: []string{"A"}, Since: day1, Until: day1.Add(time.Hour), After: after},
	} {
		plan, err := s.ExplainOutagePage(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, "outages") && !strings.Contains(line, "INDEX") {
				t.Errorf("%+v: plan reads the whole table:\n%s", q, plan)
			}
		}
	}
}
