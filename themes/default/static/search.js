/* On every page: the Search link's first use (click or "/") loads search-ui.js, its CSS and index. */
(function () {
  var link = document.querySelector("[data-search-index]"), loading = false;
  if (!link) return;
  function load(e) {
    e.preventDefault();
    if (loading) return;
    loading = true;
    var css = document.createElement("link"), ui = document.createElement("script");
    css.rel = "stylesheet";
    css.href = link.getAttribute("data-search-css");
    ui.src = link.getAttribute("data-search-ui");
    ui.onerror = function () { location.href = link.href; };
    document.head.append(css, ui);
  }
  link.addEventListener("click", load);
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "/" && !loading && !e.ctrlKey && !e.metaKey && !e.altKey &&
        !(t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) load(e);
  });
})();
