// Package jsondoc decodes vendors' JSON documents with errors about the
// document ("not a Statuspage summary: \"components\" is a string, want an
// array") rather than about Go types, so an operator can tell a vendor's
// error page from a changed API.
package jsondoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Doc describes the document a format expects.
type Doc struct {
	// What prefixes every shape error: "not a Statuspage summary".
	What string
	// Array is set when the document is a JSON array, not an object.
	Array bool
	// Element names an array's items for a type error at the top level
	// ("an incident"); empty reports it as the document's own kind.
	Element string
}

// Decode unmarshals data into v.
func (d Doc) Decode(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return fmt.Errorf("%s: the body is empty", d.What)
	}
	want, open := "an object", byte('{')
	if d.Array {
		want, open = "an array", '['
	}
	if trimmed[0] != open && json.Valid(trimmed) {
		return fmt.Errorf("%s: the document is %s, not %s", d.What, Kind(trimmed[0]), want)
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(data)) {
			return fmt.Errorf("invalid JSON: the document ends early (truncated at %d bytes?)", len(data))
		}
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ) && typ.Field == "" && d.Element != "":
		return fmt.Errorf("%s: %s is %s, not an object", d.What, d.Element, typ.Value)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("%s: the document is %s, not %s", d.What, typ.Value, want)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %q is %s, want %s", d.What, typ.Field, typ.Value, GoKind(typ.Type.Kind().String()))
	}
	return fmt.Errorf("%s: %s", d.What, strings.TrimPrefix(err.Error(), "json: "))
}

// Kind names the JSON kind that starts with c (0: nothing at all).
func Kind(c byte) string {
	switch c {
	case 0:
		return "empty"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// GoKind names, in JSON terms, the kind of Go value a field wanted.
func GoKind(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	return k
}
