/**
 * The dashboard page: one HTML document with its style and script inline, so it works offline and
 * makes no request off the machine (decision 0013: plain DOM, no framework, no build step).
 *
 * The script loads `/ui/tree`, then follows `/events` from the `lastFactId` it got, so no fact
 * falls between the two. Each fact is applied to the drawing at once (status, incarnation,
 * timeline), then `/ui/tree` is read again for what facts do not carry (pids, budgets, specs).
 * A child's sub-status (a singleton's standby or active) changes with no fact at all, so while
 * any node has one the page also re-reads `/ui/tree` every 2 s (decision 0027).
 *
 * @module
 */

const style = `
:root { --bg:#f6f7f9; --panel:#fff; --ink:#1d232b; --mute:#667085; --line:#e3e6ea;
  --running:#1f9d55; --restarting:#d97706; --backoff:#b45309; --stopped:#98a2b3; --failed:#d92d20; --sup:#3b5bdb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
header { display:flex; align-items:center; gap:16px; padding:10px 18px; background:#111827; color:#fff; }
header h1 { font-size:16px; margin:0; font-weight:600; }
header .conn { margin-left:auto; font-size:12px; display:flex; align-items:center; gap:6px; }
header .conn i { width:8px; height:8px; border-radius:50%; background:var(--stopped); display:inline-block; }
header .conn.live i { background:#4ade80; } header .conn.down i { background:#f87171; }
main { display:grid; grid-template-columns: minmax(420px, 1.3fr) minmax(320px, 1fr); gap:14px; padding:14px 18px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
section h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--mute); margin:0 0 8px; }
ul.tree, ul.tree ul { list-style:none; margin:0; padding-left:18px; }
ul.tree { padding-left:0; }
ul.tree ul { border-left:1px dashed var(--line); margin-left:7px; }
.node { display:flex; flex-wrap:wrap; align-items:center; gap:6px 8px; padding:5px 8px; margin:3px 0; border-radius:6px; cursor:pointer; border:1px solid transparent; }
.node:hover { background:#f1f4f8; } .node.selected { border-color:var(--sup); background:#eef2ff; }
.dot { width:10px; height:10px; border-radius:50%; flex:none; background:var(--stopped); }
.s-running .dot { background:var(--running); } .s-restarting .dot, .s-starting .dot { background:var(--restarting); }
.s-backoff .dot { background:var(--backoff); box-shadow:0 0 0 3px #fde68a; } .s-stopped .dot { background:var(--stopped); }
.name { font-weight:600; } .status { font-size:12px; color:var(--mute); }
.substatus { font-size:12px; padding:1px 6px; border-radius:10px; background:#f1f5f9; color:#334155; }
.substatus.st-active { background:#dcfce7; color:#166534; } .substatus.st-fencing, .substatus.st-stopping { background:#fef3c7; color:#92400e; }
.s-restarting .status, .s-backoff .status { color:var(--backoff); font-weight:600; }
.badge { font-size:11px; padding:1px 6px; border-radius:10px; background:#eef0f3; color:#344054; }
.badge.k-supervisor { background:#e0e7ff; color:#3730a3; } .badge.k-process { background:#dcfce7; color:#166534; }
.meta { font-size:12px; color:var(--mute); font-variant-numeric: tabular-nums; }
.budget { display:inline-flex; align-items:center; gap:4px; font-size:12px; color:var(--mute); }
.bar { width:60px; height:6px; border-radius:3px; background:#eef0f3; overflow:hidden; display:inline-block; }
.bar b { display:block; height:100%; background:var(--running); } .bar.warn b { background:var(--restarting); } .bar.full b { background:var(--failed); }
dl { display:grid; grid-template-columns: max-content 1fr; gap:4px 12px; margin:0; font-size:13px; }
dt { color:var(--mute); } dd { margin:0; overflow-wrap:anywhere; }
pre { background:#0f172a; color:#e2e8f0; padding:8px 10px; border-radius:6px; font-size:12px; overflow:auto; max-height:220px; margin:6px 0 0; }
pre .err { color:#fca5a5; }
.actions { margin-top:10px; display:flex; gap:8px; align-items:center; }
button { font:inherit; font-size:13px; padding:4px 10px; border-radius:6px; border:1px solid #d0d5dd; background:#fff; cursor:pointer; }
button:hover { background:#f2f4f7; } button.danger { color:var(--failed); border-color:#fda29b; }
.note { font-size:12px; color:var(--mute); }
#timeline { grid-column: 1 / -1; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th { text-align:left; font-size:11px; color:var(--mute); text-transform:uppercase; letter-spacing:.05em; font-weight:600; }
td, th { padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
tr.fresh td { animation: flash 1.2s ease-out; } @keyframes flash { from { background:#fef3c7; } to { background:transparent; } }
.reason { font-weight:600; } .reason.error, .reason.killed, .reason.timeout { color:var(--failed); }
.empty { color:var(--mute); font-style:italic; }
`;

