package jsondoc

import "testing"

func TestDecodeErrors(t *testing.T) {
	type summary struct {
		Components []struct{ Name string } `json:"components"`
	}
	obj := Doc{What: "not a Statuspage summary"}
	arr := Doc{What: "not a Google Cloud incident feed", Array: true, Element: "an incident"}
	tests := []struct {
		doc  Doc
		in   string
		want string
	}{
		{obj, ``, "not a Statuspage summary: the body is empty"},
		{obj, `[1]`, "not a Statuspage summary: the document is an array, not an object"},
		{obj, `"hello"`, "not a Statuspage summary: the document is a string, not an object"},
		{obj, `{"components": "none"}`, `not a Statuspage summary: "components" is string, want an array`},
		{obj, `{"components": [`, "invalid JSON: the document ends early (truncated at 16 bytes?)"},
		{obj, `{"components": [oops]}`, "invalid JSON at byte 17: invalid character 'o' looking for beginning of value"},
		{arr, `{}`, "not a Google Cloud incident feed: the document is an object, not an array"},
		{arr, `[1]`, "not a Google Cloud incident feed: an incident is number, not an object"},
	}
	for _, tt := range tests {
		var s summary
		var list []summary
		var v any = &s
		if tt.doc.Array {
			v = &list
		}
		err := tt.doc.Decode([]byte(tt.in), v)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	if err := obj.Decode([]byte(`{"components":[{"name":"API"}]}`), &summary{}); err != nil {
		t.Errorf("valid document: %v", err)
	}
}
