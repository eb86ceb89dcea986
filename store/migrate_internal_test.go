package store

import (
	"slices"
	"testing"
)

// Both dialects carry the same numbered migrations, ascending, the last
// numbered SchemaVersion, so SchemaVersion means the same schema on either
// engine. (A number may be missing while a branch that took it has not
// landed yet.)
func TestMigrationFilesMatchSchemaVersion(t *testing.T) {
	var numbers [][]int
	for _, dialect := range []string{"sqlite", "postgres"} {
		files, err := migrationFiles(dialect)
		if err != nil {
			t.Fatal(err)
		}
		var vs []int
		for i, m := range files {
			if i > 0 && m.version <= files[i-1].version {
				t.Errorf("%s: migration %s does not follow %s", dialect, m.name, files[i-1].name)
			}
			vs = append(vs, m.version)
		}
		if len(vs) == 0 || vs[len(vs)-1] != SchemaVersion {
			t.Errorf("%s: the last migration is not numbered SchemaVersion (%d): %v", dialect, SchemaVersion, vs)
		}
		numbers = append(numbers, vs)
	}
	if !slices.Equal(numbers[0], numbers[1]) {
		t.Errorf("the dialects' migrations differ: sqlite %v, postgres %v", numbers[0], numbers[1])
	}
}
