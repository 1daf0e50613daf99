// A campaign's call log: filters, pages, CSV export, and recordings played in the page.
import { api, download } from './api.js';
import { h, table, showError, when } from './dom.js';
import { campaignTabs } from './app.js';

export async function callsPage(main, id) {
  const lead = h('input', { id: 'lead-filter', inputmode: 'numeric', size: 8 });
  const result = h('input', { id: 'result-filter', size: 10, placeholder: 'e.g. SUCCESS' });
  const verdict = h('select', { id: 'verdict-filter' }, ['', 'human', 'machine', 'fax', 'sit', 'silence', 'unknown']
    .map(v => h('option', { value: v }, v || 'any verdict')));
  const list = h('div');
  const pager = h('div');
  const player = h('audio', { controls: true, id: 'player', hidden: true });
  let page = 1;
  main.append(campaignTabs(id, '/calls'), h('h1', null, 'Call log'),
    h('form', { class: 'inline', onsubmit: ev => { ev.preventDefault(); page = 1; load().catch(showError); } },
      h('label', null, 'Lead id', lead), h('label', null, 'Result', result), h('label', null, 'Verdict', verdict),
      h('button', { type: 'submit' }, 'Filter'),
      h('button', { type: 'button', class: 'secondary', id: 'export-csv', onclick: () =>
        download('/campaigns/' + id + '/calls.csv', 'campaign-' + id + '-calls.csv').catch(e => showError('Export failed: ' + e.message)) },
      'Export CSV')),
    player, list, pager);

  async function play(url) {
    try {
      // The recording needs the bearer token, which an <audio src> cannot send: fetch, then play.
      const path = url.replace(/^.*\/api\/v1/, '');
      const res = await api('GET', path, { raw: true });
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(await res.blob());
      player.hidden = false;
      await player.play();
    } catch (e) { showError('Could not play the recording: ' + e.message); }
  }
  async function load() {
    const q = '?page=' + page + '&pageSize=50' + (lead.value ? '&leadId=' + encodeURIComponent(lead.value) : '');
    const r = await api('GET', '/campaigns/' + id + '/calls' + q);
    // The server filters by lead; result and verdict filter the page shown.
    const rows = r.calls.filter(c => (!result.value || (c.result || '') === result.value.trim().toUpperCase()) &&
                                     (!verdict.value || c.amdVerdict === verdict.value));
    list.replaceChildren(table([
      { title: 'Call', get: c => String(c.id) }, { title: 'Lead', get: c => String(c.leadId) },
      { title: 'Number', get: c => c.number }, { title: 'Dialed', get: c => when(c.dialedAt) },
      { title: 'Answered', get: c => when(c.answeredAt) }, { title: 'Ended', get: c => when(c.endedAt) },
      { title: 'SIP', get: c => (c.sipCode ? c.sipCode + ' ' + (c.sipReason || '') : '') },
      { title: 'AMD', get: c => (c.amdVerdict ? c.amdVerdict + (c.amdCause ? ' (' + c.amdCause + ')' : '') : '') },
      { title: 'Result', get: c => (c.result || c.state) + (c.cause ? ' - ' + c.cause : '') },
      { title: 'Recording', get: c => (c.recordingUrl
        ? h('button', { class: 'secondary', 'data-play': c.id, onclick: () => play(c.recordingUrl) }, 'Play') : '') },
    ], rows, { id: 'calls' }));
    const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
    pager.replaceChildren(
      h('button', { class: 'secondary', disabled: page <= 1, onclick: () => { page--; load().catch(showError); } }, 'Previous'),
      ' page ' + page + ' of ' + pages + ' (' + r.total + ' calls) ',
      h('button', { class: 'secondary', disabled: page >= pages, onclick: () => { page++; load().catch(showError); } }, 'Next'));
  }
  await load();
  return () => { if (player.src) URL.revokeObjectURL(player.src); };
}
