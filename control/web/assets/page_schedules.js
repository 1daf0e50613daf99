// A campaign's schedule days: viewed by all, changed by admins while the campaign is stopped.
import { api } from './api.js';
import { h, table, showError } from './dom.js';
import { canWrite, campaignTabs } from './app.js';

export async function schedulesPage(main, id) {
  const body = h('div');
  main.append(campaignTabs(id, '/schedules'), h('h1', null, 'Schedules'), body);
  async function load() {
    const [campaign, { schedules }] = await Promise.all([api('GET', '/campaigns/' + id), api('GET', '/campaigns/' + id + '/schedules')]);
    body.replaceChildren(table([
      { title: 'Day', get: s => s.day }, { title: 'From', get: s => s.startTime },
      { title: 'To', get: s => s.endTime }, { title: 'State', get: s => s.state },
    ], schedules, { id: 'schedules' }));
    if (!canWrite()) return;
    if (campaign.state === 'STARTED') {
      body.append(h('p', { class: 'note' }, 'Stop the campaign to change its schedules.'));
      return;
    }
    const from = h('input', { type: 'time', value: campaign.startTime, required: true });
    // Text, not a time input: 24:00 (to the end of the day) is no time of day to a browser.
    const to = h('input', { type: 'text', value: campaign.endTime, required: true, size: 5, inputmode: 'numeric',
      pattern: '([01][0-9]|2[0-3]):[0-5][0-9]|24:00', placeholder: 'HH:MM', title: 'HH:MM, or 24:00 for the end of the day' });
    const day = h('input', { type: 'date', required: true });
    const run = fn => async ev => {
      ev.preventDefault();
      try { await fn(); showError(null); await load(); } catch (e) { showError('Not saved: ' + e.message); }
    };
    body.append(
      h('h2', null, 'Hours of today and every later day'),
      h('form', { class: 'inline', onsubmit: run(() => api('PATCH', '/campaigns/' + id + '/schedules',
        { body: { startTime: from.value, endTime: to.value } })) },
        h('label', null, 'From', from), h('label', null, 'To', to), h('button', { type: 'submit' }, 'Save hours')),
      h('h2', null, 'Add a day'),
      h('form', { class: 'inline', onsubmit: run(() => api('POST', '/campaigns/' + id + '/schedules',
        { body: { day: day.value, startTime: from.value, endTime: to.value } })) },
        h('label', null, 'Day', day), h('button', { type: 'submit' }, 'Add day')));
  }
  await load();
}
