// A campaign's leads: the CSV upload (every rejected line shown with its reason) and the list.
import { api } from './api.js';
import { h, table, showError, when } from './dom.js';
import { canWrite, campaignTabs } from './app.js';

const STATUSES = ['', 'NOT_CALLED', 'SUCCESS', 'FAILURE', 'BUSY', 'NO_ANSWER', 'REJECTED', 'AMD',
  'SERVICE_TEMPORARILY_UNAVAILABLE', 'DNC', 'UNKNOWN'];

export async function leadsPage(main, id) {
  const upload = h('div');
  const result = h('div', { id: 'upload-result', 'aria-live': 'polite' });
  const list = h('div');
  main.append(campaignTabs(id, '/leads'), h('h1', null, 'Leads'), upload, result, h('h2', null, 'Leads'), list);

  if (canWrite()) {
    const file = h('input', { type: 'file', id: 'lead-file', accept: '.csv,text/csv', required: true });
    const skip = h('input', { type: 'checkbox', id: 'skip-duplicates' });
    upload.append(h('h2', null, 'Upload a CSV'), h('form', { class: 'inline', onsubmit: async ev => {
      ev.preventDefault();
      if (!file.files.length) return;
      try {
        const text = await file.files[0].text();
        const r = await api('POST', '/campaigns/' + id + '/leads' + (skip.checked ? '?skipDuplicates=true' : ''),
          { body: text, type: 'text/csv' });
        showError(null);
        result.replaceChildren(
          h('p', { class: 'ok' }, r.imported + ' leads imported, ' + r.rejectedCount + ' rows rejected' +
            (r.skippedDuplicates ? ', ' + r.skippedDuplicates + ' duplicates skipped' : '') + '.'),
          r.rejected.length ? table([{ title: 'Line', num: true, get: x => x.line }, { title: 'Reason', get: x => x.reason }],
            r.rejected, { id: 'rejected' }) : '');
        await load();
      } catch (e) { showError('Upload refused: ' + e.message); }
    } }, h('label', null, 'CSV file', file), h('label', null, h('span', null, skip, ' skip duplicates')),
    h('button', { type: 'submit', id: 'upload' }, 'Upload')));
  }

  const status = h('select', { id: 'status-filter', onchange: () => { page = 1; load().catch(showError); } },
    STATUSES.map(s => h('option', { value: s }, s || 'any status')));
  let page = 1;
  const pager = h('div', { class: 'inline' });
  list.before(h('form', { class: 'inline' }, h('label', null, 'Status', status)));
  list.after(pager);
  async function load() {
    const q = '?page=' + page + '&pageSize=50' + (status.value ? '&status=' + status.value : '');
    const r = await api('GET', '/campaigns/' + id + '/leads' + q);
    list.replaceChildren(table([
      { title: 'Name', get: l => l.name }, { title: 'Phone', get: l => l.phone },
      { title: 'External id', get: l => l.externalId || '' }, { title: 'Status', get: l => l.status },
      { title: 'Attempts', num: true, get: l => l.attempts }, { title: 'Last attempt', get: l => when(l.lastAttemptAt) },
      { title: 'Next', get: l => when(l.nextAttemptAt) },
    ], r.leads, { id: 'leads' }));
    const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
    pager.replaceChildren(
      h('button', { class: 'secondary', disabled: page <= 1, onclick: () => { page--; load().catch(showError); } }, 'Previous'),
      ' page ' + page + ' of ' + pages + ' (' + r.total + ' leads) ',
      h('button', { class: 'secondary', disabled: page >= pages, onclick: () => { page++; load().catch(showError); } }, 'Next'));
  }
  await load();
}
