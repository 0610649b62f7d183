// sre-guide serve: live reload, the build-error overlay and the warnings panel (added by `serve`
// only, never by `build`). Events come over a WebSocket to `events` beside this script, so
// proxies and subpaths just work.
(function () {
  "use strict";
  var me = document.currentScript, overlay = null, panel = null;
  var key = "sre-guide:scroll:" + location.pathname, saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { scrollTo(0, Number(saved)); };
    restore();
    addEventListener("load", restore);
  }
  // One WebSocket per page, closed while the page sits in the back/forward cache: it does not
  // count against the browser's six HTTP connections per host, so tabs never starve each other.
  var build = me.getAttribute("data-build") || "", socket = null, retries = 0, away = false;
  var on = {
    reload: function () {
      sessionStorage.setItem(key, String(scrollY));
      location.reload();
    },
    css: function (m) {
      build = String(m.build);
      m.changes.forEach(function (c) {
        document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
          var href = new URL(link.href), path = href.pathname;
          if (path.slice(-c.from.length - 1) !== "/" + c.from) return;
          link.href = new URL(c.to, href.origin + path.slice(0, -c.from.length)).href;
        });
      });
    },
    // This page is as it was; other files changed. Reload only if it loaded one of them.
    changed: function (m) {
      var root = new URL("..", me.src), loaded = {};
      performance.getEntriesByType("resource").forEach(function (r) {
        loaded[r.name.split("#")[0].split("?")[0]] = true;
      });
      if (m.files.some(function (f) { return loaded[new URL(f, root).href]; })) on.reload();
      else build = String(m.build);
    },
    error: function (m) {
      show(m.diagnostics, "The build failed: " + count(m.diagnostics.length, "problem"),
        "Still showing the last good build. Save a fix and this page reloads.",
        "Close the build errors");
    },
    // A save waits on a build process that does not answer; the next verdict replaces this.
    waiting: function (m) {
      show(m.diagnostics, "Waiting for the build process…", "Still showing the last good build.",
        "Close this notice");
    },
    warnings: function (m) { warn(m.diagnostics); }
  };

  function connect() {
    var url = new URL("events", me.src);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("build", build);
    // The page's route below the site root, which a rebuild renders first.
    var root = new URL("..", me.src).pathname;
    if (location.pathname.indexOf(root) === 0) {
      url.searchParams.set("page", decodeURI(location.pathname.slice(root.length)));
    }
    socket = new WebSocket(url);
    socket.onopen = function () { retries = 0; };
    socket.onmessage = function (e) {
      var message = JSON.parse(e.data);
      if (on[message.event]) on[message.event](message);
    };
    // The server restarted or the network blinked: try again, more slowly each time.
    socket.onclose = function () {
      socket = null;
      if (!away) setTimeout(connect, Math.min(250 * ++retries, 3000));
    };
  }
  addEventListener("pagehide", function () {
    away = true;
    if (socket) socket.close();
  });
  addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    away = false; // back from the cache: catch up (a reload if the site changed meanwhile)
    if (!socket) connect();
  });
  connect();

  function el(parent, tag, text) {
    var node = parent.appendChild(document.createElement(tag));
    node.textContent = text; // never innerHTML: messages quote the editor's text
    return node;
  }

  // A box in a shadow root above the page (element `tag`, styled by `style`, with `role`), and a
  // close button labelled `label`; filled by the caller, then shown with `document.documentElement
  // .appendChild(host)`.
  function surface(tag, style, role, label) {
    var host = document.createElement(tag);
    var root = host.attachShadow({ mode: "open" });
    el(root, "style", style);
    var box = el(root, "div", "");
    box.setAttribute("role", role);
    var close = el(box, "button", "×");
    close.type = "button";
    close.setAttribute("aria-label", label);
    close.addEventListener("click", function () { host.remove(); });
    return { host: host, box: box };
  }

  function count(n, what) { return n + " " + what + (n === 1 ? "" : "s"); }

  // Each problem as the terminal prints it: file:line:col, message, source line, the marker under
  // the whole span, help.
  function show(list, heading, note, label) {
    if (overlay) overlay.remove();
    if (panel) panel.remove(); // the failure lists the warnings too
    var shown = surface("sre-guide-overlay", STYLE, "alert", label);
    el(shown.box, "h2", heading);
    el(shown.box, "p", note);
    list.forEach(function (d) { el(shown.box, "pre", d.text); });
    overlay = document.documentElement.appendChild(shown.host);
  }

  // Warnings do not stop a build: a panel in a corner, closed by default, never over the page.
  function warn(list) {
    if (panel) panel.remove();
    panel = null;
    if (!list.length) return;
    var shown = surface("sre-guide-warnings", PANEL_STYLE, "status", "Close the build warnings");
    var details = el(shown.box, "details", "");
    el(details, "summary", count(list.length, "warning") + " from the build");
    list.forEach(function (d) { el(details, "pre", d.text); });
    panel = document.documentElement.appendChild(shown.host);
  }

  var PANEL_STYLE =
    ":host{all:initial;position:fixed;right:1rem;bottom:1rem;z-index:2147483646;" +
    "max-width:min(52rem,calc(100vw - 2rem));font:15px/1.5 system-ui,sans-serif}" +
    "div{position:relative;max-height:70vh;overflow:auto;padding:.5rem 2.5rem .5rem 1rem;" +
    "background:#fff;color:#1a1a1a;border-left:6px solid #8a5300;border-radius:6px;" +
    "box-shadow:0 2px 8px #0005}summary{cursor:pointer;color:#6b4100;font-weight:600}" +
    "pre{font:13px/1.4 ui-monospace,monospace;padding:.5rem;background:#f3f3f3;overflow:auto;" +
    "white-space:pre}button{position:absolute;top:.25rem;right:.5rem;border:0;" +
    "background:none;font-size:1.25rem;color:#1a1a1a}";

  var STYLE =
    ":host{all:initial;position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
    "background:#0008;font:15px/1.5 system-ui,sans-serif}" +
    "div{position:relative;max-width:52rem;margin:3rem auto;padding:1rem 1.5rem;background:#fff;" +
    "color:#1a1a1a;border-top:6px solid #c62828;border-radius:6px}h2{margin:0;color:#b71c1c}" +
    "pre{font:13px/1.4 ui-monospace,monospace;padding:.5rem;background:#f3f3f3;overflow:auto;" +
    "white-space:pre;border-left:3px solid #c62828}" +
    "button{position:absolute;top:.5rem;right:.75rem;border:0;background:none;font-size:1.5rem}";
})();
