/* Search, second step: loaded by search.js on first use. A labelled search field opens under the
   header, with a hint that names the "/" shortcut; results are a list of links (arrow keys move
   through them, Escape closes) and a polite status line announces how many were found. The
   index (built by the site's build) is a script, so it loads from disk too; should it fail, the
   status offers the whole guide with what was typed highlighted there, and the field keeps it.
   Ranking: a page's title and main headings above subheadings, then text and checklist items;
   the index's synonym groups make each word find the others of its group. */
(function () {
  var link = document.querySelector("[data-search-index]");
  var header = link.closest("header"), indexUrl = link.getAttribute("data-search-index");
  var root = indexUrl.slice(0, indexUrl.lastIndexOf("static/"));
  var index = null, failed = false, timer = 0, MAX = 10;
  /* What the results on show answer: the same again (a typing pause that ends after the index
     arrived and showed them) keeps them, and the focus of a reader already moving through them. */
  var answered = null;

  var panel = el("div", "search-panel"), wrap = el("div", "wrap");
  var label = el("label", "", "Search the guide"), input = el("input");
  var hint = el("p", "search-hint", "Press / on any page to search; the arrow keys move through the results and Escape closes.");
  var status = el("p", "search-status"), list = el("ul", "search-results");
  panel.id = "search-panel";
  panel.setAttribute("role", "search");
  panel.hidden = true;
  input.type = "search";
  input.id = label.htmlFor = "search-q";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("aria-describedby", "search-hint search-status");
  hint.id = "search-hint";
  status.id = "search-status";
  status.setAttribute("role", "status");
  list.setAttribute("aria-label", "Results");
  wrap.append(label, input, hint, status, list);
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
    if (!index && !failed && !document.getElementById("search-index")) {
      var script = el("script");
      script.id = "search-index";
      script.src = indexUrl;
      script.onload = function () { index = window.sreSearchIndex || null; failed = !index; run(); };
      script.onerror = function () { failed = true; run(); };
      document.head.append(script);
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

  /* The words of a query, each with the others of its synonym groups. */
  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8).map(function (t) {
      var alts = [t];
      (index.synonyms || []).forEach(function (group) {
        if (group.indexOf(t) >= 0) group.forEach(function (w) { if (alts.indexOf(w) < 0) alts.push(w); });
      });
      return alts;
    });
  }

  /* How well `alt` matches an entry: in a title (worth most for a page or main heading), in
     the text (a checklist item's title counts as text), or only in its page's title. */
  function weigh(alt, kind, title, text, where) {
    var at = kind < 4 ? find(title, alt, 0) : -1;
    if (at >= 0) return (kind < 3 ? 10 : 6) + (at === 0 ? 2 : 0);
    var inText = find(kind < 4 ? text : title, alt, 0) >= 0 ? 2 : 0;
    return Math.max(inText, find(where, alt, 0) >= 0 ? (kind < 3 ? 3 : 1) : 0);
  }

  function search(query) {
    var words = terms(query), found = [];
    if (!words.length) return found;
    index.entries.forEach(function (entry, order) {
      var page = index.pages[entry[0]], kind = entry[4], title = entry[2].toLowerCase();
      var text = entry[3].toLowerCase(), where = page[1].toLowerCase(), score = (5 - kind) / 10;
      for (var i = 0; i < words.length; i++) {
        var best = 0;
        words[i].forEach(function (alt) { best = Math.max(best, weigh(alt, kind, title, text, where)); });
        if (!best) return;
        score += best;
      }
      found.push({ entry: entry, page: page, score: score - order / 1e5 });
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
    var query = input.value.trim(), state = (failed ? "failed " : index ? "index " : "none ") + query;
    if (state === answered) return;
    answered = state;
    list.replaceChildren();
    status.replaceChildren();
    if (failed) {
      // The whole guide, with the browser's find pointed at what was typed (a text fragment).
      var guide = el("a", "", "search the whole guide on one page");
      guide.href = link.getAttribute("href") + (query ? "#:~:text=" + encodeURIComponent(query) : "");
      status.append("Search could not load here; ", guide, " instead.");
      return;
    }
    if (!index || !query) return;
    var marks = [].concat.apply([], terms(query)), found = search(query);
    found.slice(0, MAX).forEach(function (hit) {
      var a = el("a"), title = el("span", "search-title"), li = el("li");
      var anchor = hit.entry[1];
      a.href = root + hit.page[0] + "index.html" + (anchor ? "#" + anchor : "");
      marked(title, hit.entry[2], marks);
      a.append(title);
      if (hit.entry[2] !== hit.page[1]) a.append(el("span", "search-page", hit.page[1]));
      if (hit.entry[3]) {
        var text = el("span", "search-snippet");
        marked(text, snippet(hit.entry[3], marks), marks);
        a.append(text);
      }
      li.append(a);
      list.append(li);
    });
    var n = found.length, shown = Math.min(n, MAX);
    status.textContent = n === 0 ? "No results for “" + query + "”." :
      (n > shown ? "Top " + shown + " of " + n : n) + " result" + (n === 1 ? "" : "s") +
      " for “" + query + "”.";
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
