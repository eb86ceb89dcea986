package outage

import (
	"reflect"
	"testing"
)

func TestSectionsRoundTrip(t *testing.T) {
	cases := []struct {
		in   []Section
		text string
		back []Section
	}{
		{
			in:   []Section{{Heading: "Now", Lines: []string{"a", "b"}}, {Heading: "Period", Lines: []string{"c"}}},
			text: "Now\na\nb\n\nPeriod\nc",
		},
		{
			// Vendor text with line breaks is folded; empty lines and
			// sections without lines are left out; a missing heading is
			// kept as "-".
			in:   []Section{{Heading: "Two\nlines", Lines: []string{"x\n\ny", "", "  "}}, {Heading: "Empty"}, {Lines: []string{"z"}}},
			text: "Two lines\nx y\n\n-\nz",
			back: []Section{{Heading: "Two lines", Lines: []string{"x y"}}, {Lines: []string{"z"}}},
		},
		{in: nil, text: ""},
	}
	for _, c := range cases {
		got := FormatSections(c.in)
		if got != c.text {
			t.Errorf("FormatSections(%q) = %q, want %q", c.in, got, c.text)
		}
		want := c.back
		if want == nil && len(c.in) > 0 {
			want = c.in
		}
		if back := ParseSections(got); !reflect.DeepEqual(back, want) {
			t.Errorf("ParseSections(%q) = %q, want %q", got, back, want)
		}
	}
}
