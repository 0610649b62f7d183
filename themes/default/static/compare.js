/* The home page's "compare two levels" view: two levels side by side over their phase's
   dimensions (scope, decisions, stakeholders, failure mode; from #compare-rows, written from
   the ladder data) rather than the ladder table's rows above it. Only real differences are
   marked: the phrases one cell has and the other lacks, when the two say much the same; a row
   whose cells share almost nothing is flagged as different as a whole. The choice lives in the
   URL (#compare=junior,staff) so it can be shared; a level is never compared with itself.
   Without JS the form stays hidden. */
(function () {
  var form = document.getElementById("compare"), out = document.getElementById("compare-out");
  var status = document.getElementById("compare-status"), rows = document.getElementById("compare-rows");
  if (!form || !out || !status || !rows) return;
  var a = form.elements.a, b = form.elements.b;
  var SMALL = /^(a|an|and|as|at|by|for|from|in|into|its?|not|of|on|or|the|their|to|with|your?)$/;
  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
  function name(id) { return form.querySelector("option[value=\"" + id + "\"]").textContent; }
  // A level's rows: dimension name -> text; its own phase's words before the next phase's.
  function level(id) {
    var dims = {}, dl = rows.content.querySelector("[data-level=\"" + id + "\"]");
    if (dl) dl.querySelectorAll("dt").forEach(function (dt) {
      var key = dt.textContent;
      if (!(key in dims)) dims[key] = dt.nextElementSibling.textContent;
    });
    return dims;
  }
  function key(w) { return w.toLowerCase().replace(/[^\p{L}\p{N}+–-]/gu, ""); }
  // Which words of `x` (split with their spaces) are common to `y`, by longest common subsequence.
  function common(x, y) {
    var n = x.length, m = y.length, t = [], i, j, keep = [];
    for (i = 0; i <= n; i++) { t.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--) {
      t[i][j] = key(x[i]) === key(y[j]) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    }
    for (i = 0, j = 0; i < n && j < m;) {
      if (key(x[i]) === key(y[j])) { keep[i] = true; i++; j++; } else if (t[i + 1][j] >= t[i][j + 1]) i++; else j++;
    }
    return keep;
  }
  function words(text) { return text.split(/\s+/).filter(Boolean); }
  // How much of the shorter text the two share, counting only words that carry meaning.
  function overlap(x, y) {
    var keep = common(x, y), shared = x.filter(function (w, i) { return keep[i] && !SMALL.test(key(w)); }).length;
    var meaning = function (l) { return l.filter(function (w) { return !SMALL.test(key(w)); }).length; };
    return shared / Math.max(1, Math.min(meaning(x), meaning(y)));
  }
  // The cell for `text`, each run of words `other` lacks in one <mark> (when `mark` is set).
  function cell(text, other, label, mark) {
    var td = el("td"), x = words(text), keep = mark ? common(x, words(other)) : [], run = null;
    td.dataset.label = label;
    x.forEach(function (w, i) {
      var fresh = mark && !keep[i];
      if (fresh && run) run.append(" " + w);
      else if (fresh) { if (i) td.append(" "); td.append(run = el("mark", w)); }
      else { run = null; td.append((i ? " " : "") + w); }
    });
    return td;
  }
  function show(fromUrl) {
    // The second select never offers the first's level.
    Array.prototype.forEach.call(b.options, function (o) { o.disabled = o.value === a.value; });
    if (b.value === a.value) b.selectedIndex = (a.selectedIndex + 1) % b.options.length;
    var one = level(a.value), two = level(b.value), names = [];
    Object.keys(one).concat(Object.keys(two)).forEach(function (k) { if (names.indexOf(k) < 0) names.push(k); });
    var table = el("table"), head = el("tr"), body = el("tbody"), thead = el("thead");
    table.className = "reflow compare-table";
    table.append(el("caption", name(a.value) + " and " + name(b.value) + ": what differs is marked"));
    head.append(el("th", "Dimension"), el("th", name(a.value)), el("th", name(b.value)));
    head.querySelectorAll("th").forEach(function (th) { th.scope = "col"; });
    names.forEach(function (dim) {
      var x = one[dim], y = two[dim], tr = el("tr"), th = el("th", dim), note = "";
      th.scope = "row";
      if (x === undefined || y === undefined) note = "only one of the two has it";
      else if (x === y) note = "the same";
      else if (overlap(words(x), words(y)) < 0.34) note = "entirely different";
      var mark = !note;
      if (note) th.append(el("span", note));
      tr.append(th, x === undefined ? missing(name(a.value)) : cell(x, y || "", name(a.value), mark),
        y === undefined ? missing(name(b.value)) : cell(y, x || "", name(b.value), mark));
      body.append(tr);
    });
    thead.append(head);
    table.append(thead, body);
    out.replaceChildren(table);
    status.textContent = "Comparing " + name(a.value) + " with " + name(b.value) + ".";
    if (!fromUrl) history.replaceState(null, "", "#compare=" + a.value + "," + b.value);
  }
  function missing(label) {
    var td = el("td", "Not described: no phase of the guide covers it");
    td.className = "none";
    td.dataset.label = label;
    return td;
  }
  function fromHash() {
    var m = /^#compare=([a-z0-9-]+),([a-z0-9-]+)$/.exec(location.hash);
    if (!m || !form.querySelector("option[value=\"" + m[1] + "\"]") || !form.querySelector("option[value=\"" + m[2] + "\"]") || m[1] === m[2]) return false;
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
