package fakediscord

import (
	"encoding/json"
	"net/http"
	"unicode/utf8"
)

// Limits of message components
// (https://discord.com/developers/docs/interactions/message-components).
const (
	maxActionRows   = 5
	maxRowButtons   = 5
	maxCustomID     = 100
	maxButtonLabel  = 80
	typeActionRow   = 1
	typeButton      = 2
	buttonStyleLink = 5
	// buttonStylePremium buttons buy an SKU.
	buttonStylePremium = 6
)

// validateComponents checks action rows of buttons as Discord does: at most
// five rows of five, each button with a label and a custom_id (unique in
// the message, at most 100 characters) unless it is a link.
func validateComponents(raw json.RawMessage) (apiError, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return apiError{}, false
	}
	bad := apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: components"}
	var rows []struct {
		Type       int `json:"type"`
		Components []struct {
			Type     int    `json:"type"`
			Style    int    `json:"style"`
			Label    string `json:"label"`
			CustomID string `json:"custom_id"`
			URL      string `json:"url"`
			SKUID    string `json:"sku_id"`
		} `json:"components"`
	}
	if json.Unmarshal(raw, &rows) != nil || len(rows) > maxActionRows {
		return bad, true
	}
	ids := map[string]bool{}
	for _, r := range rows {
		if r.Type != typeActionRow || len(r.Components) == 0 || len(r.Components) > maxRowButtons {
			return bad, true
		}
		for _, b := range r.Components {
			if b.Type != typeButton || b.Style < 1 || b.Style > 6 || utf8.RuneCountInString(b.Label) > maxButtonLabel {
				return bad, true
			}
			if b.Style == buttonStyleLink {
				if b.URL == "" || b.CustomID != "" || b.SKUID != "" {
					return bad, true
				}
				continue
			}
			if b.Style == buttonStylePremium {
				// A premium button has its SKU and nothing else.
				if b.SKUID == "" || b.CustomID != "" || b.URL != "" || b.Label != "" {
					return bad, true
				}
				continue
			}
			if b.URL != "" || b.SKUID != "" {
				return bad, true
			}
			if b.CustomID == "" || len(b.CustomID) > maxCustomID || ids[b.CustomID] {
				return bad, true
			}
			ids[b.CustomID] = true
		}
	}
	return apiError{}, false
}

// nonEmpty is raw, or nil for an empty list.
func nonEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" {
		return nil
	}
	return append(json.RawMessage(nil), raw...)
}
