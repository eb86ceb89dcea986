package slack

import (
	"context"

	"github.com/slack-go/slack"
)

// maxChannelPages bounds one user's channel listing: 50 pages of 200 is
// more channels than a person follows.
const maxChannelPages = 50

// UserChannels lists the public and private channels user is in, as far as
// the bot can see them (users.conversations: channels:read, and
// groups:read for private channels the bot shares). The Home tab shows a
// user the targets their own channels follow.
func (n *Notifier) UserChannels(ctx context.Context, user string) ([]string, error) {
	var out []string
	cursor := ""
	for range maxChannelPages {
		chans, next, err := n.api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
			UserID: user, Cursor: cursor, Types: []string{"public_channel", "private_channel"}, Limit: 200, ExcludeArchived: true,
		})
		if err != nil {
			return nil, classify(n.secrets, "users.conversations", err)
		}
		for _, c := range chans {
			out = append(out, c.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}
