/* The home page's "compare two levels" view. It reads the levels from the ladder table, so the
   data lives in one place, and shows the two as one table, dimension by dimension, with the
   words that differ marked. The choice lives in the URL (#compare=junior,staff) so it can be
   shared; a level is never compared with itself. Without JS the form stays hidden. */
(function () {
  var form = document.getElementById("compare"), out = document.getElementById("compare-out");
  var status = document.getElementById("compare-status");
  if (!form || !out || !status) return;
  var a = form.elements.a, b = form.elements.b;
  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
  function row(id) { return document.getElementById("level-" + id); }
  function name(id) { return row(id).cells[0].textContent.replace(/\s*#$/, "").trim(); }
  function words(text) { return text.toLowerCase().split(/\s+/); }
  // The cell's text with each run of words the other cell lacks in one <mark>.
  function marked(text, other) {
    var td = el("td"), theirs = words(other), run = null;
    text.split(/(\s+)/).forEach(function (w) {
      var word = /\S/.test(w), fresh = word && theirs.indexOf(w.toLowerCase()) < 0;
      if (fresh) { if (!run) td.append(run = el("mark")); run.append(w); }
      else if (!word && run) run.append(w);
      else { run = null; td.append(w); }
    });
    // A run's trailing space belongs outside the mark.
    td.querySelectorAll("mark").forEach(function (m) {
      var t = m.textContent, trimmed = t.replace(/\s+$/, "");
      if (t !== trimmed) { m.textContent = trimmed; m.after(t.slice(trimmed.length)); }
    });
    return td;
  }
  function show(fromUrl) {
    // The second select never offers the first's level.
    Array.prototype.forEach.call(b.options, function (o) { o.disabled = o.value === a.value; });
    if (b.value === a.value) b.selectedIndex = (a.selectedIndex + 1) % b.options.length;
    var ra = row(a.value), rb = row(b.value);
    if (!ra || !rb) return;
    var table = el("table"), head = el("tr"), body = el("tbody");
    table.className = "reflow compare-table";
    table.append(el("caption", name(a.value) + " and " + name(b.value) + ": what differs is marked"));
    head.append(el("th", "Dimension"), el("th", name(a.value)), el("th", name(b.value)));
    head.querySelectorAll("th").forEach(function (th) { th.scope = "col"; });
    Array.prototype.forEach.call(ra.querySelectorAll("td"), function (td, i) {
      var other = rb.querySelectorAll("td")[i], tr = el("tr"), th = el("th", td.dataset.label);
      var x = marked(td.textContent, other.textContent), y = marked(other.textContent, td.textContent);
      th.scope = "row";
      x.dataset.label = name(a.value);
      y.dataset.label = name(b.value);
      tr.append(th, x, y);
      body.append(tr);
    });
    var thead = el("thead");
    thead.append(head);
    table.append(thead, body);
    out.replaceChildren(table);
    status.textContent = "Comparing " + name(a.value) + " with " + name(b.value) + ".";
    if (!fromUrl) history.replaceState(null, "", "#compare=" + a.value + "," + b.value);
  }
  function fromHash() {
    var m = /^#compare=([a-z0-9-]+),([a-z0-9-]+)$/.exec(location.hash);
    if (!m || !row(m[1]) || !row(m[2]) || m[1] === m[2]) return false;
    a.value = m[1];
    b.value = m[2];
    return true;
  }
  form.addEventListener("change", function () { show(false); });
  addEventListener("hashchange", function () { if (fromHash()) show(true); });
  form.hidden = false;
  var shared = fromHash();
  show(true);
  if (shared) form.scrollIntoView({ behavior: "instant" });
})();
