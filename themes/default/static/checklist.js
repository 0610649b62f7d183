/* Phase checklists. Progress lives in localStorage under one key as {itemId: true}, keyed by each
   item's stable id, so reordering or rewording items never loses it. If storage is blocked the
   boxes still work for this visit and a note says so. Export/import carries progress between
   devices as a link ending in #progress=id1,id2 (ids are [a-z0-9-], so no encoding is needed). */
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
      var copied = function () { status.textContent = "Link copied. Open it on your other device and press Load."; };
      var manual = function () { status.textContent = "Copy the selected link and open it on your other device."; };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(copied, manual); else manual();
    });
    q("[data-import]").addEventListener("click", function () {
      var list = parse(field.value);
      if (!list) { status.textContent = "That doesn't look like a progress link."; return; }
      state = {};
      list.forEach(function (id) { state[id] = true; });
      save();
      render();
      status.textContent = "Loaded " + list.length + " ticked item" + (list.length === 1 ? "" : "s") + " across all phases.";
    });
    // Opened from an exported link: offer the import rather than overwrite silently.
    if (parse(location.hash)) {
      field.value = location.href;
      q("details").open = true;
      status.textContent = "This link carries checklist progress. Press Load to replace the progress saved in this browser.";
    }
    render();
    q("[data-tools]").hidden = false;
  });
})();
