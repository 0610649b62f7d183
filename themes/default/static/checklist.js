/* Phase checklists: progress is {itemId: true} under one localStorage key, keyed by stable ids so
   edits never lose it. Blocked storage still works for the visit (with a note). Export/import is
   a link ending in #progress=id1,id2; ids are [a-z0-9-]. */
(function () {
  var KEY = "sre-guide:v1:checklist", state = {}, saved = true;
  try { state = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = false; }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { saved = false; }
  }
  function ids() { return Object.keys(state).filter(function (k) { return state[k] === true; }); }
  function parse(text) {
    var m = /progress=([a-z0-9,-]*)/.exec(text || "");
    return m ? m[1].split(",").filter(Boolean) : null;
  }

  document.querySelectorAll("[data-checklist]").forEach(function (box) {
    var boxes = box.querySelectorAll("input[data-check-id]");
    var q = function (sel) { return box.querySelector(sel); };
    var done = q("[data-done]"), bar = q("progress"), note = q("[data-storage-note]");
    var field = q("[data-code]"), status = q("[data-status]");

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
      boxes.forEach(function (c) { delete state[c.dataset.checkId]; });
      save();
      render();
    });
    q("[data-export]").addEventListener("click", function () {
      field.value = location.href.split("#")[0] + "#progress=" + ids().join(",");
      field.select();
        var say = function (m) { return function () { status.textContent = m + " Open it on your other device and press Load."; }; };
      var manual = say("Copy the selected link.");
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(say("Link copied."), manual); else manual();
    });
    q("[data-import]").addEventListener("click", function () {
      var list = parse(field.value);
      if (!list) { status.textContent = "That is not a progress link."; return; }
      state = {};
      list.forEach(function (id) { state[id] = true; });
      save();
      render();
      status.textContent = "Loaded " + list.length + " ticked items across all phases.";
    });
    // Opened from an exported link: offer the import, never overwrite silently.
    if (parse(location.hash)) {
      field.value = location.href;
      q("details").open = true;
      status.textContent = "This link carries checklist progress: press Load to use it here.";
    }
    render();
    q("[data-tools]").hidden = false;
  });
})();