// Plain DOM: every text goes in through textContent, never innerHTML, so a child's output or an
// error message cannot inject markup.
const script = `
'use strict';
const $ = (sel) => document.querySelector(sel);
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v; else if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) if (kid !== undefined && kid !== null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const state = { tree: null, actions: false, lastId: 0, timeline: [], selected: null, fetchedAt: 0, serverNow: 0, freshIds: new Set() };
let source = null, refreshTimer = null, pollTimer = null;
const SUB_STATUS_POLL_MS = 2000;

function ms(n) {
  if (n === undefined || n === null) return '';
  const s = Math.max(0, Math.round(n / 1000));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
  return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
}
function serverNow() { return state.serverNow + (Date.now() - state.fetchedAt); }
function find(node, path) {
  if (!node) return null;
  if (node.path === path) return node;
  for (const c of node.children || []) { const f = find(c, path); if (f) return f; }
  return null;
}
function statusOf(n) {
  if (n.status === 'restarting' && n.backoffLeftMs !== undefined) {
    const left = n.backoffLeftMs - (Date.now() - state.fetchedAt);
    return { cls: 'backoff', text: 'backing off, ' + ms(Math.max(0, left)) + ' left' };
  }
  if (n.status === 'starting') return { cls: 'starting', text: 'waiting for readiness' };
  return { cls: n.status, text: n.status };
}
// A sub-status is the child's own word: its state, then what a reader needs of the usual fields.
function subStatusText(s) {
  if (!s || typeof s !== 'object') return '';
  const parts = [String(s.state)];
  if (s.heldBy && s.heldBy !== s.holder) parts.push('held by ' + s.heldBy);
  if (s.epoch !== undefined && s.epoch !== null) parts.push('fencing token ' + s.epoch);
  if (s.lease) parts.push('lease ' + s.lease);
  return parts.join(' · ');
}
function hasSubStatus(n) { return !!n && (!!n.subStatus || (n.children || []).some(hasSubStatus)); }
function exitText(exit) {
  if (!exit || typeof exit !== 'object') return '';
  const d = exit.detail;
  let detail = '';
  if (d && typeof d === 'object') detail = d.message || (d.offender ? 'after ' + d.offender + ' failed' : JSON.stringify(d));
  else if (d !== undefined) detail = String(d);
  const code = exit.code !== undefined && exit.code !== null ? ' code ' + exit.code : '';
  const signal = exit.signal ? ' ' + exit.signal : '';
  return exit.reason + code + signal + (detail ? ': ' + detail : '');
}

function renderNode(n) {
  const st = statusOf(n);
  const row = h('div', { class: 'node s-' + st.cls + (state.selected === n.path ? ' selected' : ''), 'data-path': n.path, 'data-status': n.status, onclick: () => { state.selected = n.path; render(); } },
    h('span', { class: 'dot' }),
    h('span', { class: 'name' }, n.id),
    h('span', { class: 'badge k-' + n.kind }, n.kind),
    h('span', { class: 'status' }, st.text),
    n.subStatus ? h('span', { class: 'substatus st-' + n.subStatus.state, 'data-substate': n.subStatus.state, title: JSON.stringify(n.subStatus) }, subStatusText(n.subStatus)) : null,
    n.phase && n.phase !== n.status ? h('span', { class: 'meta', title: 'machine state' }, 'phase ' + n.phase) : null,
    n.strategy ? h('span', { class: 'meta' }, n.strategy) : null,
    n.intensity !== undefined ? budget(n) : null,
    n.path !== (state.tree && state.tree.path) ? h('span', { class: 'meta incarnation' }, '#' + n.incarnation) : null,
    n.restarts ? h('span', { class: 'meta' }, n.restarts + (n.restarts === 1 ? ' restart' : ' restarts')) : null,
    n.startedAt && n.status === 'running' ? h('span', { class: 'meta' }, 'up ' + ms(serverNow() - n.startedAt)) : null,
    n.pid ? h('span', { class: 'meta' }, 'pid ' + n.pid) : null);
  const li = h('li', {}, row);
  if (n.children && n.children.length) li.append(h('ul', {}, [...n.children].reverse().map(renderNode)));
  return li;
}
function budget(n) {
  const used = n.restartsInWindow || 0, max = Math.max(n.intensity, 0);
  const pct = max === 0 ? (used ? 100 : 0) : Math.min(100, (used / max) * 100);
  const bar = h('span', { class: 'bar' + (used > max ? ' full' : used > 0 && used >= max ? ' warn' : '') }, h('b', { style: 'width:' + pct + '%' }));
  return h('span', { class: 'budget', title: 'restarts in the last ' + ms(n.periodMs) + ' against intensity' }, bar, used + '/' + max + ' in ' + ms(n.periodMs));
}

function renderDetails() {
  const box = $('#details');
  box.replaceChildren(h('h2', {}, 'Details'));
  const n = state.selected && find(state.tree, state.selected);
  if (!n) { box.append(h('p', { class: 'empty' }, 'Click a child to see its details.')); return; }
  const rows = [['path', n.path], ['kind', n.kind], ['status', statusOf(n).text], ['ResumeID', n.resumeId], ['incarnation', n.incarnation], ['restarts', n.restarts]];
  if (n.subStatus) rows.splice(3, 0, ['sub-status', subStatusText(n.subStatus)]);
  if (n.pid) rows.push(['pid', n.pid]);
  if (n.startedAt && n.status === 'running') rows.push(['uptime', ms(serverNow() - n.startedAt)]);
  if (n.phase) rows.push(['phase', n.phase]);
  if (n.strategy) rows.push(['strategy', n.strategy]);
  if (n.intensity !== undefined) rows.push(['restart budget', (n.restartsInWindow || 0) + ' used of ' + n.intensity + ' in ' + ms(n.periodMs)]);
  rows.push(['previous exit', n.lastExit ? exitText(n.lastExit) : 'none']);
  box.append(h('dl', { id: 'detail-list' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, String(v))])));
  if (n.spec) box.append(h('h2', { style: 'margin-top:12px' }, 'Spec'), h('pre', {}, JSON.stringify(n.spec, null, 2)));
  if (n.output && n.output.length) {
    const pre = h('pre', { class: 'output' }, n.output.map((o) => h('span', { class: o.stream === 'stderr' ? 'err' : '' }, o.line + '\\n')));
    box.append(h('h2', { style: 'margin-top:12px' }, 'Output (last ' + n.output.length + ' lines)'), pre);
    pre.scrollTop = pre.scrollHeight; // the newest lines in view
  }
  if (n.path === state.tree.path) return;
  if (!state.actions) { box.append(h('p', { class: 'note' }, 'Read-only: actions are off.')); return; }
  if (!token) { box.append(h('p', { class: 'note' }, 'Actions need the token: open the URL printed at start (…/ui#token=…).')); return; }
  const msg = h('span', { class: 'note', id: 'action-result' }, state.actionMsg && state.actionMsg.path === n.path ? state.actionMsg.text : '');
  box.append(h('div', { class: 'actions' },
    h('button', { class: 'danger', 'data-action': 'terminate', onclick: () => act('terminate', n.path) }, 'Terminate'),
    h('button', { 'data-action': 'restart', onclick: () => act('restart', n.path) }, 'Restart'), msg));
}
async function act(action, path) {
  const say = (text) => { state.actionMsg = { path, text }; render(); };
  say(action + '…');
  try {
    const res = await fetch('/ui/actions/' + action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-trellis-token': token || '' }, body: JSON.stringify({ path }) });
    const body = await res.json();
    say(res.ok ? action + ': done' : action + ' refused (' + res.status + '): ' + body.message);
  } catch (e) { say(action + ' failed: ' + e); }
}

function renderTimeline() {
  const rows = [];
  const entries = state.timeline.filter((e) => e.fact.type !== 'sup.child.started' || e.fact.cause !== 'init');
  // Bystanders of a group restart are folded into the crash that caused them.
  const byOffender = new Map();
  for (const e of entries) {
    const f = e.fact;
    if (f.type === 'sup.child.exited' && f.exit && f.exit.reason === 'bystander' && f.exit.detail && f.exit.detail.offender) {
      const key = f.supervisor + '/' + f.exit.detail.offender;
      (byOffender.get(key) || byOffender.set(key, []).get(key)).push(f.child);
    }
  }
  for (const e of [...entries].reverse().slice(0, 60)) {
    const f = e.fact;
    if (f.type === 'sup.child.exited' && f.exit && f.exit.reason === 'bystander') continue;
    const who = f.child ? f.supervisor + '/' + f.child : f.supervisor;
    let what = '', why = null, decision = '', by = '';
    switch (f.type) {
      case 'sup.child.exited':
        what = 'exited #' + f.incarnation; why = f.exit; decision = f.decision;
        if (f.decision === 'restart') by = (byOffender.get(who) || []).join(', ');
        break;
      case 'sup.child.started': what = 'started #' + f.incarnation; decision = f.cause; break;
      case 'sup.child.restarting': what = 'restarting'; decision = f.delayMs ? 'backoff ' + ms(f.delayMs) : 'now'; break;
      case 'sup.child.startFailed': what = 'start failed #' + f.incarnation; why = { reason: 'error', detail: f.error }; break;
      case 'sup.intensity.exceeded': what = 'gave up'; decision = 'more than ' + f.intensity + ' restarts in ' + ms(f.periodMs); break;
      case 'sup.shutdown.timedOut': what = 'killed after ' + f.shutdownMs + ' ms'; break;
      case 'sup.stopping': what = 'supervisor stopping'; why = f.exit; break;
      case 'sup.stopped': what = 'supervisor stopped'; why = f.exit; break;
      case 'sup.child.replaced': what = 'replaced #' + f.previousIncarnation + ' by #' + f.incarnation; break;
      case 'sup.rollingRestart.started': what = 'rolling restart of ' + f.children.length; decision = 'surge ' + f.maxSurge + ', unavailable ' + f.maxUnavailable; break;
      case 'sup.rollingRestart.completed': what = 'rolling restart completed'; decision = f.replaced.length + ' replaced'; break;
      case 'sup.rollingRestart.aborted': what = 'rolling restart aborted'; decision = f.reason + (f.child ? ' (' + f.child + ')' : ''); break;
      default: what = f.type;
    }
    rows.push(h('tr', { class: state.freshIds.has(e.id) ? 'fresh' : '', 'data-id': e.id, 'data-type': f.type },
      h('td', { class: 'meta' }, new Date(e.at).toLocaleTimeString()),
      h('td', {}, who), h('td', {}, what),
      h('td', {}, why ? h('span', { class: 'reason ' + why.reason }, exitText(why)) : ''),
      h('td', {}, decision), h('td', {}, by)));
  }
  $('#timeline-body').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No restarts yet.'))]));
  state.freshIds.clear();
}

function render() {
  $('#root-name').textContent = state.tree ? state.tree.id : '';
  $('#last-id').textContent = 'fact #' + state.lastId;
  $('#tree').replaceChildren(state.tree ? renderNode(state.tree) : h('li', { class: 'empty' }, 'loading…'));
  renderDetails();
  renderTimeline();
}

// Facts are applied at once; the fields facts do not carry come with the next /ui/tree read.
function apply(entry) {
  const f = entry.fact;
  state.timeline.push(entry);
  if (state.timeline.length > 500) state.timeline.shift();
  state.freshIds.add(entry.id);
  const n = f.child !== undefined ? find(state.tree, f.supervisor + '/' + f.child) : find(state.tree, f.supervisor);
  if (!n) return;
  if (f.child !== undefined) delete n.subStatus; // a new incarnation has said nothing yet; an ended one has no say
  if (f.type === 'sup.child.started') { n.status = 'running'; n.incarnation = f.incarnation; n.startedAt = entry.at; if (f.cause === 'restart') n.restarts += 1; delete n.backoffLeftMs; }
  else if (f.type === 'sup.child.exited') { n.status = f.decision === 'restart' ? 'restarting' : 'stopped'; n.incarnation = f.incarnation; n.lastExit = f.exit; }
  else if (f.type === 'sup.child.restarting') { n.status = 'restarting'; }
  else if (f.type === 'sup.stopped') { n.status = 'stopped'; }
}
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => load(false), 150);
}
async function load(reconnect) {
  const res = await fetch('/ui/tree', { cache: 'no-store' });
  const view = await res.json();
  state.tree = view.tree; state.actions = view.actions; state.fetchedAt = Date.now(); state.serverNow = view.now;
  if (reconnect) { state.timeline = view.timeline.slice(); state.lastId = view.lastFactId; connect(view.lastFactId); }
  render();
  schedulePoll();
}
// Sub-statuses change without facts (a lease taken on another host): re-read while any is shown.
function schedulePoll() {
  clearTimeout(pollTimer);
  if (hasSubStatus(state.tree)) pollTimer = setTimeout(() => load(false).catch(() => schedulePoll()), SUB_STATUS_POLL_MS);
}
function connect(after) {
  if (source) source.close();
  // ?after= names where /ui/tree left off; on a reconnect the browser sends Last-Event-ID instead.
  source = new EventSource('/events?after=' + after);
  const conn = $('#conn');
  source.onopen = () => { conn.className = 'conn live'; conn.lastChild.textContent = 'live'; };
  source.onerror = () => { conn.className = 'conn down'; conn.lastChild.textContent = 'reconnecting…'; };
  source.addEventListener('fact', (event) => {
    const data = JSON.parse(event.data);
    state.lastId = Number(event.lastEventId);
    apply({ id: state.lastId, at: data.at, fact: data.fact });
    render();
    scheduleRefresh();
  });
  // Too far behind: the facts missed are gone from the buffer; start again from the tree.
  source.addEventListener('reset', () => load(true));
}
// Uptimes and backoff countdowns move on between facts.
setInterval(() => { if (state.tree) render(); }, 1000);
load(true).catch((e) => { $('#tree').replaceChildren(h('li', { class: 'empty' }, 'cannot load /ui/tree: ' + e)); });
`;

/** The whole page, served as it is by `/ui`. */
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trellis dashboard</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<header><h1>trellis · <span id="root-name"></span></h1><span class="meta" id="last-id" style="color:#9ca3af"></span><span class="conn" id="conn"><i></i><span>connecting…</span></span></header>
<main>
<section><h2>Supervision tree</h2><ul class="tree" id="tree"></ul></section>
<section id="details"></section>
<section id="timeline"><h2>Restart timeline</h2>
<table><thead><tr><th>time</th><th>child</th><th>what</th><th>why</th><th>decision</th><th>bystanders</th></tr></thead><tbody id="timeline-body"></tbody></table>
</section>
</main>
<script>${script}</script>
</body>
</html>
`;
