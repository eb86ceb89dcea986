package console

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side, sized to
// cols columns (0: the terminal does not say).
func openPTY(t *testing.T, cols uint16) *os.File {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("cannot name the pseudo-terminal: %v", err)
	}
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { pts.Close() })
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: 24}); err != nil {
		t.Fatal(err)
	}
	return pts
}

func TestDetect(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name  string
		cols  uint16
		env   func(string) string
		width int
		color bool
	}{
		{"a terminal: its width, colour", 100, env(), 100, true},
		{"NO_COLOR with any value turns colour off", 100, env("NO_COLOR", "1"), 100, false},
		{"a dumb terminal gets no colour", 100, env("TERM", "dumb"), 100, false},
		{"an empty NO_COLOR is not set", 100, env("NO_COLOR", ""), 100, true},
		{"a terminal that does not say its width: COLUMNS", 0, env("COLUMNS", "132"), 132, true},
		{"neither: 80", 0, env("COLUMNS", "wide"), 80, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pts := openPTY(t, tc.cols)
			size, color := Detect(int(pts.Fd()), tc.env)
			if size == nil {
				t.Fatal("a terminal was not detected")
			}
			if w := size(); w != tc.width || color != tc.color {
				t.Errorf("width %d, colour %v; want %d, %v", w, color, tc.width, tc.color)
			}
		})
	}

	// The width is asked again for every event: a resized terminal is
	// followed.
	pts := openPTY(t, 100)
	n := New(pts)
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: 60, Row: 24}); err != nil {
		t.Fatal(err)
	}
	if n.cfg.size == nil || n.cfg.size() != 60 {
		t.Error("the terminal's new width is not followed")
	}

	f, err := os.Create(filepath.Join(t.TempDir(), "out.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if size, color := Detect(int(f.Fd()), env("COLUMNS", "132")); size != nil || color {
		t.Error("a file was taken for a terminal")
	}
	if n := New(f); n.cfg.size != nil || n.cfg.color {
		t.Error("a notifier writing to a file wraps or colours")
	}
}
