package config

import (
	"testing"
	"time"
)

func TestCatalogTarget(t *testing.T) {
	got, err := CatalogTarget("GitHub")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "GitHub" || got.Vendor != "github" || got.Type != "statuspage" || got.URL == "" ||
		got.Interval.Duration != DefaultFeedInterval || got.Timeout.Duration != 10*time.Second || !got.Announce() {
		t.Errorf("catalog target %+v", got)
	}
	if _, err := CatalogTarget("githib"); err == nil {
		t.Error("an unknown vendor made a target")
	}
}
