package store

import "strings"

// uriPath escapes what would end or change the path of a SQLite URI
// filename ('?' starts its query, '#' its fragment, '%' an escape;
// https://www.sqlite.org/uri.html), so that a state path holding them
// opens that very file and not one named by a prefix of it.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}
