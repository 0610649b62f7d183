// "Where are you now?": yes count -> routing rule. Answers live only in the URL
// fragment (#a=yyn-n: y, n or - per question); nothing is stored or sent.
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

  // Fragment -> answers; null if not ours.
  const parse = (h) => {
    if (h === '' || h === '#') return blank;
    const m = /^#a=([yn-]+)$/.exec(h);
    return m && m[1].length === qs.length ? m[1] : null;
  };
  // Start over, or answering after a result, adds a history entry; answering or a result replaces it.
  const save = (s, push, result) => {
    const url = location.href.split('#')[0] + (/[yn]/.test(s) ? '#a=' + s : '');
    try { history[push ? 'pushState' : 'replaceState']({ result }, '', url); } catch (e) {}
  };

  // Empties the result; marks rule r's row in the key.
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
    window.sreProgressNote?.(out.querySelector('[data-progress-note]'), $('quiz-key-' + r.id), text.phase);
    if (focus) out.focus();
  };
  // [1, 2, 3, 5] -> "1–3 and 5"
  const numbers = (l) => l.reduce((t, n) => {
    const x = t.at(-1);
    if (x && x[1] === n - 1) x[1] = n; else t.push([n, n]);
    return t;
  }, []).map(([a, b]) => (a < b ? a + '\u2013' + b : a)).join(', ').replace(/, (?!.*,)/, ' and ');
  // Marks unanswered questions (if `on`) and sums them up.
  const flag = (s, on) => {
    qs.forEach((q, i) => {
      const fs = $('quiz-q-' + q.id), missing = on && s[i] === '-';
      fs.classList.toggle('quiz-q-missing', missing);
      fs.querySelector('.quiz-error').hidden = $('quiz-err-' + q.id).hidden = !missing;
    });
    const m = qs.map((q, i) => (s[i] === '-' ? i + 1 : 0)).filter(Boolean);
    errs.querySelector('[data-missing]').textContent = 'question' + (m.length > 1 ? 's ' : ' ') + numbers(m);
    errs.hidden = !errs.querySelector('li:not([hidden])');
  };
  // Shows what the URL says; a shared link's result is focused on arrival.
  const restore = (arriving) => {
    const s = parse(location.hash);
    if (s === null) return;
    set(s);
    flag(s, false);
    if (!s.includes('-') && state().result !== false) show(s, arriving === true); else clear();
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
    // The result takes the place of the answers' entry: one Back leaves it.
    save(s, false, true);
    show(s, true);
  });
  // "Start over" is a reset button: the browser clears the radios.
  form.addEventListener('reset', () => {
    flag(blank, false);
    clear();
    save(blank, true, false);
    form.querySelector('input').focus();
  });
  // A summary link focuses its question, keeping the #a= fragment.
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
  form.querySelector('[type=submit]').disabled = false;
  restore(true);
})();
