package app

import (
	"fmt"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
)

// chatNotifier builds the notifier for one chat destination with its
// platform's rate limit.
func chatNotifier(cfg *config.Config, d notifier.Destination) (notifier.Notifier, rate.Limit, int, error) {
	return nil, 0, 0, fmt.Errorf("%s delivery is not available in this build", d.Platform)
}
