package store

import "testing"

// Both dialects carry the same numbered migrations, 1 to SchemaVersion with
// no gap, so SchemaVersion means the same schema on either engine.
func TestMigrationFilesMatchSchemaVersion(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		files, err := migrationFiles(dialect)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != SchemaVersion {
			t.Errorf("%s: %d migrations, SchemaVersion is %d", dialect, len(files), SchemaVersion)
		}
		for i, m := range files {
			if m.version != i+1 {
				t.Errorf("%s: migration %s is numbered %d, want %d", dialect, m.name, m.version, i+1)
			}
		}
	}
}
