// Command vulncheck reads govulncheck's JSON stream on stdin and fails when
// the code calls a vulnerable function of a required module. Standard
// library findings are printed but do not fail: they belong to the Go
// toolchain that builds the binary (the release image builds with the
// latest patch of its Go line), not to this repository.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

type message struct {
	Config *struct {
		ScannerVersion string `json:"scanner_version"`
	} `json:"config"`
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	dec := json.NewDecoder(os.Stdin)
	called := map[string]string{} // osv -> "module@version (fixed in ...)"
	stdlib := map[string]bool{}
	sawConfig := false
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "vulncheck: reading govulncheck's output:", err)
			os.Exit(2)
		}
		sawConfig = sawConfig || m.Config != nil
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // imported or required, never called
		}
		if f.Trace[0].Module == "stdlib" {
			stdlib[f.OSV] = true
			continue
		}
		called[f.OSV] = fmt.Sprintf("%s@%s (fixed in %s)", f.Trace[0].Module, f.Trace[0].Version, f.FixedVersion)
	}
	if !sawConfig {
		// An empty stream is govulncheck failing, not a clean scan.
		fmt.Fprintln(os.Stderr, "vulncheck: govulncheck produced no report")
		os.Exit(2)
	}
	if len(stdlib) > 0 {
		fmt.Printf("note: %d standard library vulnerabilities reached with this machine's Go; build releases with the latest patch release: %v\n", len(stdlib), keys(stdlib))
	}
	if len(called) == 0 {
		fmt.Println("no called vulnerabilities in required modules")
		return
	}
	for _, id := range keys(called) {
		fmt.Printf("%s: %s\n", id, called[id])
	}
	os.Exit(1)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
