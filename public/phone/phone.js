// The browser phone of `callscript dev`. Plain JS, no build step, nothing from a CDN.
// Data: GET /phone/api/scripts (scripts and their flow diagrams), POST /phone/api/calls
// (place a call), GET /phone/api/calls/<session> (transcript + the engine's current step),
// and the simulator's control plane: SSE /sim/calls/<session>/events, POST .../act, .../hangup.
import { utterances } from './utterances.js';

const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => [...document.querySelectorAll(selector)];

const state = {
  scripts: [],
  script: null,
  session: null,
  events: null,
  pending: null,
  allowed: [],
  digits: '',
  ended: false,
  spokenBlocks: 0,
};

const ICONS = { dial: '☎', play: '▶', gather: '⌨', record: '●', monitor: '◉', transfer: '↪', hangup: '■', hold: '⏸', unhold: '⏵' };

function showError(message) {
  $('#error').textContent = message ?? '';
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data?.error?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return data;
}

function plural(n, word) {
  return `${n} ${word}${String(n) === '1' ? '' : 's'}`;
}

/** "⌨ gather (1 digit, 10 s, 2 attempts)" — the same words as the terminal. */
function describeBlock(turn) {
  const p = turn.params ?? {};
  let head = `${ICONS[turn.block] ?? ''} ${turn.block}`;
  if ((turn.block === 'transfer' || turn.block === 'dial') && p.to) head += ` to ${p.to}`;
  const parts = [];
  if (turn.block === 'gather') {
    if (p.max_digits) parts.push(plural(p.max_digits, 'digit'));
    if (p.timeout) parts.push(`${p.timeout} s`);
    if (p.attempts) parts.push(plural(p.attempts, 'attempt'));
  }
  if (turn.block === 'record' && p.max_duration) parts.push(`max ${p.max_duration} s`);
  if (parts.length > 0) head += ` (${parts.join(', ')})`;
  return head;
}

function describeMove(move, block) {
  if (!move) return '';
  if ('press' in move) return `pressed ${move.press}`;
  if ('no_input' in move) return 'no input';
  if ('outcome' in move) return block === 'dial' ? `callee: ${move.outcome}` : `transfer ${move.outcome}`;
  if ('hangup' in move) return 'hung up';
  if ('record' in move) return `spoke for ${move.record} s`;
  return '';
}

// --- scripts and the flow diagram ----------------------------------------------------

function selectedDirection() {
  return $$('input[name=direction]').find((r) => r.checked)?.value ?? 'inbound';
}

function renderSetup() {
  const script = state.script;
  $('#direction').disabled = !script;
  if (!script) {
    // Ringing a number: whichever script lists it answers (or nobody does).
    $$('input[name=direction]').forEach((r) => {
      r.checked = r.value === 'inbound';
    });
    $('#script-info').textContent = `Numbers: ${state.scripts.flatMap((s) => s.numbers.map((n) => `${n} (${s.name})`)).join(', ') || 'none'}`;
    $('#from').placeholder = '+6591234567';
    $('#to').placeholder = 'the number to ring';
    $('#vars').replaceChildren();
    $('#graph').replaceChildren();
    $('#step').textContent = '';
    return;
  }
  $('#script-info').textContent = `${script.description || 'no description'} — ${script.numbers.length > 0 ? `numbers: ${script.numbers.join(', ')}` : 'outbound only (no numbers)'}`;
  const outbound = selectedDirection() === 'outbound';
  $('#from').placeholder = outbound ? 'caller id (optional)' : '+6591234567';
  $('#to').placeholder = outbound ? '+6591234567 (the callee)' : (script.numbers[0] ?? '+6560000000');
  const vars = $('#vars');
  vars.replaceChildren();
  if (outbound) {
    for (const [name, value] of Object.entries(script.vars)) {
      const label = document.createElement('label');
      label.className = 'field';
      label.textContent = name;
      const input = document.createElement('input');
      input.dataset.var = name;
      input.placeholder = value === null ? '' : String(value);
      label.append(input);
      vars.append(label);
    }
  }
  $('#graph').innerHTML = script.svg;
  $('#graph').dataset.script = script.name;
  $('#step').textContent = '';
}

function chooseScript(name) {
  state.script = state.scripts.find((s) => s.name === name) ?? null;
  if (!state.script) {
    renderSetup();
    return;
  }
  const outbound = state.script.numbers.length === 0;
  $$('input[name=direction]').forEach((r) => {
    r.checked = r.value === (outbound ? 'outbound' : 'inbound');
  });
  renderSetup();
}

