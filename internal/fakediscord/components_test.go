package fakediscord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Buttons as Discord checks them
// (https://discord.com/developers/docs/components/reference#button):
// styles 1-4 with a custom_id of at most 100 characters and no url; link
// (5) with a url and no custom_id; premium (6) with an sku_id alone; at
// most five to a row, five rows.
func TestValidateComponents(t *testing.T) {
	row := func(buttons ...string) string {
		return `{"type":1,"components":[` + strings.Join(buttons, ",") + `]}`
	}
	five := func(r int) string {
		var b []string
		for i := range 5 {
			b = append(b, fmt.Sprintf(`{"type":2,"style":2,"label":"x","custom_id":"r%d-%d"}`, r, i))
		}
		return row(b...)
	}
	for _, tc := range []struct {
		name string
		rows []string
		ok   bool
	}{
		{"primary", []string{row(`{"type":2,"style":1,"label":"Acknowledge","custom_id":"outagebot:ack:o1"}`)}, true},
		{"custom_id of 100", []string{row(`{"type":2,"style":1,"label":"x","custom_id":"` + strings.Repeat("a", 100) + `"}`)}, true},
		{"custom_id of 101", []string{row(`{"type":2,"style":1,"label":"x","custom_id":"` + strings.Repeat("a", 101) + `"}`)}, false},
		{"no custom_id", []string{row(`{"type":2,"style":2,"label":"x"}`)}, false},
		{"url on a secondary", []string{row(`{"type":2,"style":2,"label":"x","custom_id":"a","url":"https://example.com"}`)}, false},
		{"link", []string{row(`{"type":2,"style":5,"label":"Status page","url":"https://example.com"}`)}, true},
		{"link with custom_id", []string{row(`{"type":2,"style":5,"label":"x","url":"https://example.com","custom_id":"a"}`)}, false},
		{"premium", []string{row(`{"type":2,"style":6,"sku_id":"1180000000000000001"}`)}, true},
		{"premium with custom_id", []string{row(`{"type":2,"style":6,"sku_id":"1180000000000000001","custom_id":"a"}`)}, false},
		{"duplicate custom_id", []string{row(`{"type":2,"style":1,"label":"x","custom_id":"a"}`, `{"type":2,"style":2,"label":"y","custom_id":"a"}`)}, false},
		{"six in a row", []string{row(`{"type":2,"style":1,"label":"x","custom_id":"z"}`, `{"type":2,"style":5,"label":"l","url":"https://example.com"}`, `{"type":2,"style":5,"label":"l","url":"https://example.com"}`, `{"type":2,"style":5,"label":"l","url":"https://example.com"}`, `{"type":2,"style":5,"label":"l","url":"https://example.com"}`, `{"type":2,"style":5,"label":"l","url":"https://example.com"}`)}, false},
		{"five rows of five", []string{five(0), five(1), five(2), five(3), five(4)}, true},
		{"six rows", []string{five(0), five(1), five(2), five(3), five(4), five(5)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := json.RawMessage("[" + strings.Join(tc.rows, ",") + "]")
			_, bad := validateComponents(raw)
			if bad == tc.ok {
				t.Errorf("accepted %v, want %v: %s", !bad, tc.ok, raw)
			}
		})
	}
}
