/* Search, second step: loaded by search.js on first use. A labelled search field opens under the
   header; results are a list of links (arrow keys move through them, Escape closes) and a
   polite status line announces how many were found. The index (built by the site's build) is
   fetched once; if it cannot be (e.g. opened from disk), the status offers the whole guide. */
(function () {
  var link = document.querySelector("[data-search-index]");
  var header = link.closest("header"), indexUrl = link.getAttribute("data-search-index");
  var root = indexUrl.slice(0, indexUrl.lastIndexOf("static/"));
  var index = null, failed = false, timer = 0, MAX = 10;

  var panel = el("div", "search-panel"), wrap = el("div", "wrap");
  var label = el("label", "", "Search the guide"), input = el("input");
  var status = el("p", "search-status"), list = el("ul", "search-results");
  panel.id = "search-panel";
  panel.setAttribute("role", "search");
  panel.hidden = true;
  input.type = "search";
  input.id = label.htmlFor = "search-q";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("aria-describedby", "search-status");
  status.id = "search-status";
  status.setAttribute("role", "status");
  list.setAttribute("aria-label", "Results");
  wrap.append(label, input, status, list);
  panel.append(wrap);
  header.append(panel);
  link.setAttribute("aria-controls", panel.id);
  link.setAttribute("aria-expanded", "false");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function open() {
    panel.hidden = false;
    link.setAttribute("aria-expanded", "true");
    input.focus();
    if (!index && !failed) {
      fetch(indexUrl).then(function (r) { if (!r.ok) throw r; return r.json(); })
        .then(function (data) { index = data; run(); })
        .catch(function () { failed = true; run(); });
    }
  }
  function close() {
    panel.hidden = true;
    link.setAttribute("aria-expanded", "false");
  }

  /* Where `term` starts a word in `hay` (lower case), from `from`; -1 if nowhere. */
  function find(hay, term, from) {
    for (var i = hay.indexOf(term, from); i >= 0; i = hay.indexOf(term, i + 1)) {
      if (i === 0 || !/[\p{L}\p{N}]/u.test(hay[i - 1])) return i;
    }
    return -1;
  }

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8), found = [];
    if (!terms.length) return found;
    index.entries.forEach(function (entry, order) {
      var page = index.pages[entry[0]], title = entry[2].toLowerCase();
      var text = entry[3].toLowerCase(), where = page[1].toLowerCase(), score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i];
        if (find(title, t, 0) >= 0) score += find(title, t, 0) === 0 ? 12 : 10;
        else if (find(text, t, 0) >= 0) score += 2;
        else if (find(where, t, 0) >= 0) score += 1;
        else return;
      }
      found.push({ entry: entry, page: page, score: score - order / 1e4 });
    });
    return found.sort(function (a, b) { return b.score - a.score; });
  }

  /* `text` into `parent`, each word-start match of a term wrapped in <mark>. */
  function marked(parent, text, terms) {
    var lower = text.toLowerCase(), at = 0;
    while (at < text.length) {
      var next = -1, len = 0;
      terms.forEach(function (t) {
        var i = find(lower, t, at);
        if (i >= 0 && (next < 0 || i < next)) { next = i; len = t.length; }
      });
      if (next < 0) break;
      parent.append(text.slice(at, next), el("mark", "", text.slice(next, next + len)));
      at = next + len;
    }
    parent.append(text.slice(at));
  }

  /* About 150 characters of `text` around the first match. */
  function snippet(text, terms) {
    var lower = text.toLowerCase(), first = text.length;
    terms.forEach(function (t) { var i = find(lower, t, 0); if (i >= 0 && i < first) first = i; });
    if (first === text.length) first = 0;
    var start = Math.max(0, text.lastIndexOf(" ", Math.max(0, first - 50)));
    var end = text.indexOf(" ", start + 150);
    var cut = text.slice(start, end < 0 ? text.length : end).trim();
    return (start > 0 ? "… " : "") + cut + (end < 0 ? "" : " …");
  }

  function run() {
    var query = input.value.trim();
    list.replaceChildren();
    status.replaceChildren();
    if (failed) {
      var guide = el("a", "", "search the whole guide on one page");
      guide.href = link.getAttribute("href");
      status.append("Search could not load here; ", guide, " instead.");
      return;
    }
    if (!index || !query) return;
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean), found = search(query);
    found.slice(0, MAX).forEach(function (hit) {
      var a = el("a"), title = el("span", "search-title"), li = el("li");
      var anchor = hit.entry[1];
      a.href = root + hit.page[0] + "index.html" + (anchor ? "#" + anchor : "");
      marked(title, hit.entry[2], terms);
      a.append(title);
      if (hit.entry[2] !== hit.page[1]) a.append(el("span", "search-page", hit.page[1]));
      if (hit.entry[3]) {
        var text = el("span", "search-snippet");
        marked(text, snippet(hit.entry[3], terms), terms);
        a.append(text);
      }
      li.append(a);
      list.append(li);
    });
    var n = found.length, shown = Math.min(n, MAX);
    status.textContent = n === 0 ? "No results for “" + query + "”." :
      (n > shown ? "Top " + shown + " of " + n : n) + " result" + (n === 1 ? "" : "s") +
      " for “" + query + "”; arrow keys move through them.";
  }

  function results() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
  panel.addEventListener("keydown", function (e) {
    var links = results(), at = links.indexOf(document.activeElement);
    if (e.key === "Escape") { e.preventDefault(); close(); link.focus(); }
    else if (e.key === "ArrowDown" && links.length) {
      e.preventDefault();
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (e.key === "ArrowUp" && at >= 0) {
      e.preventDefault();
      (at === 0 ? input : links[at - 1]).focus();
    } else if (e.key === "Enter" && e.target === input) {
      e.preventDefault();
      clearTimeout(timer);
      run(); // the query as typed so far, even within the typing pause
      if (list.querySelector("a")) list.querySelector("a").click();
    }
  });
  list.addEventListener("click", function (e) {
    var a = e.target.closest("a");
    // A result on this page: the browser only scrolls, so close the panel ourselves.
    if (a && a.pathname === location.pathname) close();
  });
  link.addEventListener("click", function (e) {
    e.preventDefault();
    if (panel.hidden) open(); else close();
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey &&
        !(t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      e.preventDefault();
      open();
    }
  });
  open();
})();
