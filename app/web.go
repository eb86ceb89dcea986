package app

import (
	"net/http"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/httpapi"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/web"
	"github.com/outagebot/outagebot/web/auth"
)

// initWeb builds the status view when [web] is enabled; the pages, the
// API and the badges share it (mounted by webRoutes).
func (a *App) initWeb(cfg *config.Config) {
	if !cfg.Web.Enabled {
		return
	}
	a.view = &statusview.Builder{Title: cfg.Web.Title, Shown: shownTargets(cfg), Live: a.runner, History: a.store, Now: a.opts.Now}
}

// shownTargets are the targets [web] shows, in configuration order.
func shownTargets(cfg *config.Config) []statusview.Shown {
	var out []statusview.Shown
	for _, t := range cfg.Targets {
		if cfg.Web.Shows(t) {
			out = append(out, statusview.Shown{Name: t.Name, Group: t.Group, Type: t.Type})
		}
	}
	return out
}

// webRoutes mounts the pages, the API and the badges on the private
// listener (never on [bot] public_listen), when [web] is enabled.
func (a *App) webRoutes() []httpapi.Option {
	if a.view == nil {
		return nil
	}
	w := a.cfg.Web
	deps := web.Deps{
		View:         a.view,
		Store:        a.store,
		Guard:        auth.New(w.BasicAuthUsers, w.Token),
		PublicBadges: w.PublicBadges,
		Restricted:   len(w.Targets) > 0 || len(w.Groups) > 0,
		Locale:       w.Locale,
		Refresh:      a.opts.PageRefresh,
		OutageURL:    w.OutageURL,
		Now:          a.opts.Now,
		Log:          a.log.With("component", "web"),
	}
	return []httpapi.Option{httpapi.WithRoutes(func(mux *http.ServeMux) {
		if err := web.Mount(mux, deps); err != nil {
			a.log.Error("the status pages are off", "err", err)
		}
	})}
}

// reconfigureWeb shows the targets of a reloaded configuration ([web]'s
// own keys take effect on a restart).
func (a *App) reconfigureWeb(cfg *config.Config) {
	if a.view != nil {
		a.view.SetShown(shownTargets(cfg))
	}
}
