package budgettest

import (
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  time.Duration
		want string
	}{
		{"GET x: timed out after 198ms", 200 * time.Millisecond, "GET x: timed out after 200ms"},
		{"GET x: timed out after 200ms", 200 * time.Millisecond, "GET x: timed out after 200ms"},
		{"GET x: timed out after 201ms", 200 * time.Millisecond, "GET x: timed out after 201ms"},
		{"GET x: timed out after 90ms", 200 * time.Millisecond, "GET x: timed out after 90ms"},
		{"timed out after 1.9s (2 attempts)", 2 * time.Second, "timed out after 2s (2 attempts)"},
		{"stopped after 5 redirects", 200 * time.Millisecond, "stopped after 5 redirects"},
	} {
		if got := Normalize(tc.in, tc.max); got != tc.want {
			t.Errorf("Normalize(%q, %v) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
