// The per-day report: each campaign's figures per day (or all campaigns together), for a date
// range, with the CSV export. GET /reports/daily computes them from the call log in PostgreSQL.
import { api, download } from './api.js';
import { h, table, showError } from './dom.js';

/** YYYY-MM-DD of the day DAYS before today (local time). */
function dayBefore(days) {
  const d = new Date();
  d.setDate(d.getDate() - days);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

const pct = v => (v === null || v === undefined ? '-' : (100 * v).toFixed(1) + '%');
const num = v => (v === null || v === undefined ? '-' : String(v));

export async function reportPage(main) {
  const from = h('input', { id: 'report-from', type: 'date', value: dayBefore(6) });
  const to = h('input', { id: 'report-to', type: 'date', value: dayBefore(0) });
  const by = h('select', { id: 'report-by' }, h('option', { value: 'campaign' }, 'per campaign'),
    h('option', { value: 'day' }, 'all campaigns together'));
  const list = h('div');
  // The range is inclusive of its last day: the API's `to` is an instant, so ask for the next midnight.
  const query = () => {
    const end = new Date(to.value + 'T00:00:00');
    end.setDate(end.getDate() + 1);
    return '?by=' + by.value + '&from=' + encodeURIComponent(new Date(from.value + 'T00:00:00').toISOString()) +
      '&to=' + encodeURIComponent(end.toISOString());
  };
  main.append(h('h1', null, 'Per-day report'),
    h('form', { class: 'inline', onsubmit: ev => { ev.preventDefault(); load().catch(showError); } },
      h('label', null, 'From', from), h('label', null, 'To', to), h('label', null, 'Rows', by),
      h('button', { type: 'submit' }, 'Show'),
      h('button', { type: 'button', class: 'secondary', id: 'report-csv', onclick: () =>
        download('/reports/daily.csv' + query(), 'daily-report.csv').catch(e => showError('Export failed: ' + e.message)) },
      'Export CSV')),
    list);
  async function load() {
    if (!from.value || !to.value || from.value > to.value) {
      showError('Choose a start day on or before the end day.');
      return;
    }
    const { days } = await api('GET', '/reports/daily' + query());
    showError(null);
    const cols = [{ title: 'Day', get: r => r.day }];
    if (by.value === 'campaign') cols.push({ title: 'Campaign', get: r => h('a', { href: '#/campaigns/' + r.campaignId }, r.campaign) });
    cols.push(
      { title: 'Placed', num: true, get: r => num(r.placed) },
      { title: 'Answered', num: true, get: r => num(r.answered) },
      { title: 'ASR', num: true, get: r => pct(r.asr) },
      { title: 'Transferred', num: true, get: r => num(r.transferred) },
      { title: 'Machines', num: true, get: r => num(r.machines) },
      { title: 'Abandoned', num: true, get: r => num(r.abandoned) },
      { title: 'AMD human / machine / fax / SIT / silence', get: r =>
        [r.amdHuman, r.amdMachine, r.amdFax, r.amdSit, r.amdSilence].map(num).join(' / ') },
      { title: 'Answer to transfer', num: true, get: r => (r.meanAnswerToTransferMs === null ? '-' : (r.meanAnswerToTransferMs / 1000).toFixed(1) + ' s') },
      { title: 'Attempts per lead', num: true, get: r => (r.attemptsPerLead === null ? '-' : r.attemptsPerLead.toFixed(2)) });
    list.replaceChildren(days.length ? table(cols, days, { id: 'report' })
      : h('p', { id: 'report-empty' }, 'No calls in these days.'));
  }
  await load();
}
