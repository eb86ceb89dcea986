// Package golden compares rendered output with golden files under a test
// package's testdata/, rewriting them when the test runs with -update.
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// JSON encodes v indented, without HTML escaping, and compares it with
// testdata/name.golden; update rewrites the file instead. With
// roundTrip, v is first decoded into generic values, so that the file shows
// <, > and & as they are sent even when v's own marshalers escape them.
func JSON(t *testing.T, name string, v any, roundTrip, update bool) {
	t.Helper()
	if roundTrip {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var tree any
		if err := json.Unmarshal(raw, &tree); err != nil {
			t.Fatal(err)
		}
		v = tree
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	Text(t, name, buf.String(), update)
}

// Text compares got with testdata/name.golden; update rewrites the file
// instead.
func Text(t *testing.T, name, got string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what renders now (go test -update rewrites it after a check):\n%s", path, got)
	}
}

// JSONAt compares v, indented as json.MarshalIndent writes it (with HTML
// escaping, as the format packages' goldens were written), with the file at
// path; update rewrites the file instead.
func JSONAt(t *testing.T, path string, v any, update bool) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, got)
	}
}

// Bytes compares got with testdata/name byte for byte (name carries its
// extension, like "day.png"); update rewrites the file instead.
func Bytes(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what renders now (%d bytes, want %d; go test -update rewrites it after a look)", path, len(got), len(want))
	}
}
