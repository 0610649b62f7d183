/* "My packet": the evidence record (record.js) under the expectations of the reader's phase and
   the next one, read from the page's sections (one per phase, written from the ladder data).
   Leaves the page as print, Markdown (copied) or the whole record as a JSON file; a file comes
   back in through the upload, which says what it changes and adds to the record by default. */
(function () {
  var R = window.sreRecord, app = document.querySelector("[data-packet]");
  if (!R || !app) return;
  var KEY = "sre-guide:v1:packet-level";
  var q = function (sel) { return app.querySelector(sel); };
  var select = document.getElementById("packet-level"), sections = app.querySelectorAll("[data-phase]");
  var status = q("[data-packet-status]"), upload = document.getElementById("packet-file");
  var uploadStatus = q("[data-upload-status]"), choice = q("[data-upload-choice]"), pending = null;
  var RATING = { "not-yet": "not yet", sometimes: "sometimes", consistently: "consistently" };

  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function items(section) { return section.querySelectorAll("[data-item]"); }
  function text(li) { return li.querySelector("[data-text]").textContent.trim(); }
  function title(section) { return section.querySelector("h2").textContent.trim(); }
  function done(id) { return R.ticks[id] === true; }
  function missing(section) {
    return [].filter.call(items(section), function (li) { return !done(li.dataset.item); });
  }
  // The reader's phase: as chosen before, else the first whose checklist is not all ticked.
  function first() {
    var chosen = "";
    try { chosen = localStorage.getItem(KEY) || ""; } catch (e) { /* storage blocked */ }
    if (app.querySelector("[data-phase=\"" + chosen.replace(/[^a-z0-9-]/g, "") + "\"]")) return chosen;
    var open = [].filter.call(sections, function (s) { return missing(s).length; })[0];
    return (open || sections[0]).dataset.phase;
  }
  // The shown sections: the reader's phase, then the next.
  function shown() {
    var at = [].findIndex.call(sections, function (s) { return s.dataset.phase === select.value; });
    return [].slice.call(sections, at, at + 2);
  }
  function note(n) {
    return [n.date, n.text, n.link, n.impact ? "Impact: " + n.impact : ""].filter(Boolean).join(" · ");
  }

  function render() {
    var now = shown();
    sections.forEach(function (s) { s.hidden = now.indexOf(s) < 0; });
    now.forEach(function (section, i) {
      section.querySelector("[data-role]").textContent = i ? "The next level" : "The level you hold now";
      items(section).forEach(function (li) {
        var id = li.dataset.item, x = R.item(id), list = li.querySelector("[data-notes]");
        var state = done(id) ? "Done" : x.notes.length || x.rating ? "In progress" : "Missing";
        li.querySelector("[data-state]").textContent = state + (x.rating ? ", " + RATING[x.rating] : "") + ":";
        li.className = "is-" + state.toLowerCase().replace(" ", "-");
        list.replaceChildren();
        x.notes.forEach(function (n) {
          var row = el("li"), when = el("time", n.date);
          when.dateTime = n.date;
          row.append(when, " ", n.text);
          if (n.link) {
            var a = el(R.isWeb(n.link) ? "a" : "span", n.link);
            if (a.tagName === "A") { a.href = n.link; a.rel = "noopener noreferrer"; }
            row.append(" ", a);
          }
          if (n.impact) row.append(" ", el("span", "Impact: " + n.impact));
          list.append(row);
        });
        list.hidden = !x.notes.length;
      });
      var left = missing(section), all = items(section).length;
      section.querySelector("[data-missing]").textContent = left.length ?
        "Still missing: " + left.length + " of " + all + ", marked below." : "All " + all + " ticked.";
    });
    var here = now[0], left = missing(here).length;
    q("[data-packet-summary]").textContent = title(here) + ": " + (items(here).length - left) + " of " +
      items(here).length + " done" + (now[1] ? "; " + title(now[1]) + ": " + (items(now[1]).length - missing(now[1]).length) +
      " of " + items(now[1]).length + " done." : ".");
    q("[data-packet-blocked]").hidden = R.kept;
  }

  // The packet as Markdown, for a promotion document or a 1:1.
  function markdown() {
    var now = shown(), lines = ["# " + document.querySelector("h1").textContent.trim() + ": " +
      now.map(title).join(" → "), "", "From " + location.href.split("#")[0] + " on " + R.today() + ".", ""];
    now.forEach(function (section, i) {
      var unlocks = section.querySelector("[data-unlocks]");
      lines.push("## " + title(section) + (i ? " (the next level)" : " (the level I hold now)"), "");
      if (unlocks) lines.push("**" + section.querySelector("h3").textContent.trim() + ":** " + unlocks.textContent.trim(), "");
      lines.push("### " + section.querySelector("[data-checklist-title]").textContent.trim(), "");
      items(section).forEach(function (li) {
        var id = li.dataset.item, x = R.item(id);
        lines.push("- [" + (done(id) ? "x" : " ") + "] " + text(li) + (x.rating ? " (" + RATING[x.rating] + ")" : "") +
          (done(id) || x.notes.length ? "" : ": still missing"));
        x.notes.forEach(function (n) { lines.push("  - " + note(n).replace(/\s+/g, " ")); });
      });
      lines.push("");
    });
    return lines.join("\n");
  }

  select.addEventListener("change", function () {
    try { localStorage.setItem(KEY, select.value); } catch (e) { /* this visit only */ }
    render();
    q("[data-markdown]").hidden = true;
  });
  q("[data-print]").addEventListener("click", function () { print(); });
  q("[data-copy]").addEventListener("click", function () {
    var box = document.getElementById("packet-markdown"), say = function (m) { return function () { status.textContent = m; }; };
    box.value = markdown();
    q("[data-markdown]").hidden = false;
    box.focus();
    box.select();
    var manual = say("The Markdown is selected below: copy it with your keyboard or menu.");
    if (navigator.clipboard) navigator.clipboard.writeText(box.value).then(say("Copied as Markdown; it is shown below too."), manual); else manual();
  });
  q("[data-download]").addEventListener("click", function () {
    var a = el("a"), name = "sre-guide-evidence-" + R.today() + ".json";
    a.href = URL.createObjectURL(new Blob([JSON.stringify(R.file(), null, 2)], { type: "application/json" }));
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    status.textContent = "Downloaded " + name + ": every tick, rating and note, for all phases.";
  });

  upload.addEventListener("change", function () {
    var file = upload.files[0];
    choice.hidden = true;
    pending = null;
    if (!file) return;
    file.text().then(function (source) {
      try { pending = R.parse(source); } catch (message) { uploadStatus.textContent = message; return; }
      var c = R.preview(pending), t = c.total;
      uploadStatus.textContent = "The file holds " + plural(t.ticks, "tick") + ", " + plural(t.ratings, "rating") + " and " +
        plural(t.notes, "note") + ". Adding it brings " + plural(c.ticks, "new tick") + ", " + plural(c.ratings, "new rating") +
        " and " + plural(c.notes, "new note") + (c.kept ? "; your own rating stays on " + plural(c.kept, "item") + "." : ".") +
        " Replacing makes this browser match the file.";
      choice.hidden = false;
      q("[data-take]").focus();
    });
  });
  function take(replace) {
    if (!pending) return;
    R.take(pending, replace);
    pending = null;
    choice.hidden = true;
    upload.value = "";
    uploadStatus.textContent = (replace ? "Replaced your record with the file’s." : "Added the file’s record to yours.") +
      (R.kept ? "" : " Storage is blocked: it lasts until you leave this page.");
    render();
  }
  q("[data-take]").addEventListener("click", function () { take(false); });
  q("[data-replace]").addEventListener("click", function () { take(true); });

  R.listen(render);
  select.value = first();
  render();
  app.hidden = false;
})();
