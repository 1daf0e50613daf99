// A campaign's wallboard: live figures, charts over the last hour, and the calls that are up,
// kept current by the campaign's server-sent events and a poll of its live figures.
import { api, stream } from './api.js';
import { h, table, showError } from './dom.js';
import { drawLines, COLORS, NS } from './chart.js';
import { canWrite, campaignTabs } from './app.js';
import { startStop } from './page_campaigns.js';

const HOUR = 3600e3;

// A legend's colour square (set through the CSSOM: the page's policy refuses inline style attributes).
function swatch(color) {
  const i = h('i');
  i.style.background = color;
  return i;
}
// Samples survive moving between this campaign's pages (not a reload): the charts keep their hour.
const history = new Map();

/** One chart sample: the live figures, and the agents ready and talking (GET .../agents: each
 * agent's reported state, a call hark handed to one counting as talking; or, when no agent
 * reports itself, the contact center's aggregate freeAgents as ready). */
function sampleOf(live, agents) {
  const list = (agents && agents.agents) || [];
  const talking = list.filter(a => a.state === 'talking' || (a.state === 'ready' && a.heldByAttempt !== null)).length;
  return { t: Date.now(), ...live, up: live.dialing + live.ringing + live.connected,
           ready: agents ? agents.ready : 0, talking };
}

/** Call-control routes exist once the server has them (GET /openapi.json says). */
async function callControl() {
  try {
    const doc = await fetch('/openapi.json').then(r => r.json());
    return !!doc.paths['/api/v1/calls/{id}/hangup'];
  } catch { return false; }
}

