package app

import (
	"runtime/debug"
	"testing"
)

func TestPickBuild(t *testing.T) {
	checkout := []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7"},
		{Key: "vcs.time", Value: "2026-12-01T09:30:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name           string
		linked, linkRv string
		info           *debug.BuildInfo
		want           Build
		describe       string
	}{
		{
			name:     "go install at a tag",
			info:     &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "v1.2.3", Sum: "h1:abc="}},
			want:     Build{Version: "v1.2.3"},
			describe: "v1.2.3 (go1.26.8, linux/amd64)",
		},
		{
			name:     "go install at a commit",
			info:     &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "v1.2.4-0.20261201093000-65a226b1c2d3"}},
			want:     Build{Version: "v1.2.4-0.20261201093000-65a226b1c2d3"},
			describe: "v1.2.4-0.20261201093000-65a226b1c2d3 (go1.26.8, linux/amd64)",
		},
		{
			name: "build in a checkout without a module version",
			info: &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "(devel)"}, Settings: checkout},
			want: Build{Version: "devel", Revision: "65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7", Time: "2026-12-01T09:30:00Z", Modified: true},
			describe: "devel (revision 65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7, committed 2026-12-01T09:30:00Z, modified, " +
				"go1.26.8, linux/amd64)",
		},
		{
			// Since Go 1.24 the toolchain stamps a build in a git checkout
			// with a pseudo-version (+dirty when modified): kept, since it
			// says as much as "devel" and more.
			name: "build in a checkout, stamped by the toolchain",
			info: &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "v0.0.0-20261201093000-65a226b1c2d3+dirty"}, Settings: checkout},
			want: Build{Version: "v0.0.0-20261201093000-65a226b1c2d3+dirty", Revision: "65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7", Time: "2026-12-01T09:30:00Z", Modified: true},
			describe: "v0.0.0-20261201093000-65a226b1c2d3+dirty (revision 65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7, committed 2026-12-01T09:30:00Z, modified, " +
				"go1.26.8, linux/amd64)",
		},
		{
			name:     "build with -buildvcs=false",
			info:     &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "(devel)"}},
			want:     Build{Version: "devel"},
			describe: "devel (go1.26.8, linux/amd64)",
		},
		{
			name:     "test binary: no main module version",
			info:     &debug.BuildInfo{},
			want:     Build{Version: "devel"},
			describe: "devel (go1.26.8, linux/amd64)",
		},
		{
			name:     "no build information",
			want:     Build{Version: "devel"},
			describe: "devel (go1.26.8, linux/amd64)",
		},
		{
			name:     "set at link time wins over the module version",
			linked:   "v2.0.0",
			info:     &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "v1.2.3"}},
			want:     Build{Version: "v2.0.0"},
			describe: "v2.0.0 (go1.26.8, linux/amd64)",
		},
		{
			name:     "image build: version and revision at link time, no checkout",
			linked:   "v1.2.3",
			linkRv:   "65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7",
			info:     &debug.BuildInfo{Main: debug.Module{Path: "github.com/outagebot/outagebot", Version: "(devel)"}},
			want:     Build{Version: "v1.2.3", Revision: "65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7"},
			describe: "v1.2.3 (revision 65a226b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7, go1.26.8, linux/amd64)",
		},
		{
			name:     "revision at link time wins over the checkout's",
			linkRv:   "0123456789abcdef0123456789abcdef01234567",
			info:     &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: checkout[:3]},
			want:     Build{Version: "devel", Revision: "0123456789abcdef0123456789abcdef01234567"},
			describe: "devel (revision 0123456789abcdef0123456789abcdef01234567, go1.26.8, linux/amd64)",
		},
		{
			name:     "an unmodified checkout",
			info:     &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}},
			want:     Build{Version: "devel", Revision: "abc"},
			describe: "devel (revision abc, go1.26.8, linux/amd64)",
		},
		{
			name:     "blank link-time values count as unset",
			linked:   " ",
			linkRv:   " ",
			info:     &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			want:     Build{Version: "v1.2.3"},
			describe: "v1.2.3 (go1.26.8, linux/amd64)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pickBuild(tt.linked, tt.linkRv, tt.info)
			if got != tt.want {
				t.Errorf("pickBuild = %+v, want %+v", got, tt.want)
			}
			if d := got.Describe("go1.26.8", "linux/amd64"); d != tt.describe {
				t.Errorf("Describe = %q, want %q", d, tt.describe)
			}
		})
	}
}

// With nothing set at link time, Version is filled at start-up, so the
// start-up log line and the User-Agent never name an empty version.
func TestVersionIsSet(t *testing.T) {
	if Version == "" || Version != CurrentBuild().Version {
		t.Errorf("Version = %q, CurrentBuild().Version = %q", Version, CurrentBuild().Version)
	}
}
