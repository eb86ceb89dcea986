package bot

import "testing"

func TestPlainBody(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"All good.", "All good."},
		{"Line one.\nLine two.", "Line one.\nLine two."},
		{"Para one.\n\nPara two.", "Para one.\n\nPara two."},
		{"We will move storage.\r\n\r\nNo action is required.\r\n", "We will move storage.\n\nNo action is required."},
		{"Old Mac\rline ends", "Old Mac\nline ends"},
		{"  padded  \n\n\n\n  gaps   \n", "padded\n\n  gaps"},
		{"bell\a and nul\x00 and del\x7f", "bell and nul and del"},
		{"C1\u0085control", "C1control"},
		{"tab\tkept", "tab\tkept"},
		{"", ""},
	} {
		if got := plainBody(tc.in); got != tc.want {
			t.Errorf("plainBody(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := plainBody(plainBody(tc.in)); got != tc.want {
			t.Errorf("plainBody is not idempotent on %q: %q", tc.in, got)
		}
	}
}

func TestPlainTitle(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Elevated errors", "Elevated errors"},
		{"Elevated errors\r\n on the API ", "Elevated errors on the API"},
		{"\tTabbed", "Tabbed"},
	} {
		if got := plainTitle(tc.in); got != tc.want {
			t.Errorf("plainTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkPlainBodyClean(b *testing.B) {
	s := "We are investigating elevated error rates on the API.\n\nWe will post an update within 30 minutes."
	b.ReportAllocs()
	for b.Loop() {
		_ = plainBody(s)
	}
}
