package store

import "testing"

// Both dialects carry the same numbered migrations, in increasing order,
// the last numbered SchemaVersion, so SchemaVersion means the same schema
// on either engine. (A number may be missing while the line of work that
// holds it has not been merged; the names must still agree.)
func TestMigrationFilesMatchSchemaVersion(t *testing.T) {
	var names [2][]string
	for d, dialect := range []string{"sqlite", "postgres"} {
		files, err := migrationFiles(dialect)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 || files[len(files)-1].version != SchemaVersion {
			t.Errorf("%s: the last migration is not numbered SchemaVersion %d", dialect, SchemaVersion)
		}
		for i, m := range files {
			if i > 0 && m.version <= files[i-1].version {
				t.Errorf("%s: migration %s does not come after %s", dialect, m.name, files[i-1].name)
			}
			names[d] = append(names[d], m.name)
		}
	}
	if len(names[0]) != len(names[1]) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(names[0]), len(names[1]))
	}
	for i := range names[0] {
		if names[0][i] != names[1][i] {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, names[0][i], names[1][i])
		}
	}
}