export async function wallboardPage(main, id) {
  const title = h('h1');
  const actions = h('div');
  const tiles = h('div', { class: 'tiles', id: 'tiles', 'aria-live': 'polite' });
  const charts = h('div', { class: 'charts' });
  const callsBox = h('div', { id: 'active-calls' });
  const streamNote = h('p', { class: 'note' });
  main.append(campaignTabs(id, ''), title, actions, tiles, charts, h('h2', null, 'Calls up'), streamNote, callsBox);

  const chartDefs = [
    ['Calls per second and calls up', s => [['calls/s', s.callsPerSecond], ['calls up', s.up]]],
    ['Answers and transfers (per minute)', null],
    ['AMD mix (share of verdicts)', null],
    ['Abandon rate (% of answered)', null],
    ['Agents ready and talking', s => [['ready', s.ready], ['talking', s.talking]]],
  ];
  const svgs = chartDefs.map(([t]) => {
    const svg = document.createElementNS(NS, 'svg');
    svg.dataset.chart = t;
    const legend = h('div', { class: 'legend' });
    charts.append(h('figure', { class: 'chart' }, h('h3', null, t), svg, legend));
    return { svg, legend };
  });

  const samples = history.get(id) || [];
  history.set(id, samples);
  let campaign = null;
  const calls = new Map();  // attemptId -> {number, state, since, verdict}
  const control = canWrite() && await callControl();

  function perMinute(key) {
    // The growth of a running count over the last minute (at least 10 s of samples), per minute.
    const pts = [];
    let j = 0;
    for (let i = 1; i < samples.length; i++) {
      while (samples[i].t - samples[j].t > 60e3) j++;
      const dt = samples[i].t - samples[j].t;
      if (dt >= 10e3) pts.push([samples[i].t, (Math.max(0, samples[i][key] - samples[j][key]) * 60e3) / dt]);
    }
    return pts;
  }
  function drawCharts() {
    const now = Date.now();
    // The last hour, or less while the page has watched less (but at least 5 minutes).
    const windowMs = Math.min(HOUR, Math.max(5 * 60e3, samples.length ? now - samples[0].t : 0));
    const series = [
      [{ name: 'calls/s', points: samples.map(s => [s.t, s.callsPerSecond]) },
       { name: 'calls up', points: samples.map(s => [s.t, s.up]) }],
      [{ name: 'answers', points: perMinute('answered') }, { name: 'transfers', points: perMinute('transferredToAgents') }],
      ['transferredToAgents', 'machines', 'faxOrSit'].map(k => ({
        name: k === 'transferredToAgents' ? 'people' : k === 'faxOrSit' ? 'fax/SIT' : 'machines',
        points: samples.map(s => {
          const all = s.transferredToAgents + s.machines + s.faxOrSit + s.dropped;
          return [s.t, all ? (100 * (k === 'transferredToAgents' ? s[k] + s.dropped : s[k])) / all : 0];
        }) })),
      [{ name: 'abandoned', points: samples.map(s => [s.t, s.answered ? (100 * s.dropped) / s.answered : 0]) }],
      [{ name: 'ready', points: samples.map(s => [s.t, s.ready]) },
       { name: 'talking', points: samples.map(s => [s.t, s.talking]) }],
    ];
    series.forEach((ss, i) => {
      drawLines(svgs[i].svg, ss, { nowMs: now, windowMs, unit: i === 2 || i === 3 ? '%' : '', ceiling: i === 2 || i === 3 ? 100 : Infinity });
      svgs[i].legend.replaceChildren(...ss.map((s, j) =>
        h('span', null, swatch(COLORS[j % COLORS.length]), s.name)));
    });
  }
  function drawTiles(live) {
    const t = (k, v) => h('div', { class: 'tile', 'data-figure': k }, h('div', { class: 'v' }, String(v)), h('div', { class: 'k' }, k));
    tiles.replaceChildren(
      t('placed', live.placed), t('answered', live.answered), t('transferred', live.transferredToAgents),
      t('machines', live.machines), t('fax/SIT', live.faxOrSit), t('abandoned', live.dropped),
      t('failed', live.failed), t('do-not-call', live.doNotCall),
      t('calls up', live.dialing + live.ringing + live.connected), t('calls/s', live.callsPerSecond.toFixed(1)));
  }
  function drawHeader() {
    title.replaceChildren(campaign.name + ' ', h('span', { class: 'state ' + campaign.state, id: 'state' }, campaign.state));
    actions.replaceChildren();
    if (campaign.lastError) actions.append(h('p', { class: 'error' }, 'Paused: ' + campaign.lastError));
    if (canWrite())
      actions.append(campaign.state === 'STARTED'
        ? h('button', { class: 'danger', id: 'stop', onclick: () => startStop(id, 'stop', poll) }, 'Stop campaign')
        : h('button', { id: 'start', onclick: () => startStop(id, 'start', poll) }, 'Start campaign'));
  }
  async function command(attemptId, what, body) {
    try {
      await api('POST', '/calls/' + attemptId + '/' + what, body ? { body } : {});
    } catch (e) { showError('Could not ' + what + ' call ' + attemptId + ': ' + e.message); }
  }
  function drawCalls() {
    const rows = [...calls.entries()].map(([aid, c]) => ({ aid, ...c }));
    const cols = [
      { title: 'Call', get: r => String(r.aid) },
      { title: 'Number', get: r => r.number },
      { title: 'State', get: r => r.state },
      { title: 'Verdict', get: r => r.verdict || '' },
      { title: 'For', num: true, get: r => Math.round((Date.now() - r.since) / 1000) + ' s' },
    ];
    if (control)
      cols.push({ title: 'Control', get: r => h('span', null,
        h('button', { class: 'danger', 'data-hangup': r.aid, onclick: () => command(r.aid, 'hangup') }, 'Hang up'), ' ',
        h('button', { class: 'secondary', onclick: () => {
          const target = prompt('Transfer call ' + r.aid + ' to:');
          if (target) command(r.aid, 'transfer', { target });
        } }, 'Transfer')) });
    callsBox.replaceChildren(rows.length ? table(cols, rows, { id: 'calls-up' })
      : h('p', { id: 'no-calls' }, 'No calls up.'));
    callsBox.dataset.count = String(rows.length);
  }
  async function poll() {
    campaign = await api('GET', '/campaigns/' + id);
    drawHeader();
    let live = null;
    try { live = await api('GET', '/campaigns/' + id + '/live'); } catch (e) {
      tiles.replaceChildren(h('p', { class: 'note' }, 'No live figures here: ' + e.message));
    }
    if (live) {
      const agents = await api('GET', '/campaigns/' + id + '/agents').catch(() => null);
      samples.push(sampleOf(live, agents));
      while (samples.length && samples[0].t < Date.now() - HOUR) samples.shift();
      drawTiles(live);
    }
    drawCharts();
    drawCalls();
  }
  await poll();
  const timer = setInterval(() => poll().catch(showError), 2000);
  const stop = stream('/campaigns/' + id + '/events', (name, e) => {
    if (name !== 'call' || typeof e !== 'object') return;
    if (e.state === 'ended') calls.delete(e.attemptId);
    else {
      const c = calls.get(e.attemptId) || { number: e.number, since: Date.now() };
      c.state = e.state;
      if (e.verdict) c.verdict = e.verdict;
      calls.set(e.attemptId, c);
    }
    drawCalls();
  }, (st, err) => {
    streamNote.textContent = st === 'open' ? 'Live: following the campaign\'s call events.'
      : 'The event stream broke (' + (err && err.message) + '); reconnecting...';
  });
  return () => { clearInterval(timer); stop(); };
}
