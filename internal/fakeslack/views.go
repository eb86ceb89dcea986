package fakeslack

import (
	"encoding/json"
	"net/url"
)

// Limits of a Home tab view (https://api.slack.com/reference/surfaces/views).
const (
	maxViewBlocks      = 100
	maxCallbackID      = 255
	maxPrivateMetadata = 3000
)

// publishView answers views.publish
// (https://api.slack.com/methods/views.publish) as Slack does for the
// view it takes: a user_id and a view of type "home" with at most 100
// blocks that pass the Block Kit checks. Anything else is
// invalid_arguments, with the reason in response_metadata.messages.
func publishView(p url.Values) response {
	invalid := func(msg string) response {
		return response{"ok": false, "error": "invalid_arguments", "response_metadata": map[string]any{"messages": []string{"[ERROR] " + msg}}}
	}
	user := p.Get("user_id")
	if user == "" {
		return invalid("missing required field: user_id")
	}
	var v struct {
		Type            string          `json:"type"`
		Blocks          json.RawMessage `json:"blocks"`
		CallbackID      string          `json:"callback_id"`
		PrivateMetadata string          `json:"private_metadata"`
	}
	if err := json.Unmarshal([]byte(p.Get("view")), &v); err != nil {
		return invalid("failed to parse view [json-pointer:/view]")
	}
	switch {
	case v.Type != "home":
		return invalid("must be home [json-pointer:/view/type]")
	case len(v.Blocks) == 0 || string(v.Blocks) == "null":
		return invalid("missing required field: blocks [json-pointer:/view/blocks]")
	case len(v.CallbackID) > maxCallbackID:
		return invalid("must be less than 256 characters [json-pointer:/view/callback_id]")
	case len(v.PrivateMetadata) > maxPrivateMetadata:
		return invalid("must be less than 3001 characters [json-pointer:/view/private_metadata]")
	}
	if checkBlocksUpTo(v.Blocks, maxViewBlocks) != "" {
		return invalid("invalid blocks [json-pointer:/view/blocks]")
	}
	return response{"ok": true, "view": map[string]any{"id": "V" + user, "team_id": "T0FAKE", "type": "home",
		"blocks": v.Blocks, "callback_id": v.CallbackID, "app_id": "A0FAKE", "bot_id": "B0BOT"}}
}