async function loadScripts() {
  const { scripts, app } = await api('GET', '/phone/api/scripts');
  state.scripts = scripts;
  if (app) {
    // `callscript phone --browser`: no scripts, every call rings the app through the provider's simulator.
    $('#app-info').textContent = `Calls ring ${app.url} as ${app.provider} would.`;
    $('#app-info').hidden = false;
    $('#script').closest('label').hidden = true;
    $('#direction').hidden = true;
  }
  const select = $('#script');
  select.replaceChildren(...scripts.map((s) => new Option(s.name, s.name)), new Option('— ring a number —', ''));
  const wanted = new URLSearchParams(location.search).get('script');
  if (wanted && scripts.some((s) => s.name === wanted)) select.value = wanted;
  chooseScript(select.value);
}

function highlight(engine) {
  const svg = $('#graph svg');
  if (!svg) return;
  svg.querySelectorAll('.current, .visited, .taken').forEach((el) => el.classList.remove('current', 'visited', 'taken'));
  if (!engine) return;
  const path = engine.path ?? [];
  for (const id of path) svg.querySelector(`g.node[data-step="${CSS.escape(id)}"]`)?.classList.add('visited');
  for (let i = 1; i < path.length; i++) {
    const edges = [...svg.querySelectorAll(`g.edge[data-from="${CSS.escape(path[i - 1])}"][data-to="${CSS.escape(path[i])}"]`)];
    edges.forEach((e) => e.classList.add('taken'));
  }
  if (engine.step) {
    const node = svg.querySelector(`g.node[data-step="${CSS.escape(engine.step)}"]`);
    if (node && engine.status !== 'ended') node.classList.add('current');
    $('#step').textContent = engine.status === 'ended' ? `ended at ${engine.step}` : `at ${engine.step}`;
  }
}

// --- the call --------------------------------------------------------------------------

