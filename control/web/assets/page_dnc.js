// Do-not-call lists: read by everyone who may; created, filled and checked by admins.
import { api } from './api.js';
import { h, table, showError } from './dom.js';
import { canWrite } from './app.js';

export async function dncPage(main) {
  const body = h('div');
  const answer = h('p', { id: 'dnc-answer', 'aria-live': 'polite' });
  main.append(h('h1', null, 'Do-not-call lists'), body, answer);
  async function load() {
    const { lists } = await api('GET', '/dnc/lists');
    body.replaceChildren(table([
      { title: 'List', get: l => l.name }, { title: 'Group', get: l => (l.groupId === null ? 'global' : String(l.groupId)) },
      { title: 'Numbers', num: true, get: l => l.numbers }, { title: 'Id', num: true, get: l => l.id },
    ], lists, { id: 'dnc-lists' }));
    const pick = h('select', null, lists.map(l => h('option', { value: l.id }, l.name)));
    const number = h('input', { size: 16, required: true });
    const check = async ev => {
      ev.preventDefault();
      try {
        const r = await api('GET', '/dnc/lists/' + pick.value + '/numbers/' + encodeURIComponent(number.value));
        answer.textContent = r.number + (r.doNotCall ? ' is on the list.' : ' is not on the list.');
        showError(null);
      } catch (e) { showError('Check failed: ' + e.message); }
    };
    if (lists.length)
      body.append(h('h2', null, 'Check a number'), h('form', { class: 'inline', onsubmit: check },
        h('label', null, 'List', pick), h('label', null, 'Number', number), h('button', { type: 'submit' }, 'Check')));
    if (!canWrite()) return;
    const name = h('input', { required: true });
    const file = h('input', { type: 'file', accept: '.csv,.txt,text/csv', required: true });
    const target = pick.cloneNode(true);
    body.append(
      h('h2', null, 'New list'),
      h('form', { class: 'inline', onsubmit: async ev => {
        ev.preventDefault();
        try { await api('POST', '/dnc/lists', { body: { name: name.value } }); showError(null); await load(); }
        catch (e) { showError('List not created: ' + e.message); }
      } }, h('label', null, 'Name', name), h('button', { type: 'submit' }, 'Create')));
    if (lists.length)
      body.append(h('h2', null, 'Upload numbers (CSV, first column)'),
        h('form', { class: 'inline', onsubmit: async ev => {
          ev.preventDefault();
          try {
            const r = await api('POST', '/dnc/lists/' + target.value + '/numbers', { body: await file.files[0].text(), type: 'text/csv' });
            answer.textContent = r.added + ' numbers added, ' + r.alreadyListed + ' already listed' +
              (r.rejectedCount ? ', ' + r.rejectedCount + ' rows rejected' : '') + '.';
            showError(null);
            await load();
          } catch (e) { showError('Upload refused: ' + e.message); }
        } }, h('label', null, 'List', target), h('label', null, 'File', file), h('button', { type: 'submit' }, 'Upload')));
  }
  await load();
}
