package slack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		scopes     []string
		wantErr    string
		credential bool
		want       notifier.Account
	}{
		{name: "good token", token: testToken,
			want: notifier.Account{Workspace: "Fake (T0FAKE)", User: "outagebot (U0BOT)", UserID: "U0BOT", UserName: "outagebot"}},
		{name: "scopes told", token: testToken, scopes: []string{"chat:write", "channels:read"},
			want: notifier.Account{Workspace: "Fake (T0FAKE)", User: "outagebot (U0BOT)", UserID: "U0BOT", UserName: "outagebot", Scopes: []string{"chat:write", "channels:read"}}},
		{name: "without chat:write", token: testToken, scopes: []string{"channels:read"},
			want: notifier.Account{Workspace: "Fake (T0FAKE)", User: "outagebot (U0BOT)", UserID: "U0BOT", UserName: "outagebot", Scopes: []string{"channels:read"},
				Notes: []string{"the token lacks the chat:write scope, so nothing can be posted: " + fixScopes}}},
		{name: "bad token", token: "xoxb-wrong-SeCrEt", wantErr: "slack auth.test: invalid_auth (fix: " + fixToken + ")", credential: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			if tt.scopes != nil {
				e.fs.SetScopes(tt.scopes...)
			}
			n := New(Options{Token: tt.token, APIURL: e.fs.URL(), HTTPClient: e.fs.Client()})
			got, err := n.Identify(t.Context())
			assertNoSecret(t, err, tt.token)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || notifier.IsCredential(err) != tt.credential {
					t.Fatalf("err = %v (credential %v), want %q (credential %v)", err, notifier.IsCredential(err), tt.wantErr, tt.credential)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("account\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

// While Slack answers 5xx or cannot be reached the error is retryable, not
// a credential problem.
func TestIdentifyServerDown(t *testing.T) {
	e := newEnv(t, Options{})
	e.fs.FailNext("auth.test", 1)
	_, err := e.n.Identify(t.Context())
	if err == nil || notifier.IsPermanent(err) || notifier.IsCredential(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	e.fs.Close()
	_, err = e.n.Identify(t.Context())
	if err == nil || notifier.IsPermanent(err) || notifier.IsCredential(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
}

func TestCheckChannel(t *testing.T) {
	acct := notifier.Account{UserName: "outagebot"}
	withPublic := notifier.Account{UserName: "outagebot", Scopes: []string{"chat:write", "chat:write.public", "channels:read", "groups:read"}}
	tests := []struct {
		name    string
		setup   func(*fakeslack.Server)
		acct    notifier.Account
		channel string
		want    notifier.ChannelCheck
	}{
		{"member", func(fs *fakeslack.Server) { fs.SetChannelInfo("C1", fakeslack.ChannelInfo{Name: "ops"}) }, acct, "C1",
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"not a member of a public channel", func(fs *fakeslack.Server) {
			fs.SetChannelInfo("C9", fakeslack.ChannelInfo{Name: "alerts"})
			fs.SetChannelError("C9", "not_in_channel")
		}, acct, "C9", notifier.ChannelCheck{Name: "#alerts", State: notifier.ChannelUnreachable,
			Detail: "the bot is not a member of #alerts: invite the bot in the channel with /invite @outagebot, or add the chat:write.public scope to the Slack app and reinstall it"}},
		{"not a member, but chat:write.public", func(fs *fakeslack.Server) {
			fs.SetScopes(withPublic.Scopes...)
			fs.SetChannelInfo("C9", fakeslack.ChannelInfo{Name: "alerts"})
			fs.SetChannelError("C9", "not_in_channel")
		}, withPublic, "C9", notifier.ChannelCheck{Name: "#alerts", State: notifier.ChannelReachable,
			Detail: "the bot is not a member of #alerts but may post there with the chat:write.public scope"}},
		{"private channel without the bot", func(fs *fakeslack.Server) {
			fs.SetChannelInfo("G1", fakeslack.ChannelInfo{Name: "secret", Private: true})
			fs.SetChannelError("G1", "not_in_channel")
		}, acct, "G1", notifier.ChannelCheck{State: notifier.ChannelUnreachable,
			Detail: "Slack shows the bot no channel G1: check the id (the channel's details show it at the bottom); a private channel is only visible once the bot is invited: invite the bot in the channel with /invite @outagebot"}},
		{"archived", func(fs *fakeslack.Server) {
			fs.SetChannelInfo("C1", fakeslack.ChannelInfo{Name: "old"})
			fs.SetChannelError("C1", "is_archived")
		}, acct, "C1", notifier.ChannelCheck{Name: "#old", State: notifier.ChannelUnreachable,
			Detail: "#old is archived: unarchive it or point the channel at another one"}},
		{"no read scope", func(fs *fakeslack.Server) { fs.SetScopes("chat:write") }, acct, "C1",
			notifier.ChannelCheck{State: notifier.ChannelUnchecked,
				Detail: "cannot look the channel up without the channels:read scope (groups:read for a private channel); posting does not need it, so add it only to have the channel checked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			tt.setup(e.fs)
			got, err := e.n.CheckChannel(t.Context(), tt.channel, tt.acct)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("check\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCheckChannelErrors(t *testing.T) {
	e := newEnv(t, Options{})
	e.fs.FailNext("conversations.info", 1)
	if _, err := e.n.CheckChannel(t.Context(), "C1", notifier.Account{}); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("5xx: err = %v, want retryable", err)
	}
	bad := New(Options{Token: "xoxb-revoked-SeCrEt", APIURL: e.fs.URL(), HTTPClient: e.fs.Client()})
	_, err := bad.CheckChannel(t.Context(), "C1", notifier.Account{})
	if !notifier.IsCredential(err) {
		t.Fatalf("bad token: err = %v, want a credential error", err)
	}
	assertNoSecret(t, err, "xoxb-revoked-SeCrEt")
}

// Whatever the server echoes, the token stays out of the checks' errors.
func TestChecksNeverShowTheToken(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		secret := r.Header.Get("Authorization") + " " + r.Form.Get("token")
		switch {
		case strings.HasSuffix(r.URL.Path, "auth.test"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": secret})
		default:
			http.Error(w, "internal error for "+secret, http.StatusInternalServerError)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	n := New(Options{Token: testToken, APIURL: srv.URL + "/api/", HTTPClient: srv.Client()})
	_, err := n.Identify(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	assertNoSecret(t, err, testToken)
	_, err = n.CheckChannel(t.Context(), "C1", notifier.Account{})
	if err == nil {
		t.Fatal("no error")
	}
	assertNoSecret(t, err, testToken)
}
