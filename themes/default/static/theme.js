/* Render-blocking in <head>, so the stored theme applies before first paint; also marks <html>
   "js" for styles that only make sense with scripts. The header's select offers the system's
   scheme (the default: nothing stored), light or dark. Without JS it stays hidden. */
(function () {
  var d = document.documentElement, KEY = "sre-guide:v1:theme";
  d.classList.add("js");
  function stored() {
    try { var v = localStorage.getItem(KEY); return v === "dark" || v === "light" ? v : ""; }
    catch (e) { return ""; /* storage blocked: follow the system */ }
  }
  function apply(theme) { if (theme) d.dataset.theme = theme; else delete d.dataset.theme; }
  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("theme-choice");
    // Without light-dark() the stylesheet has only the light palette (see style.css).
    if (!select || !(window.CSS && CSS.supports("color", "light-dark(#000,#fff)"))) return;
    select.value = d.dataset.theme || "";
    select.parentNode.hidden = false;
    select.onchange = function () {
      apply(select.value);
      try {
        if (select.value) localStorage.setItem(KEY, select.value); else localStorage.removeItem(KEY);
      } catch (e) { /* this visit only */ }
    };
    // A choice made in another tab applies here too.
    addEventListener("storage", function (e) {
      if (e.key === KEY || e.key === null) apply(select.value = stored());
    });
  });
})();
