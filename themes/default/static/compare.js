/* The home page's "compare two levels" form. It reads the levels from the ladder table, so the
   data lives in one place; without JS the form stays hidden and the full table remains. */
(function () {
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
    c.append(el("h3", row.cells[0].firstChild.textContent.trim()), dl);
    return c;
  }
  function show() { out.replaceChildren(card(form.a.value), card(form.b.value)); }
  form.addEventListener("change", show);
  form.hidden = false;
  show();
})();
