/* Render-blocking in <head>, so the stored theme applies before first paint; also marks <html>
   "js" for styles that only make sense with scripts. Without JS the toggle stays hidden. */
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
    // Without light-dark() the stylesheet has only the light palette (see style.css).
    if (!b || !(window.CSS && CSS.supports("color", "light-dark(#000, #fff)"))) return;
    var sync = function () { b.setAttribute("aria-pressed", String(current() === "dark")); };
    sync();
    b.hidden = false;
    b.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      d.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* session only */ }
      sync();
    });
  });
})();
