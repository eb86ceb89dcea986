// Refreshes the page's content in place every data-refresh milliseconds:
// it fetches the same page's <main> part (the server answers 304 when
// nothing changed) and swaps it in. Without this script the page is whole
// and current as loaded.
(function () {
  "use strict";
  var body = document.body;
  var every = parseInt(body.getAttribute("data-refresh"), 10);
  var main = document.getElementById("main");
  if (!every || every <= 0 || !main || !window.fetch) {
    return;
  }
  var last = main.innerHTML;
  function url() {
    var u = new URL(window.location.href);
    u.searchParams.set("part", "main");
    return u.toString();
  }
  function tick() {
    // Never pull content from under a reader who is using it.
    if (document.hidden || main.contains(document.activeElement) && document.activeElement !== main) {
      return schedule();
    }
    fetch(url(), { cache: "no-cache", credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) {
          throw new Error("status " + res.status);
        }
        return res.text();
      })
      .then(function (html) {
        if (html !== last) {
          last = html;
          main.innerHTML = html;
          body.setAttribute("data-refreshed", String(Date.now()));
        }
        body.removeAttribute("data-stale");
      })
      .catch(function () {
        // Offline or the bot restarting: keep what is shown, mark it.
        body.setAttribute("data-stale", "true");
      })
      .then(schedule);
  }
  function schedule() {
    window.setTimeout(tick, every);
  }
  schedule();
})();