function renderTranscript(transcript) {
  const list = $('#transcript');
  list.replaceChildren(
    ...transcript.turns.map((turn) => {
      const li = document.createElement('li');
      li.dataset.block = turn.block;
      const head = document.createElement('span');
      head.className = 'block';
      head.textContent = describeBlock(turn);
      li.append(head);
      if (turn.message) {
        const msg = document.createElement('div');
        msg.className = 'msg';
        msg.textContent = `“${turn.message}”`;
        li.append(msg);
      }
      if (turn.caller) {
        const move = document.createElement('span');
        move.className = 'move';
        move.textContent = `⇢ ${describeMove(turn.caller, turn.block)}`;
        li.append(move);
      }
      if (turn.error) {
        const refused = document.createElement('div');
        refused.className = 'refused';
        refused.textContent = `refused: ${turn.error}`;
        li.append(refused);
      }
      return li;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

function speak(transcript) {
  const turns = transcript.turns;
  for (; state.spokenBlocks < turns.length; state.spokenBlocks++) {
    const msg = turns[state.spokenBlocks]?.message;
    if (msg && $('#speak').checked && 'speechSynthesis' in window) {
      for (const { text, lang } of utterances(msg)) {
        const utterance = new SpeechSynthesisUtterance(text);
        if (lang !== '') utterance.lang = lang;
        window.speechSynthesis.speak(utterance);
      }
    }
  }
}

function renderControls() {
  const pending = state.pending;
  const allowed = new Set(state.allowed);
  const live = state.session !== null && !state.ended;
  const gather = pending?.block === 'gather';
  $$('#keypad button').forEach((b) => {
    b.disabled = !gather;
  });
  $('#send').disabled = !gather || state.digits === '';
  $('#no-input').disabled = !allowed.has('no-input');
  $('#record').disabled = !allowed.has('record');
  $$('#outcomes button').forEach((b) => {
    b.disabled = !allowed.has('outcome');
  });
  $('#hangup').disabled = !live;
  $('#start').disabled = live;
  $('#digits').textContent = state.digits;
  const status = state.session === null ? 'idle' : state.ended ? 'ended' : pending ? `waiting: ${pending.block}` : 'in call';
  $('#status').textContent = status;
  $('#phone').dataset.state = state.ended ? 'ended' : pending ? pending.block : live ? 'busy' : 'idle';
  let ask = '';
  if (gather) ask = `Press up to ${pending.maxDigits || 'any number of'} key${pending.maxDigits === 1 ? '' : 's'}${pending.maxDigits === 1 ? '' : ', then Send (or #)'}.`;
  else if (pending?.block === 'transfer') ask = `Transfer to ${pending.dest}: how does it go?`;
  else if (pending?.block === 'dial') ask = `The engine dials ${pending.dest}: answer?`;
  else if (pending?.block === 'record') ask = 'Recording: leave a message, or hang up.';
  $('#ask').textContent = ask;
}

async function refresh() {
  if (!state.session) return;
  const session = state.session;
  const data = await api('GET', `/phone/api/calls/${encodeURIComponent(session)}`);
  if (state.session !== session) return;
  state.pending = data.call.pending;
  state.allowed = data.call.allowedActions;
  if (data.call.state === 'ended') state.ended = true;
  renderTranscript(data.transcript);
  speak(data.transcript);
  // A rung number shows the flow of the script that answered it.
  const answering = data.engine ? state.scripts.find((s) => s.name === data.engine.script) : null;
  if (answering && $('#graph').dataset.script !== answering.name) {
    $('#graph').innerHTML = answering.svg;
    $('#graph').dataset.script = answering.name;
  }
  highlight(data.engine);
  const last = data.transcript.turns.at(-1);
  $('#now').textContent = last ? `${describeBlock(last)}${last.message ? ` — “${last.message}”` : ''}` : 'Ringing…';
  if (state.ended) {
    const end = data.transcript.end;
    $('#ended').textContent = end ? `Call ended: ${end.reason}${end.outcome ? ` (outcome: ${end.outcome})` : ''}.` : 'Call ended.';
    state.events?.close();
  }
  renderControls();
}

let refreshing = Promise.resolve();
function scheduleRefresh() {
  refreshing = refreshing.then(refresh).catch((err) => showError(err.message));
}

async function act(action) {
  if (!state.session) return;
  try {
    state.digits = '';
    state.pending = null;
    renderControls();
    await api('POST', `/sim/calls/${encodeURIComponent(state.session)}/act`, action);
  } catch (err) {
    showError(err.message);
  }
  scheduleRefresh();
}

async function startCall() {
  showError('');
  const script = state.script;
  const outbound = script !== null && selectedDirection() === 'outbound';
  const vars = {};
  for (const input of $$('#vars input')) if (input.value !== '') vars[input.dataset.var] = input.value;
  try {
    const { session } = await api('POST', '/phone/api/calls', {
      script: script?.name ?? '',
      outbound,
      from: $('#from').value.trim(),
      to: $('#to').value.trim(),
      vars,
    });
    state.events?.close();
    Object.assign(state, { session, ended: false, pending: null, allowed: [], digits: '', spokenBlocks: 0 });
    $('#graph').innerHTML = script?.svg ?? '';
    $('#graph').dataset.script = script?.name ?? '';
    $('#ended').textContent = '';
    $('#transcript').replaceChildren();
    renderControls();
    const events = new EventSource(`/sim/calls/${encodeURIComponent(session)}/events`);
    state.events = events;
    events.addEventListener('entry', () => scheduleRefresh());
    events.onerror = () => {
      if (state.ended) events.close();
    };
  } catch (err) {
    showError(err.message);
  }
}

function pressKey(key) {
  const pending = state.pending;
  if (pending?.block !== 'gather') return;
  if (key === '#') {
    void act({ type: 'press', digits: `${state.digits}#` });
    return;
  }
  state.digits += key;
  renderControls();
  if (pending.maxDigits > 0 && state.digits.length >= pending.maxDigits) void act({ type: 'press', digits: state.digits });
}

function wire() {
  $('#script').addEventListener('change', (e) => chooseScript(e.target.value));
  $$('input[name=direction]').forEach((r) => r.addEventListener('change', renderSetup));
  $('#start').addEventListener('click', () => void startCall());
  $$('#keypad button').forEach((b) => b.addEventListener('click', () => pressKey(b.dataset.key)));
  $('#send').addEventListener('click', () => void act({ type: 'press', digits: state.digits }));
  $('#no-input').addEventListener('click', () => void act({ type: 'no-input' }));
  $('#record').addEventListener('click', () => void act({ type: 'record', seconds: 3 }));
  $$('#outcomes button').forEach((b) => b.addEventListener('click', () => void act({ type: 'outcome', outcome: b.dataset.outcome })));
  $('#hangup').addEventListener('click', async () => {
    if (!state.session) return;
    await api('POST', `/sim/calls/${encodeURIComponent(state.session)}/hangup`).catch((err) => showError(err.message));
    scheduleRefresh();
  });
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (/^[0-9*#]$/.test(e.key)) pressKey(e.key);
    if (e.key === 'Enter' && state.pending?.block === 'gather' && state.digits !== '') void act({ type: 'press', digits: state.digits });
  });
}

wire();
renderControls();
loadScripts().catch((err) => showError(err.message));
