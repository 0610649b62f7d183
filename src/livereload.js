// sre-guide serve: live reload and the build-error overlay (added by `serve` only, never by
// `build`). Events come from `events` beside this script, so proxies and subpaths just work.
(function () {
  "use strict";
  var me = document.currentScript, overlay = null;
  var key = "sre-guide:scroll:" + location.pathname, saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { scrollTo(0, Number(saved)); };
    restore();
    addEventListener("load", restore);
  }
  var url = new URL("events", me.src);
  url.searchParams.set("build", me.getAttribute("data-build") || "");
  var source = new EventSource(url);

  source.addEventListener("reload", function () {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
  });
  source.addEventListener("css", function (e) {
    JSON.parse(e.data).changes.forEach(function (c) {
      document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
        var href = new URL(link.href), path = href.pathname;
        if (path.slice(-c.from.length - 1) !== "/" + c.from) return;
        link.href = new URL(c.to, href.origin + path.slice(0, -c.from.length)).href;
      });
    });
  });
  // EventSource fires a data-less "error" when the connection drops; ours carries diagnostics.
  source.addEventListener("error", function (e) {
    if (typeof e.data === "string") show(JSON.parse(e.data).diagnostics);
  });

  function el(parent, tag, text) {
    var node = parent.appendChild(document.createElement(tag));
    node.textContent = text; // never innerHTML: messages quote the editor's text
    return node;
  }

  function show(list) {
    if (overlay) overlay.remove();
    overlay = document.createElement("sre-guide-overlay");
    var root = overlay.attachShadow({ mode: "open" });
    el(root, "style", STYLE);
    var box = el(root, "div", "");
    box.setAttribute("role", "alert");
    el(box, "button", "×").addEventListener("click", function () { overlay.remove(); });
    el(box, "h2", "The build failed: " + list.length + " problem" + (list.length === 1 ? "" : "s"));
    el(box, "p", "Still showing the last good build. Save a fix and this page reloads.");
    list.forEach(function (d) {
      var item = el(box, "section", "");
      el(item, "b", d.path + (d.line ? ":" + d.line + ":" + d.column : ""));
      el(item, "p", "error: " + d.message);
      if (d.line) {
        var gutter = d.line + " | ";
        el(item, "pre", gutter + d.source_line + "\n" + " ".repeat(gutter.length + d.column - 1) + "^");
      }
      if (d.help) el(item, "p", "help: " + d.help).className = "help";
    });
    document.documentElement.appendChild(overlay);
  }

  var STYLE =
    ":host{all:initial;position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
    "background:#0008;font:15px/1.5 system-ui,sans-serif}" +
    "div{position:relative;max-width:52rem;margin:3rem auto;padding:1rem 1.5rem;background:#fff;" +
    "color:#1a1a1a;border-top:6px solid #c62828;border-radius:6px}h2{margin:0;color:#b71c1c}" +
    "section{border-top:1px solid #ddd;margin-top:.75rem;padding-top:.5rem}b,pre{font:13px ui-monospace,monospace}" +
    "section p{margin:.25rem 0;font-weight:600}.help{color:#1b5e20;font-weight:400}" +
    "pre{padding:.5rem;background:#f3f3f3;overflow:auto}" +
    "button{position:absolute;top:.5rem;right:.75rem;border:0;background:none;font-size:1.5rem}";
})();
