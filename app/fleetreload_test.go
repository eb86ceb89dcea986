package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/pgtest"
)

// A reload re-plans the fleet's probes: a probe added to the file is
// polled from the replica's location and judged by the leader (its outage
// announced), and a removed one is no longer polled, without a restart.
func TestReloadReplansTheFleet(t *testing.T) {
	state := pgtest.URL(t, "the fleet reload test")
	var mu sync.Mutex
	failing := map[string]bool{}
	polled := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bad := failing[strings.Trim(r.URL.Path, "/")]
		mu.Unlock()
		if bad {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	write := func(path string, targets ...string) {
		t.Helper()
		text := fmt.Sprintf("[bot]\nstate = %q\nlisten = \"127.0.0.1:0\"\nlocation = \"eu-west\"\n", state)
		for _, name := range targets {
			text += fmt.Sprintf("[[target]]\nname = %q\ntype = \"http\"\nurl = \"%s/%s\"\ninterval = \"1s\"\ntimeout = \"1s\"\nfailure_threshold = 1\nsuccess_threshold = 1\n",
				name, srv.URL, name)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	polls := func(target string) int { mu.Lock(); defer mu.Unlock(); return polled[target] }
	path := filepath.Join(t.TempDir(), "outagebot.toml")
	write(path, "api")
	out := &syncBuffer{}
	a, _ := runFile(t, path, nil, app.Options{Stdout: out, Polled: func(target string, _ time.Time) {
		mu.Lock()
		polled[target]++
		mu.Unlock()
	}})
	waitFor(t, "the bot to lead", func() bool { return a.Role() == app.RoleLeader })
	waitFor(t, "the fleet to poll api", func() bool { return polls("api") > 0 })

	write(path, "web")
	res, err := a.Reload(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Targets.Added, []string{"web"}) || !slices.Equal(res.Targets.Removed, []string{"api"}) {
		t.Fatalf("reload: %+v", res)
	}
	waitFor(t, "the fleet to poll web", func() bool { return polls("web") > 0 })
	// The worker that polled api has stopped once its successor polls:
	// api is polled no more.
	apiPolls := polls("api")
	mu.Lock()
	failing["web"] = true
	mu.Unlock()
	waitFor(t, "web's outage announced", func() bool { return count(out.Lines(), "OPENED") == 1 })
	if !strings.Contains(strings.Join(out.Lines(), "\n"), "web") {
		t.Errorf("the outage is not web's:\n%s", out)
	}
	// Three more polls of web: three of api's intervals have passed too,
	// so a worker still polling api would have shown.
	webPolls := polls("web")
	waitFor(t, "three more polls of web", func() bool { return polls("web") >= webPolls+3 })
	if got := polls("api"); got != apiPolls {
		t.Errorf("api polled %d more times after the reload removed it", got-apiPolls)
	}
}
