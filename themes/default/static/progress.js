/* Reads the phase checklists' progress (checklist.js keeps it in this browser, never sent
   anywhere) for the pages that sum it up: "N of M done" on phase cards ([data-progress-of]),
   the home page's overview with the first unfinished item ([data-journey]), and the quiz's
   result (window.sreProgressNote). Without JS, or with nothing stored, these stay hidden. */
(function () {
  var KEY = "sre-guide:v1:checklist";
  function ticked() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function count(list, state) { return list.filter(function (id) { return state[id] === true; }).length; }
  function list(el, name) { return (el.getAttribute(name) || "").split(",").filter(Boolean); }
  // The quiz result: what is ticked already in the phase of the routing key's `row`, once
  // anything at all is ticked.
  window.sreProgressNote = function (note, row, phase) {
    var state = ticked(), ids = row ? list(row, "data-phase-items") : [];
    if (!note || !ids.length || !Object.keys(state).length) return;
    note.textContent = "You have already ticked " + count(ids, state) + " of the " + ids.length +
      " checklist items of " + phase + " in this browser.";
    note.hidden = false;
  };

  function render() {
    var state = ticked();
    document.querySelectorAll("[data-progress-of]").forEach(function (el) {
      var ids = list(el, "data-progress-of"), n = count(ids, state);
      el.querySelector("span").textContent = n + " of " + ids.length + " done";
      var bar = el.querySelector("progress");
      if (bar) bar.value = n;
      el.hidden = false;
    });
    var journey = document.querySelector("[data-journey]");
    if (!journey) return;
    var items = journey.querySelectorAll("[data-item]"), next = null, done = 0;
    items.forEach(function (li) {
      if (state[li.getAttribute("data-item")] === true) done++; else if (!next) next = li;
      li.hidden = li !== next;
    });
    journey.querySelector("[data-journey-done]").textContent = done + " of " + items.length;
    journey.querySelector("[data-journey-next]").hidden = !next;
    journey.querySelector("[data-journey-all]").hidden = !!next;
    journey.hidden = done === 0;
  }
  render();
  // Ticks made in another tab show here at once.
  addEventListener("storage", function (e) { if (e.key === KEY || e.key === null) render(); });
})();
