package app

import (
	"net/http"

	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/web/page"
)

// pageRoutes are the status page, outage pages and history page, served on
// the private listener from the status picture (statusview.Builder: the
// engine's memory and the store's daily rollup).
func (a *App) pageRoutes() map[string]http.Handler {
	b := &statusview.Builder{Title: "outagebot", Live: a.runner, History: a.store, Now: a.now}
	for _, t := range a.cfg.Targets {
		b.Shown = append(b.Shown, statusview.Shown{Name: t.Name, Group: t.Group, Type: t.Type})
	}
	h, err := page.New(page.Options{
		Views:   b,
		Store:   a.store,
		Refresh: a.opts.PageRefresh,
		Now:     a.now,
		Log:     a.log.With("component", "web"),
	})
	if err != nil {
		a.log.Error("the status page is off", "err", err)
		return nil
	}
	return h.Routes()
}
