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
	"reflect"
	"regexp"
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
	// Part and Path are set when decoding one part of a larger document
	// on its own (a custom UnmarshalJSON, a JSON:API resource's
	// attributes): Part names it for people ("status_report 8"), Path is
	// where it sits ("attributes"), prefixed to the paths of fields in it.
	Part, Path string
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
		if d.Part != "" || d.Path != "" {
			return fmt.Errorf("%s: %s is %s, want %s", d.What, d.where(""), Kind(trimmed[0]), want)
		}
		return fmt.Errorf("%s: the document is %s, not %s", d.What, Kind(trimmed[0]), want)
	}
	return d.Explain(json.Unmarshal(data, v), data)
}

// Explain turns an error from json.Unmarshal of data into one about the
// document, naming JSON kinds and never Go types. Nil stays nil.
func (d Doc) Explain(err error, data []byte) error {
	if err == nil {
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		inv *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(data)) {
			return fmt.Errorf("invalid JSON: the document ends early (truncated at %d bytes?)", len(data))
		}
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ) && typ.Field == "" && (d.Part != "" || d.Path != ""):
		return fmt.Errorf("%s: %s is %s, want %s", d.What, d.where(""), Value(typ.Value), Want(typ.Type))
	case errors.As(err, &typ) && typ.Field == "" && d.Element != "":
		return fmt.Errorf("%s: %s is %s, not %s", d.What, d.Element, Value(typ.Value), Want(typ.Type))
	case errors.As(err, &typ) && typ.Field == "":
		want := "an object"
		if d.Array {
			want = "an array"
		}
		return fmt.Errorf("%s: the document is %s, not %s", d.What, Value(typ.Value), want)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %s is %s, want %s", d.What, d.where(typ.Field), Value(typ.Value), Want(typ.Type))
	case errors.As(err, &inv):
		// A bug in the caller, not in the document; its text would name
		// the Go type.
		return fmt.Errorf("%s: internal error: nowhere to decode the document into", d.What)
	}
	msg := scrub(strings.TrimPrefix(err.Error(), "json: "))
	if d.Part != "" {
		return fmt.Errorf("%s: %s: %s", d.What, d.Part, msg)
	}
	return fmt.Errorf("%s: %s", d.What, msg)
}

// where names a field (the part itself when field is ""): "\"a.b\"", or
// "status_report 8: \"attributes.a.b\"".
func (d Doc) where(field string) string {
	path := d.Path
	switch {
	case path != "" && field != "":
		path += "." + field
	case field != "":
		path = field
	}
	switch {
	case d.Part != "" && path != "":
		return d.Part + `: "` + path + `"`
	case d.Part != "":
		return d.Part
	}
	return `"` + path + `"`
}

// goType matches what encoding/json says about Go types, in texts that a
// custom UnmarshalJSON passed on without wrapping.
var goType = regexp.MustCompile(`(?:into )?Go (?:struct field \S* ?of type|value of type) [\w.*\[\]]+`)

func scrub(s string) string {
	return strings.TrimSpace(goType.ReplaceAllString(s, "into a value of another kind"))
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

// Value names, in JSON terms, the value encoding/json describes in an
// UnmarshalTypeError ("array", "bool", "number 1.5").
func Value(v string) string {
	kind, lit, _ := strings.Cut(v, " ")
	var s string
	switch kind {
	case "array":
		s = "an array"
	case "object":
		s = "an object"
	case "string":
		s = "a string"
	case "bool":
		s = "a boolean"
	case "number":
		s = "a number"
	case "null":
		return "null"
	default:
		return "a value of another kind"
	}
	if lit != "" {
		s += " (" + lit + ")"
	}
	return s
}

// Want names, in JSON terms, what a Go type accepts.
func Want(t reflect.Type) string {
	if t == nil {
		return "a value of another kind"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}
