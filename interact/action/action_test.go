package action

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want Action
		ok   bool
	}{
		{"outagebot:ack:0123abcd", Action{Ack, "0123abcd"}, true},
		{"outagebot:mute:o-1_x", Action{Mute, "o-1_x"}, true},
		{"outagebot:report:0123", Action{Report, "0123"}, true},
		{"outagebot:delete:0123", Action{}, false},
		{"outagebot:ack:", Action{}, false},
		{"outagebot:ack:a%b", Action{}, false},
		{"outagebot:ack:a:b", Action{}, false},
		{"ack:0123", Action{}, false},
		{"outagebot:ack:" + strings.Repeat("a", 100), Action{}, false},
	} {
		got, err := Parse(tc.id)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v", tc.id, got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknown) {
			t.Errorf("Parse(%q): %v is not ErrUnknown", tc.id, err)
		}
		if tc.ok && got.ID() != tc.id {
			t.Errorf("ID() = %q, want %q", got.ID(), tc.id)
		}
	}
}

func TestButtons(t *testing.T) {
	if b := Buttons("o1", true, false); len(b) != 3 || b[0].Kind != Ack {
		t.Errorf("open: %+v", b)
	}
	if b := Buttons("o1", true, true); len(b) != 2 || b[0].Kind != Mute || b[1].Kind != Report {
		t.Errorf("acknowledged: %v, want Mute and Report", b)
	}
	if b := Buttons("o1", false, false); len(b) != 1 || b[0].Kind != Report {
		t.Errorf("resolved: %+v", b)
	}
	if b := Buttons(strings.Repeat("x", 90), true, false); b != nil {
		t.Errorf("an id too long for a custom_id: %+v", b)
	}
}
