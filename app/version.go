package app

import (
	"runtime/debug"
	"strings"
)

// Revision is the commit the binary was built from, for builds that set it
// at link time (-ldflags "-X ...app.Revision=<commit>"): a container build
// has no .git directory for the toolchain to read it from.
var Revision = ""

// develVersion is what a binary built from a checkout without a version
// reports: the toolchain's "(devel)" without its parentheses, which do not
// belong in a User-Agent's product version.
const develVersion = "devel"

// Build describes the running binary.
type Build struct {
	// Version is the release, like v1.2.3; a module pseudo-version for a
	// go install at a commit; or "devel".
	Version string
	// Revision is the commit, when known; Modified says the working tree
	// had uncommitted changes; Time is the commit's time (RFC 3339).
	Revision string
	Modified bool
	Time     string
}

// Describe is what `outagebot version` prints after the name: the version,
// then what is known of the commit and the given details (the toolchain and
// platform), like "devel (revision 65a226b1..., modified, go1.26.8,
// linux/amd64)".
func (b Build) Describe(details ...string) string {
	var parts []string
	if b.Revision != "" {
		parts = append(parts, "revision "+b.Revision)
	}
	if b.Time != "" {
		parts = append(parts, "committed "+b.Time)
	}
	if b.Modified {
		parts = append(parts, "modified")
	}
	parts = append(parts, details...)
	if len(parts) == 0 {
		return b.Version
	}
	return b.Version + " (" + strings.Join(parts, ", ") + ")"
}

// pickBuild decides what the binary calls itself. A version set at link
// time wins: release builds and images set it. Otherwise the module version
// the toolchain recorded, which is the tag for `go install
// .../cmd/outagebot@v1.2.3` (and, since Go 1.24, a pseudo-version for a
// build in a git checkout). A binary with neither is "devel". The commit
// comes from linkedRevision or the vcs.* settings the toolchain recorded
// from a checkout.
func pickBuild(linked, linkedRevision string, info *debug.BuildInfo) Build {
	b := Build{Version: strings.TrimSpace(linked), Revision: strings.TrimSpace(linkedRevision)}
	if info != nil {
		if v := info.Main.Version; b.Version == "" && v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Revision == "" {
					b.Revision = s.Value
				}
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = develVersion
	}
	return b
}

// CurrentBuild describes this binary. Version holds the same version.
func CurrentBuild() Build {
	info, _ := debug.ReadBuildInfo()
	return pickBuild(linkedVersion, Revision, info)
}

// linkedVersion keeps what the linker set in Version before init replaces
// an unset one.
var linkedVersion = Version

func init() {
	// Version is read by the start-up log line and the User-Agent; fill it
	// here so they agree with `outagebot version`.
	Version = CurrentBuild().Version
}
