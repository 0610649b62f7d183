/* Phase checklists: a tick and an evidence record (a rating and dated notes) per item, kept by
   record.js under the items' stable ids, so edits to the list never lose them. Blocked storage
   still works for the visit (with a note); other tabs follow through the `storage` event.
   Export/import of ticks is a link ending in #progress=id1,id2; ids are [a-z0-9-]. */
(function () {
  var R = window.sreRecord, tpl = document.getElementById("evidence-template");
  if (!R) return;
  function ids() { return Object.keys(R.ticks).filter(function (k) { return R.ticks[k] === true; }); }
  function parse(text) {
    var m = /progress=([a-z0-9,-]*)/.exec(text || "");
    return m ? m[1].split(",").filter(Boolean) : null;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
  // The link a reader can open elsewhere: this page's address, or, opened from disk, where the
  // guide is published (its canonical URL).
  function here() {
    var canonical = document.querySelector("link[rel=canonical]");
    return location.protocol === "file:" && canonical ? canonical.href : location.href.split("#")[0];
  }

  document.querySelectorAll("[data-checklist]").forEach(function (box) {
    var boxes = box.querySelectorAll("input[data-check-id]");
    var q = function (sel) { return box.querySelector(sel); };
    var done = q("[data-done]"), bar = q("progress"), note = q("[data-storage-note]");
    var field = q("[data-code]"), status = q("[data-status]"), undo = q("[data-undo]");
    var resetNote = q("[data-reset-status]"), undone = null, panels = [];

    function render() {
      var n = 0;
      boxes.forEach(function (c) { c.checked = R.ticks[c.dataset.checkId] === true; if (c.checked) n++; });
      done.textContent = n;
      bar.value = n;
      note.hidden = R.kept;
      panels.forEach(function (p) { p.render(); });
    }
    boxes.forEach(function (c) {
      c.addEventListener("change", function () {
        if (c.checked) R.ticks[c.dataset.checkId] = true; else delete R.ticks[c.dataset.checkId];
        R.save();
        render();
      });
      if (tpl) panels.push(evidence(c.dataset.checkId, c.closest("li"), render));
    });
    q("[data-reset]").addEventListener("click", function () {
      undone = [];
      boxes.forEach(function (c) {
        if (R.ticks[c.dataset.checkId]) undone.push(c.dataset.checkId);
        delete R.ticks[c.dataset.checkId];
      });
      R.save();
      render();
      undo.hidden = !undone.length;
      resetNote.textContent = undone.length ? "Cleared " + plural(undone.length, "tick") + " on this checklist; notes and ratings stay." : "Nothing was ticked.";
    });
    undo.addEventListener("click", function () {
      (undone || []).forEach(function (id) { R.ticks[id] = true; });
      R.save();
      render();
      resetNote.textContent = "Restored " + plural(undone.length, "tick") + ".";
      undo.hidden = true;
      undone = null;
      q("[data-reset]").focus();
    });
    q("[data-export]").addEventListener("click", function () {
      field.value = here() + "#progress=" + ids().join(",");
      field.select();
      var say = function (m) { return function () { status.textContent = m + " Open it on your other device and add its ticks there."; }; };
      var manual = say("Copy the selected link.");
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(say("Link copied."), manual); else manual();
    });
    // What adding or replacing would change, said before anything changes.
    function preview() {
      var list = parse(field.value);
      if (!list) return "That is not a progress link.";
      var mine = ids(), fresh = list.filter(function (id) { return !R.ticks[id]; });
      var lost = mine.filter(function (id) { return list.indexOf(id) < 0; });
      return "This link has " + plural(list.length, "ticked item") + " across all phases, " + fresh.length +
        " of them new to this browser." + (mine.length ? " Adding keeps your own " + plural(mine.length, "tick") +
        (lost.length ? "; replacing drops the " + lost.length + " the link lacks." : ".") : "");
    }
    function importLink(replace) {
      var list = parse(field.value);
      if (!list) { status.textContent = "That is not a progress link."; return; }
      if (replace) R.ticks = {};
      list.forEach(function (id) { R.ticks[id] = true; });
      R.save();
      render();
      status.textContent = (replace ? "Replaced your ticks with the link’s: " : "Added the link’s ticks: ") +
        plural(ids().length, "item") + " now ticked across all phases.";
    }
    q("[data-import]").addEventListener("click", function () { importLink(false); });
    q("[data-replace]").addEventListener("click", function () { importLink(true); });
    field.addEventListener("input", function () { status.textContent = field.value ? preview() : ""; });
    // Another tab ticked, rated or noted something: show it here too.
    R.listen(render);
    // Opened from an exported link: offer the import where the reader is, never apply it silently.
    if (parse(location.hash)) {
      field.value = location.href;
      q("details.transfer").open = true;
      status.textContent = preview();
      q("[data-tools]").hidden = false;
      q("[data-import]").focus();
    }
    render();
    q("[data-tools]").hidden = false;
  });

  // One item's evidence panel, from the page's <template>: the rating, the notes (each deleted
  // with an undo) and a form for a new note. Returns {render} for changes from elsewhere.
  function evidence(id, li, changed) {
    var panel = tpl.content.firstElementChild.cloneNode(true), pre = "ev-" + id + "-";
    var q = function (sel) { return panel.querySelector(sel); };
    var list = q("[data-notes]"), say = q("[data-note-status]"), undo = q("[data-undo-note]");
    var fields = {}, removed = null;
    panel.querySelectorAll("[data-field]").forEach(function (input) {
      fields[input.dataset.field] = input;
      input.id = pre + input.dataset.field;
      panel.querySelector("label[data-for=" + input.dataset.field + "]").htmlFor = input.id;
    });
    panel.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.name = pre + "rating";
      radio.addEventListener("change", function () {
        var x = R.item(id, true);
        x.rating = radio.value;
        R.save();
        changed();
      });
    });
    fields.date.value = R.today();
    function store(change) {
      change(R.item(id, true));
      R.tidy(id);
      R.save();
      changed();
    }
    q("[data-add-note]").addEventListener("click", function () {
      var n = { id: R.newId(), date: fields.date.value || R.today(), text: fields.text.value.trim(),
        link: fields.link.value.trim(), impact: fields.impact.value.trim() };
      if (n.link && !R.isWeb(n.link)) { say.textContent = "A link must be a web address, starting with https or http."; fields.link.focus(); return; }
      if (!n.text && !n.link && !n.impact) { say.textContent = "Write what you did first."; fields.text.focus(); return; }
      store(function (x) { x.notes.push(n); });
      fields.text.value = fields.link.value = fields.impact.value = "";
      say.textContent = "Note added" + (R.kept ? "." : " for this visit only: storage is blocked.");
      undo.hidden = true;
    });
    undo.addEventListener("click", function () {
      if (!removed) return;
      var r = removed;
      store(function (x) { x.notes.splice(Math.min(r.at, x.notes.length), 0, r.note); });
      removed = null;
      undo.hidden = true;
      say.textContent = "Note restored.";
      [].forEach.call(list.children, function (row) { if (row.dataset.note === r.note.id) row.querySelector("button").focus(); });
    });
    function render() {
      var x = R.item(id), n = x.notes.length;
      panel.querySelectorAll("input[type=radio]").forEach(function (radio) { radio.checked = radio.value === x.rating; });
      var rating = panel.querySelector("input[type=radio]:checked");
      q("[data-summary]").textContent = n || rating ? " (" + [n ? plural(n, "note") : "", rating ? rating.parentNode.textContent.trim().toLowerCase() : ""].filter(Boolean).join(", ") + ")" : "";
      q("[data-evidence-blocked]").hidden = R.kept;
      list.replaceChildren();
      x.notes.forEach(function (note, at) {
        var row = el("li"), when = el("time", note.date), del = el("button", "Delete");
        row.dataset.note = note.id;
        when.dateTime = note.date;
        row.append(when, " ");
        if (note.text) row.append(el("span", note.text), " ");
        if (note.link) {
          var a = el(R.isWeb(note.link) ? "a" : "span", note.link);
          if (a.tagName === "A") { a.href = note.link; a.rel = "noopener noreferrer"; }
          row.append(a, " ");
        }
        if (note.impact) row.append(el("span", "Impact: " + note.impact), " ");
        del.type = "button";
        del.setAttribute("aria-label", "Delete the note of " + note.date);
        del.addEventListener("click", function () {
          removed = { at: at, note: note };
          store(function (y) { y.notes = y.notes.filter(function (m) { return m.id !== note.id; }); });
          say.textContent = "Note deleted.";
          undo.hidden = false;
          undo.focus();
        });
        row.append(del);
        list.append(row);
      });
      list.hidden = !n;
    }
    li.querySelector(".item").append(panel);
    render();
    return { render: render };
  }
})();
