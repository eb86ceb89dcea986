// Package budgettest helps tests compare the "timed out after 200ms" that
// a fetch or probe writes. The duration is the budget it measured from its
// own start against the deadline the test set a moment before: under load
// that moment is a few milliseconds, so the text says "198ms".
package budgettest

import (
	"regexp"
	"time"
)

var afterDuration = regexp.MustCompile(`after ([0-9]+(?:\.[0-9]+)?(?:ns|µs|ms|s|m|h))+`)

// Normalize rewrites each "after D" in s whose D is more than half of
// deadline and at most deadline as "after <deadline>", written as the
// the deadline is written (a round deadline reads as the fetch writes it:
// "200ms", "2s"); any other duration stays as it is, so a wrong budget
// still fails the comparison.
func Normalize(s string, deadline time.Duration) string {
	return afterDuration.ReplaceAllStringFunc(s, func(m string) string {
		d, err := time.ParseDuration(m[len("after "):])
		if err != nil || d > deadline || d <= deadline/2 {
			return m
		}
		return "after " + deadline.String()
	})
}
