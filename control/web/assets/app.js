// The dashboard's entry: the hash router, the top bar, and which pages exist.
import { session, api } from './api.js';
import { h, showError } from './dom.js';
import { loginPage } from './page_login.js';
import { campaignsPage } from './page_campaigns.js';
import { wallboardPage } from './page_wallboard.js';
import { schedulesPage } from './page_schedules.js';
import { leadsPage } from './page_leads.js';
import { callsPage } from './page_calls.js';
import { dncPage } from './page_dnc.js';
import { reportPage } from './page_report.js';

// #/path -> page(main, params). A page may return a function that is run when it is left
// (to close its event stream and timers).
const routes = [
  [/^\/login$/, loginPage],
  [/^\/campaigns$/, campaignsPage],
  [/^\/campaigns\/(\d+)$/, wallboardPage],
  [/^\/campaigns\/(\d+)\/schedules$/, schedulesPage],
  [/^\/campaigns\/(\d+)\/leads$/, leadsPage],
  [/^\/campaigns\/(\d+)\/calls$/, callsPage],
  [/^\/dnc$/, dncPage],
  [/^\/reports$/, reportPage],
];

let leave = null;

function topBar() {
  const user = session.user;
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!user) { nav.replaceChildren(); who.replaceChildren(); return; }
  nav.replaceChildren(h('a', { href: '#/campaigns' }, 'Campaigns'), h('a', { href: '#/reports' }, 'Reports'),
    h('a', { href: '#/dnc' }, 'Do-not-call'));
  who.replaceChildren(user.username + ' (' + user.role.replace('campaign_', '') + ')',
    h('button', { class: 'secondary', id: 'logout', onclick: async () => {
      try { await api('POST', '/logout'); } catch { /* the token may be gone already */ }
      session.clear();
      location.hash = '#/login';
    } }, 'Log out'));
}

async function render() {
  if (leave) { try { leave(); } catch { /* a page's cleanup must not block the next page */ } leave = null; }
  showError(null);
  let path = location.hash.replace(/^#/, '') || '/campaigns';
  if (!session.token && path !== '/login') path = '/login';
  topBar();
  const main = document.getElementById('main');
  main.replaceChildren();
  for (const [re, page] of routes) {
    const m = path.match(re);
    if (!m) continue;
    try {
      leave = (await page(main, ...m.slice(1))) || null;
    } catch (e) {
      showError(e);
      if (e.status === 401) location.hash = '#/login';
    }
    return;
  }
  main.append(h('h1', null, 'Not found'), h('p', null, 'No page at ' + path + '. ', h('a', { href: '#/campaigns' }, 'Campaigns')));
}

/** True when the logged-in user may change campaigns (start, stop, upload, control calls). */
export function canWrite() {
  const u = session.user;
  return !!u && u.role === 'campaign_admin';
}

/** The tabs of a campaign's pages, CURRENT marked. */
export function campaignTabs(id, current) {
  const tabs = [['', 'Wallboard'], ['/leads', 'Leads'], ['/calls', 'Call log'], ['/schedules', 'Schedules']];
  return h('nav', { class: 'tabs', 'aria-label': 'Campaign' }, tabs.map(([p, t]) =>
    h('a', { href: '#/campaigns/' + id + p, 'aria-current': p === current ? 'page' : null }, t)));
}

window.addEventListener('hashchange', render);
window.addEventListener('DOMContentLoaded', render);
if (document.readyState !== 'loading') render();
