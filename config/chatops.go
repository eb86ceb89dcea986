package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Slack ids of users (U..., W... in Enterprise Grid) and user groups (S...).
var (
	slackUserID  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackGroupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
)

// checkChatOps checks who may manage the bot from chat and whom new
// outages mention, and notes a chat that anyone may manage.
func checkChatOps(cfg *Config, ix *docIndex, c *collector) {
	p := func(parts ...string) []string { return parts }
	if s := cfg.Slack; s != nil {
		for _, id := range s.Admins {
			if !slackUserID.MatchString(id) && !slackGroupID.MatchString(id) {
				c.add(p("slack", "admins"), fmt.Sprintf("%q is not a Slack user id (U0123ABCD) or user group id (S0123ABCD): copy it from the profile's ⋮ menu, Copy member ID, or the group's page", id))
			}
		}
		if len(s.Admins) == 0 {
			cfg.Warnings = append(cfg.Warnings, warning(cfg, ix, p("slack"), "[slack]",
				"no admins: anyone in a channel can mute, unmute and acknowledge; set admins = [\"U...\", \"S...\"] to limit that"))
		}
	}
	if d := cfg.Discord; d != nil {
		for _, id := range d.AdminRoles {
			if !isSnowflake(id) {
				c.add(p("discord", "admin_roles"), fmt.Sprintf("%q is not a Discord role id: enable Developer Mode, then Server Settings > Roles, right-click the role, Copy Role ID", id))
			}
		}
		if len(d.AdminRoles) == 0 {
			cfg.Warnings = append(cfg.Warnings, warning(cfg, ix, p("discord"), "[discord]",
				"no admin_roles: anyone in a channel can mute, unmute and acknowledge; set admin_roles = [\"<role id>\"] to limit that"))
		}
	}
	for i, ch := range cfg.Channels {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return p("channel", n, key) }
		if _, ok := severityRank[ch.MentionMinSeverity]; !ok {
			c.add(at("mention_min_severity"), "must be degraded, partial_outage or major_outage")
		}
		if ch.Mention == "" {
			continue
		}
		if msg := checkMention(ch); msg != "" {
			c.add(at("mention"), msg)
		}
	}
}

// checkMention says what is wrong with a channel's mention for the
// platforms it posts to ("" when nothing is).
func checkMention(ch Channel) string {
	m := ch.Mention
	if ch.Slack == "" && ch.Discord == "" {
		return "needs slack or discord on the channel: a webhook cannot mention"
	}
	if ch.Slack != "" && ch.Discord != "" && m != "@here" {
		return fmt.Sprintf("%q cannot mention on both Slack and Discord: this channel posts to both, where only @here works; split it into two channels to mention a group or role", m)
	}
	if ch.Slack != "" && m != "@here" && m != "@channel" && !slackGroupID.MatchString(m) {
		return fmt.Sprintf("%q is not a Slack mention: give a user group id like S0123ABCD, @here or @channel", m)
	}
	if ch.Discord != "" && m != "@here" && !isSnowflake(m) {
		if strings.HasPrefix(m, "<@&") {
			return fmt.Sprintf("%q: give the role id alone, without <@& and >", m)
		}
		return fmt.Sprintf("%q is not a Discord mention: give a role id (Copy Role ID) or @here", m)
	}
	return ""
}

// warning formats a warning about the key at path like a problem:
// "FILE:LINE: key: warning: msg".
func warning(cfg *Config, ix *docIndex, path []string, key, msg string) string {
	line := ix.line(path)
	if line < 1 {
		line = 1
	}
	return fmt.Sprintf("%s:%d: %s: warning: %s", cfg.Path, line, key, msg)
}
