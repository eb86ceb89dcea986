package fetch

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

func TestCheckRedirectFor(t *testing.T) {
	const from = "https://status.example.com/api/v2/summary.json"
	tests := []struct {
		policy  Redirects
		to      string
		refused string // the RedirectError's Differs; "" when followed
		stop    error  // another error CheckRedirect returns
		private bool   // the private header is still sent
	}{
		{policy: "", to: "https://status.example.com/other", private: true},
		{policy: SameHost, to: "https://STATUS.example.com:443/other", private: true},
		{policy: SameHost, to: "https://status.example.com./other", private: true},
		{policy: SameHost, to: "https://evil.example/x", refused: "another host"},
		{policy: SameHost, to: "https://status.example.com:8443/x", refused: "another port"},
		{policy: SameHost, to: "http://status.example.com/x", refused: "another scheme"},
		{policy: "bogus", to: "https://evil.example/x", refused: "another host"},
		{policy: AnyHost, to: "https://evil.example/x"},
		{policy: AnyHost, to: "https://status.example.com/x", private: true},
		{policy: NoRedirects, to: "https://status.example.com/x", stop: http.ErrUseLastResponse, private: true},
	}
	for _, tt := range tests {
		first, _ := http.NewRequest("GET", from, nil)
		next, _ := http.NewRequest("GET", tt.to, nil)
		next.Header.Set("X-Api-Key", "k")
		err := CheckRedirectFor(tt.policy, []string{"x-api-key"})(next, []*http.Request{first})
		var re *RedirectError
		switch {
		case tt.refused != "":
			if !errors.As(err, &re) || re.Differs != tt.refused || !errors.Is(err, ErrRedirectRefused) {
				t.Errorf("%q to %s: %v, want refused as %s", tt.policy, tt.to, err, tt.refused)
			}
			continue
		case err != tt.stop:
			t.Errorf("%q to %s: %v, want %v", tt.policy, tt.to, err, tt.stop)
		}
		if got := next.Header.Get("X-Api-Key") != ""; got != tt.private {
			t.Errorf("%q to %s: private header sent = %v, want %v", tt.policy, tt.to, got, tt.private)
		}
	}
}

func TestTooManyRedirects(t *testing.T) {
	first, _ := http.NewRequest("GET", "https://a.example/", nil)
	via := make([]*http.Request, MaxRedirects+1)
	for i := range via {
		via[i] = first
	}
	next := &http.Request{URL: &url.URL{Scheme: "https", Host: "a.example", Path: "/"}, Header: http.Header{}}
	if err := CheckRedirectFor(AnyHost, nil)(next, via); err != ErrTooManyRedirects {
		t.Errorf("after %d redirects: %v", len(via), err)
	}
}
