/* The reader's evidence record, kept in this browser and never sent anywhere: ticks
   ({itemId: true}, the key progress.js also reads) and evidence ({itemId: {rating, notes}}),
   both by the checklist items' stable ids. Shared by the phase pages (checklist.js) and the
   packet page (packet.js); another tab's changes arrive through the `storage` event.
   The file format of download and upload is documented in docs/evidence-file.md. */
window.sreRecord = (function () {
  var TICKS = "sre-guide:v1:checklist", EVIDENCE = "sre-guide:v1:evidence";
  var FORMAT = "sre-guide-evidence", VERSION = 1, RATINGS = ["not-yet", "sometimes", "consistently"];
  var r = { ticks: {}, evidence: {}, kept: true, ratings: RATINGS };

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { r.kept = false; return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { r.kept = false; }
  }
  r.load = function () {
    var t = read(TICKS), e = read(EVIDENCE);
    if (t) r.ticks = t;
    if (e) r.evidence = e;
  };
  r.save = function () {
    write(TICKS, r.ticks);
    write(EVIDENCE, r.evidence);
  };
  r.listen = function (then) {
    addEventListener("storage", function (e) {
      if (e.key === TICKS || e.key === EVIDENCE || e.key === null) { r.load(); then(); }
    });
  };
  // An item's evidence, created empty on first use when `create` is set.
  r.item = function (id, create) {
    var x = r.evidence[id];
    if (!x && create) x = r.evidence[id] = { notes: [] };
    return x || { notes: [] };
  };
  r.tidy = function (id) {
    var x = r.evidence[id];
    if (x && !x.rating && !x.notes.length) delete r.evidence[id];
  };
  r.newId = function () { return Date.now().toString(36) + Math.random().toString(36).slice(2, 7); };
  r.today = function () {
    var d = new Date();
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  };
  // Only web links are shown as links.
  r.isWeb = function (link) { return /^https?:\/\/\S+$/i.test(link || ""); };

  // The whole record as the downloadable file.
  r.file = function () {
    var items = {};
    Object.keys(r.ticks).concat(Object.keys(r.evidence)).forEach(function (id) {
      var x = r.item(id), out = {};
      if (r.ticks[id] === true) out.done = true;
      if (x.rating) out.rating = x.rating;
      if (x.notes.length) out.notes = x.notes;
      if (out.done || out.rating || out.notes) items[id] = out;
    });
    return { format: FORMAT, version: VERSION, exported: new Date().toISOString(), items: items };
  };

  function text(v, max) { return typeof v === "string" ? v.trim().slice(0, max) : ""; }
  // A file's items, checked field by field; throws a sentence for the reader.
  r.parse = function (source) {
    var data;
    try { data = JSON.parse(source); } catch (e) { throw "This file is not JSON."; }
    if (!data || data.format !== FORMAT) throw "This is not an evidence file of this guide.";
    if (data.version !== VERSION) throw "This file is version " + data.version + "; this page reads version " + VERSION + ".";
    var items = {}, given = data.items || {};
    Object.keys(given).forEach(function (id) {
      var x = given[id] || {};
      if (!/^[a-z0-9-]+$/.test(id)) return;
      var notes = (Array.isArray(x.notes) ? x.notes : []).map(function (n) {
        n = n || {};
        return { id: text(n.id, 40) || r.newId(), date: /^\d{4}-\d{2}-\d{2}$/.test(n.date) ? n.date : "",
          text: text(n.text, 4000), link: text(n.link, 2000), impact: text(n.impact, 2000) };
      }).filter(function (n) { return n.text || n.link || n.impact; });
      items[id] = { done: x.done === true, rating: RATINGS.indexOf(x.rating) < 0 ? "" : x.rating, notes: notes };
    });
    return items;
  };

  function same(a, b) { return a.date === b.date && a.text === b.text && a.link === b.link && a.impact === b.impact; }
  function known(list, n) { return list.some(function (m) { return m.id === n.id || same(m, n); }); }
  // What taking `items` in would change: counts for adding (the default) and for replacing.
  r.preview = function (items) {
    var c = { ticks: 0, notes: 0, ratings: 0, kept: 0, total: { ticks: 0, notes: 0, ratings: 0 } };
    Object.keys(items).forEach(function (id) {
      var x = items[id], mine = r.item(id);
      if (x.done) { c.total.ticks++; if (r.ticks[id] !== true) c.ticks++; }
      if (x.rating) { c.total.ratings++; if (!mine.rating) c.ratings++; else if (mine.rating !== x.rating) c.kept++; }
      c.total.notes += x.notes.length;
      c.notes += x.notes.filter(function (n) { return !known(mine.notes, n); }).length;
    });
    return c;
  };
  // Adds `items` to the record (a rating already set here stays), or replaces the record.
  r.take = function (items, replace) {
    if (replace) { r.ticks = {}; r.evidence = {}; }
    Object.keys(items).forEach(function (id) {
      var x = items[id], mine = r.item(id, true);
      if (x.done) r.ticks[id] = true;
      if (x.rating && !mine.rating) mine.rating = x.rating;
      x.notes.forEach(function (n) { if (!known(mine.notes, n)) mine.notes.push(n); });
      r.tidy(id);
    });
    r.save();
  };
  r.load();
  return r;
})();
