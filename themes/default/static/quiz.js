// "Where are you now?": yes count -> routing rule. Answers live only in the URL
// fragment (#a=yyn-n: y, n or - per question); no storage, no network.
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('quiz'), out = $('quiz-result'), errs = $('quiz-errors'), tpl = $('quiz-result-template');
  let data;
  try { data = JSON.parse($('quiz-data').textContent); } catch (e) { return; }
  const qs = data.questions || [], rules = data.rules || [];
  if (!form || !out || !errs || !tpl || !qs.length) return;
  const blank = '-'.repeat(qs.length);
  const field = (q) => form.elements['q-' + q.id];
  const read = () => qs.map((q) => field(q).value || '-').join('');
  const set = (s) => qs.forEach((q, i) => { for (const r of field(q)) r.checked = r.value === s[i]; });
  const state = () => history.state || {};

  // The answers in a fragment: blank for none, null for one not ours or broken.
  const parse = (h) => {
    if (h === '' || h === '#') return blank;
    const m = /^#a=([yn-]+)$/.exec(h);
    return m && m[1].length === qs.length ? m[1] : null;
  };
  // Answering replaces the history entry (adds one after a result, so Back shows
  // it again); a result or Start over adds one.
  const save = (s, push, result) => {
    const url = location.href.split('#')[0] + (/[yn]/.test(s) ? '#a=' + s : '');
    try { history[push ? 'pushState' : 'replaceState']({ result }, '', url); } catch (e) {}
  };

  // Empties the result and highlights rule r's row in the routing key (if any).
  const clear = (r) => {
    out.textContent = '';
    for (const x of rules) $('quiz-key-' + x.id)?.classList.toggle('quiz-key-match', x === r);
  };
  const show = (s, focus) => {
    const n = s.split('y').length - 1;
    const r = rules.find((r) => r.min <= n && n <= r.max);
    clear(r);
    if (!r) return;
    const text = { phase: r.phase_number ? 'Phase ' + r.phase_number : r.label, label: r.label, count: n };
    out.append(tpl.content.cloneNode(true));
    for (const el of out.querySelectorAll('[data-slot]')) el.textContent = text[el.dataset.slot];
    for (const a of out.querySelectorAll('[data-href]')) a.href = r[a.dataset.href];
    if (focus) out.focus();
  };
  // Marks the unanswered questions (when `on`) and lists them in the error summary.
  const flag = (s, on) => {
    qs.forEach((q, i) => {
      const fs = $('quiz-q-' + q.id), missing = on && s[i] === '-';
      fs.classList.toggle('quiz-q-missing', missing);
      fs.querySelector('.quiz-error').hidden = $('quiz-err-' + q.id).hidden = !missing;
    });
    errs.hidden = !errs.querySelector('li:not([hidden])');
  };
  // Shows what the URL says (on load, Back/Forward, an edited fragment).
  const restore = () => {
    const s = parse(location.hash);
    if (s === null) return;
    set(s);
    flag(s, false);
    if (!s.includes('-') && state().result !== false) show(s, false); else clear();
  };

  form.addEventListener('change', () => {
    const s = read();
    save(s, state().result, false);
    clear();
    flag(s, !errs.hidden);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = read();
    flag(s, true);
    if (s.includes('-')) return errs.focus();
    save(s, !state().result, true);
    show(s, true);
  });
  // "Start over" is <button type=reset form=quiz>: the browser clears the radio buttons.
  form.addEventListener('reset', () => {
    flag(blank, false);
    clear();
    save(blank, true, false);
    form.querySelector('input').focus();
  });
  // A summary link focuses its question's first radio and keeps the #a= fragment.
  errs.addEventListener('click', (e) => {
    const a = e.target.closest('a'), fs = a && $(a.hash.slice(1));
    if (!fs) return;
    e.preventDefault();
    fs.scrollIntoView();
    fs.querySelector('input').focus({ preventScroll: true });
  });
  addEventListener('popstate', restore);
  addEventListener('hashchange', restore);
  for (const el of document.querySelectorAll('[data-quiz-js]')) el.hidden = false;
  restore();
})();
