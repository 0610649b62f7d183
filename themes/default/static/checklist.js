/* Phase checklists: progress is {itemId: true} under one localStorage key, keyed by stable ids so
   edits never lose it, and shared by every phase, the home page and the quiz. Blocked storage
   still works for the visit (with a note); other tabs follow through the `storage` event.
   Export/import is a link ending in #progress=id1,id2; ids are [a-z0-9-]. */
(function () {
  var KEY = "sre-guide:v1:checklist", state = {}, saved = true;
  function load() {
    try { state = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = false; }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { saved = false; }
  }
  function ids() { return Object.keys(state).filter(function (k) { return state[k] === true; }); }
  function parse(text) {
    var m = /progress=([a-z0-9,-]*)/.exec(text || "");
    return m ? m[1].split(",").filter(Boolean) : null;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  load();

  document.querySelectorAll("[data-checklist]").forEach(function (box) {
    var boxes = box.querySelectorAll("input[data-check-id]");
    var q = function (sel) { return box.querySelector(sel); };
    var done = q("[data-done]"), bar = q("progress"), note = q("[data-storage-note]");
    var field = q("[data-code]"), status = q("[data-status]"), undo = q("[data-undo]");
    var resetNote = q("[data-reset-status]"), undone = null;

    function render() {
      var n = 0;
      boxes.forEach(function (c) { c.checked = state[c.dataset.checkId] === true; if (c.checked) n++; });
      done.textContent = n;
      bar.value = n;
      note.hidden = saved;
    }
    boxes.forEach(function (c) {
      c.addEventListener("change", function () {
        if (c.checked) state[c.dataset.checkId] = true; else delete state[c.dataset.checkId];
        save();
        render();
      });
    });
    q("[data-reset]").addEventListener("click", function () {
      undone = [];
      boxes.forEach(function (c) {
        if (state[c.dataset.checkId]) undone.push(c.dataset.checkId);
        delete state[c.dataset.checkId];
      });
      save();
      render();
      undo.hidden = !undone.length;
      resetNote.textContent = undone.length ? "Cleared " + plural(undone.length, "tick") + " on this checklist." : "Nothing was ticked.";
    });
    undo.addEventListener("click", function () {
      (undone || []).forEach(function (id) { state[id] = true; });
      save();
      render();
      resetNote.textContent = "Restored " + plural(undone.length, "tick") + ".";
      undo.hidden = true;
      undone = null;
      q("[data-reset]").focus();
    });
    q("[data-export]").addEventListener("click", function () {
      field.value = location.href.split("#")[0] + "#progress=" + ids().join(",");
      field.select();
      var say = function (m) { return function () { status.textContent = m + " Open it on your other device and add its ticks there."; }; };
      var manual = say("Copy the selected link.");
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(say("Link copied."), manual); else manual();
    });
    // What adding or replacing would change, said before anything changes.
    function preview() {
      var list = parse(field.value);
      if (!list) return "That is not a progress link.";
      var mine = ids(), fresh = list.filter(function (id) { return !state[id]; });
      var lost = mine.filter(function (id) { return list.indexOf(id) < 0; });
      return "This link has " + plural(list.length, "ticked item") + " across all phases, " + fresh.length +
        " of them new to this browser." + (mine.length ? " Adding keeps your own " + plural(mine.length, "tick") +
        (lost.length ? "; replacing drops the " + lost.length + " the link lacks." : ".") : "");
    }
    function importLink(replace) {
      var list = parse(field.value);
      if (!list) { status.textContent = "That is not a progress link."; return; }
      if (replace) state = {};
      list.forEach(function (id) { state[id] = true; });
      save();
      render();
      status.textContent = (replace ? "Replaced your progress with the link’s: " : "Added the link’s ticks: ") +
        plural(ids().length, "item") + " now ticked across all phases.";
    }
    q("[data-import]").addEventListener("click", function () { importLink(false); });
    q("[data-replace]").addEventListener("click", function () { importLink(true); });
    field.addEventListener("input", function () { status.textContent = field.value ? preview() : ""; });
    // Another tab ticked or reset something: show it here too.
    addEventListener("storage", function (e) {
      if (e.key === KEY || e.key === null) { load(); render(); }
    });
    // Opened from an exported link: offer the import where the reader is, never apply it silently.
    if (parse(location.hash)) {
      field.value = location.href;
      q("details").open = true;
      status.textContent = preview();
      q("[data-tools]").hidden = false;
      q("[data-import]").focus();
    }
    render();
    q("[data-tools]").hidden = false;
  });
})();
