// Campaigns: each with its state, its figures and (for admins) start and stop.
import { api } from './api.js';
import { h, table, showError } from './dom.js';
import { canWrite } from './app.js';

/** Start or stop campaign ID, then call AFTER; errors are shown, not swallowed. */
export async function startStop(id, action, after) {
  try {
    await api('POST', '/campaigns/' + id + '/' + action);
    showError(null);
  } catch (e) {
    showError('Could not ' + action + ' the campaign: ' + e.message);
  }
  after && after();
}

export async function campaignsPage(main) {
  const body = h('div');
  main.append(h('h1', null, 'Campaigns'), body);
  let timer = null;
  async function load() {
    const { campaigns } = await api('GET', '/campaigns');
    const lives = await Promise.all(campaigns.map(c =>
      api('GET', '/campaigns/' + c.id + '/live').catch(() => null)));
    const rows = campaigns.map((c, i) => ({ c, live: lives[i] }));
    const fig = k => r => (r.live ? r.live[k] : '-');
    const cols = [
      { title: 'Campaign', get: r => h('a', { href: '#/campaigns/' + r.c.id }, r.c.name) },
      { title: 'State', get: r => h('span', { class: 'state ' + r.c.state }, r.c.state) },
      { title: 'Placed', num: true, get: fig('placed') },
      { title: 'Answered', num: true, get: fig('answered') },
      { title: 'Transferred', num: true, get: fig('transferredToAgents') },
      { title: 'Machines', num: true, get: fig('machines') },
      { title: 'Abandoned', num: true, get: fig('dropped') },
      { title: 'Calls up', num: true, get: r => (r.live ? r.live.dialing + r.live.ringing + r.live.connected : '-') },
    ];
    if (canWrite())
      cols.push({ title: 'Action', get: r => r.c.state === 'STARTED'
        ? h('button', { class: 'danger', 'data-action': 'stop', onclick: () => startStop(r.c.id, 'stop', load) }, 'Stop')
        : h('button', { 'data-action': 'start', onclick: () => startStop(r.c.id, 'start', load) }, 'Start') });
    body.replaceChildren(
      rows.length ? table(cols, rows, { id: 'campaigns' }) : h('p', null, 'No campaigns in your groups yet.'),
      h('p', { class: 'note' }, 'Today\'s figures from the database, across every hark process (GET /campaigns/{id}/live).'));
  }
  await load();
  timer = setInterval(() => load().catch(showError), 5000);
  return () => clearInterval(timer);
}
