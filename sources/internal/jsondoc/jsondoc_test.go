package jsondoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// stamp is a custom type whose UnmarshalJSON decodes nested JSON, as
// vendors' time and id types do.
type stamp struct{ At string }

func (s *stamp) UnmarshalJSON(b []byte) error {
	var v struct {
		At string `json:"at"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.At = v.At
	return nil
}

// opaque hides a nested error's type, passing on only its text.
type opaque struct{}

func (*opaque) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New(err.Error())
	}
	return nil
}

type summary struct {
	Components []struct {
		Name     string  `json:"name"`
		Position int     `json:"position"`
		Ratio    float64 `json:"ratio"`
		Showcase bool    `json:"showcase"`
		Group    *struct {
			ID string `json:"id"`
		} `json:"group"`
	} `json:"components"`
	Updated stamp          `json:"updated"`
	Hidden  opaque         `json:"hidden"`
	Meta    map[string]any `json:"meta"`
}

func TestDecodeErrors(t *testing.T) {
	obj := Doc{What: "not a Statuspage summary"}
	arr := Doc{What: "not a Google Cloud incident feed", Array: true, Element: "an incident"}
	part := Doc{What: "not a Better Stack status page", Part: "status_report 8", Path: "attributes"}
	tests := []struct {
		name string
		doc  Doc
		in   string
		want string
	}{
		{"empty", obj, ``, "not a Statuspage summary: the body is empty"},
		{"array document", obj, `[1]`, "not a Statuspage summary: the document is an array, not an object"},
		{"string document", obj, `"hello"`, "not a Statuspage summary: the document is a string, not an object"},
		{"string for array", obj, `{"components": "none"}`, `not a Statuspage summary: "components" is a string, want an array`},
		{"object for array", obj, `{"components": {"a": 1}}`, `not a Statuspage summary: "components" is an object, want an array`},
		{"number item", obj, `{"components": [1]}`, `not a Statuspage summary: "components" is a number, want an object`},
		{"bool for string", obj, `{"components": [{"name": true}]}`, `not a Statuspage summary: "components.name" is a boolean, want a string`},
		{"fraction for int", obj, `{"components": [{"position": 1.5}]}`, `not a Statuspage summary: "components.position" is a number (1.5), want a whole number`},
		{"overflow", obj, `{"components": [{"position": 1e400}]}`, `not a Statuspage summary: "components.position" is a number (1e400), want a whole number`},
		{"string for float", obj, `{"components": [{"ratio": "half"}]}`, `not a Statuspage summary: "components.ratio" is a string, want a number`},
		{"array for pointer", obj, `{"components": [{"group": []}]}`, `not a Statuspage summary: "components.group" is an array, want an object`},
		{"array for map", obj, `{"meta": []}`, `not a Statuspage summary: "meta" is an array, want an object`},
		{"nested decode", obj, `{"updated": []}`, `not a Statuspage summary: "updated" is an array, want an object`},
		{"nested decode field", obj, `{"updated": {"at": 5}}`, `not a Statuspage summary: "updated.at" is a number, want a string`},
		{"nested text only", obj, `{"hidden": "x"}`, `not a Statuspage summary: cannot unmarshal string into a value of another kind`},
		{"truncated", obj, `{"components": [`, "invalid JSON: the document ends early (truncated at 16 bytes?)"},
		{"invalid", obj, `{"components": [oops]}`, "invalid JSON at byte 17: invalid character 'o' looking for beginning of value"},
		{"object for array document", arr, `{}`, "not a Google Cloud incident feed: the document is an object, not an array"},
		{"number element", arr, `[1]`, "not a Google Cloud incident feed: an incident is a number, not an object"},
		{"part kind", part, `[]`, `not a Better Stack status page: status_report 8: "attributes" is an array, want an object`},
		{"part field", part, `{"components": "x"}`, `not a Better Stack status page: status_report 8: "attributes.components" is a string, want an array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s summary
			var list []summary
			var v any = &s
			if tt.doc.Array {
				v = &list
			}
			err := tt.doc.Decode([]byte(tt.in), v)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Decode(%q)\n got %v\nwant %s", tt.in, err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "jsondoc.")) {
				t.Errorf("Decode(%q) names a Go type: %v", tt.in, err)
			}
		})
	}
	if err := obj.Decode([]byte(`{"components":[{"name":"API"}]}`), &summary{}); err != nil {
		t.Errorf("valid document: %v", err)
	}
}

// TestExplainNeverNamesGoTypes feeds Explain the errors encoding/json
// itself produces, whatever their path to it.
func TestExplainNeverNamesGoTypes(t *testing.T) {
	doc := Doc{What: "not a status.io status"}
	var s summary
	for _, err := range []error{
		json.Unmarshal([]byte(`{"components":{}}`), &s),
		&json.InvalidUnmarshalError{Type: reflect.TypeOf(s)}, // not a pointer: a caller's bug
		fmt.Errorf("bad time: %w", json.Unmarshal([]byte(`[]`), &s)),
		errors.New("json: cannot unmarshal array into Go value of type statusio.resultDoc"),
		errors.New("json: cannot unmarshal number into Go struct field componentDoc.result.status.id of type string"),
	} {
		got := doc.Explain(err, []byte(`{}`))
		if got == nil || strings.Contains(got.Error(), "Go ") || strings.Contains(got.Error(), "summary") ||
			strings.Contains(got.Error(), "resultDoc") || strings.Contains(got.Error(), "componentDoc") {
			t.Errorf("Explain(%v) = %v", err, got)
		}
	}
	if doc.Explain(nil, nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
