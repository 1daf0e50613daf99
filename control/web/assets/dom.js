// Building the page: elements from data (text is always set as text, never parsed as HTML),
// and one place that shows errors in words.

/** h('button', {onclick, class: 'x'}, 'text', child, ...) -> an element. */
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A table of ROWS with COLUMNS [{title, get(row) -> text|Node, num}]. */
export function table(columns, rows, attrs) {
  return h('table', attrs,
    h('thead', null, h('tr', null, columns.map(c => h('th', { class: c.num ? 'num' : null, scope: 'col' }, c.title)))),
    h('tbody', null, rows.map(r => h('tr', null, columns.map(c => h('td', { class: c.num ? 'num' : null }, c.get(r)))))));
}

/** Shows MESSAGE (an Error or text) in the alert bar; nothing hides it but the next page or success. */
export function showError(e) {
  const bar = document.getElementById('error');
  if (!e) { bar.hidden = true; bar.textContent = ''; return; }
  bar.textContent = typeof e === 'string' ? e : (e.message || String(e));
  bar.hidden = false;
}

/** Runs the async FN, showing its error (if any) instead of swallowing it. */
export async function guard(fn) {
  try {
    const r = await fn();
    return r;
  } catch (e) {
    showError(e);
    return undefined;
  }
}

/** "2026-12-01 10:02:03+00" -> "10:02:03" for today's times, else the date and time. */
export function when(ts) {
  if (!ts) return '';
  // PostgreSQL writes "2026-12-01 10:02:03.123456+00": ISO wants the T and the offset's minutes.
  const d = new Date(ts.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  if (isNaN(d)) return ts;
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}
