/* Render-blocking in <head>: applies the stored theme before first paint and marks <html> "js";
   then wires the theme toggle and the ladder compare form. Without JS neither control appears. */
(function () {
  var d = document.documentElement, KEY = "sre-guide:v1:theme", stored = null;
  d.classList.add("js");
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage blocked: follow the system */ }
  if (stored === "dark" || stored === "light") d.setAttribute("data-theme", stored);

  function current() {
    return d.getAttribute("data-theme") || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var b = document.getElementById("theme-toggle");
    if (b) {
      var sync = function () { b.setAttribute("aria-pressed", String(current() === "dark")); };
      sync();
      b.hidden = false;
      b.addEventListener("click", function () {
        var next = current() === "dark" ? "light" : "dark";
        d.setAttribute("data-theme", next);
        try { localStorage.setItem(KEY, next); } catch (e) { /* session only */ }
        sync();
      });
    }

    // Ladder compare: reads the levels from the table, so the data lives in one place.
    var form = document.getElementById("compare"), out = document.getElementById("compare-out");
    if (!form || !out) return;
    function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
    function card(id) {
      var row = document.getElementById("level-" + id), c = el("div"), dl = el("dl");
      if (!row) return c;
      c.className = "card";
      row.querySelectorAll("td").forEach(function (td) {
        var dd = el("dd");
        dd.innerHTML = td.innerHTML;
        dl.append(el("dt", td.getAttribute("data-label")), dd);
      });
      c.append(el("h3", row.getAttribute("data-name")), dl);
      return c;
    }
    function show() { out.replaceChildren(card(form.a.value), card(form.b.value)); }
    form.addEventListener("change", show);
    form.hidden = false;
    show();
  });
})();
