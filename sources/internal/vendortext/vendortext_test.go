package vendortext

import "testing"

func TestBody(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"windows paragraphs", "We are investigating.\r\n\r\nMore soon.", "We are investigating.\n\nMore soon."},
		{"windows line", "Line one\r\nLine two", "Line one\nLine two"},
		{"old mac", "One\rTwo", "One\nTwo"},
		{"entities", "Fish &amp; chips&nbsp;for&nbsp;all &lt;3", "Fish & chips for all <3"},
		{"html paragraphs", "<p>Writes are paused.</p>\r\n<p>Reads &amp; logins work.</p>", "Writes are paused.\n\nReads & logins work."},
		{"html wrapped lines", "<p>A long sentence\r\nwrapped by an editor.</p>", "A long sentence wrapped by an editor."},
		{"inline tags in plain text", "See <a href=\"https://x\">the issue</a>.\r\n\r\n<b>Next</b> update in 30 minutes.", "See the issue.\n\nNext update in 30 minutes."},
		{"blank lines pile up", "a\n\n\n\nb", "a\n\nb"},
		{"trimmed", "  \r\n padded \r\n ", "padded"},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Body(tt.in); got != tt.want {
				t.Errorf("Body(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Git operations &amp; API degraded": "Git operations & API degraded",
		"Two\r\nlines":                      "Two lines",
		"<p>Two</p><p>paragraphs</p>":       "Two paragraphs",
		"  <b>Bold</b> title ":              "Bold title",
	} {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}
