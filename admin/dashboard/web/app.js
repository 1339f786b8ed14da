/* meshlb live dashboard: plain ES2020, no build step. Live state from the SSE stream /events
   (one "tick" a second), history from /analytics/series, charts with uPlot, alert ack/silence
   through the admin API. Server strings are untrusted: the DOM is built with textContent only. */
'use strict';

(function () {
  const WINDOW_S = 15 * 60;
  const MIN_SPAN_S = 120;
  const TOKEN_KEY = 'meshlb.adminToken';
  const DASH = '–';
  const STALE_MS = 4000;     // no event for this long: the indicator says reconnecting
  const DEAD_MS = 10000;     // ... and for this long: drop the stream and open a new one
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 5000;
  const LOCAL_MARK_MS = 15000;  // how long an ack/silence done here shows before the server has it

  // ---- small DOM helpers --------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  // h('td', {class: 'num', dataset: {x: 1}}, 'text', child): never parses HTML.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') el.className = value;
        else if (key === 'dataset') Object.assign(el.dataset, value);
        else if (key === 'title') el.title = String(value);
        else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children) append(el, child);
    return el;
  }
  function append(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach((c) => append(el, c));
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  function setChildren(el, ...children) {
    el.replaceChildren();
    for (const child of children) append(el, child);
  }
  function setText(el, text) {
    const value = String(text);
    if (el.textContent !== value) el.textContent = value;
  }
  function setData(el, key, value) {
    const v = String(value);
    if (el.dataset[key] !== v) el.dataset[key] = v;
  }

  // Keeps container's children in the order of `items`, one element per key: existing elements
  // are updated in place (so a button under the pointer survives a tick), new ones created,
  // gone ones removed.
  function reconcile(container, items, keyOf, create, update) {
    const existing = new Map();
    for (const child of Array.from(container.children)) {
      if (child.__key !== undefined) existing.set(child.__key, child);
      else child.remove();
    }
    let cursor = container.firstElementChild;
    for (const item of items) {
      const key = keyOf(item);
      let el = existing.get(key);
      if (el) existing.delete(key);
      else {
        el = create(item);
        el.__key = key;
      }
      update(el, item);
      if (el !== cursor) container.insertBefore(el, cursor);
      else cursor = cursor.nextElementSibling;
    }
    for (const el of existing.values()) el.remove();
  }

  // ---- formatting ---------------------------------------------------------------------------

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

  function fmtNumber(v, digits) {
    return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function fmtRate(v) {
    if (!isNum(v)) return DASH;
    if (v === 0) return '0';
    if (Math.abs(v) < 10) return fmtNumber(v, 1);
    return fmtNumber(v, 0);
  }
  function fmtMs(v) {
    if (!isNum(v)) return DASH;
    if (v === 0) return '0';
    if (Math.abs(v) < 1) return fmtNumber(v, 2);
    if (Math.abs(v) < 100) return fmtNumber(v, 1);
    return fmtNumber(v, 0);
  }
  function fmtPct(ratio) {
    if (!isNum(ratio)) return DASH;
    const p = ratio * 100;
    if (p === 0) return '0';
    if (p < 0.1) return fmtNumber(p, 3);
    if (p < 10) return fmtNumber(p, 2);
    return fmtNumber(p, 1);
  }
  // Axis ticks: as many decimals as the tick needs (0.25, 2.5, 250, 1.2k).
  function fmtAxis(v) {
    if (!isNum(v)) return '';
    if (Math.abs(v) >= 10000) return String(+(v / 1000).toFixed(1)) + 'k';
    return String(+v.toFixed(4));
  }
  function fmtBytes(v) {
    if (!isNum(v)) return DASH;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? String(v) : fmtNumber(v, v < 10 ? 1 : 0)) + ' ' + units[i];
  }
  function fmtDuration(ms) {
    if (!isNum(ms)) return DASH;
    let s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + 's';
    const d = Math.floor(s / 86400); s -= d * 86400;
    const hr = Math.floor(s / 3600); s -= hr * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d > 0) return d + 'd ' + hr + 'h';
    if (hr > 0) return hr + 'h ' + m + 'm';
    return m + 'm ' + s + 's';
  }
  function fmtClock(unixMs) {
    if (!isNum(unixMs)) return DASH;
    const d = new Date(unixMs);
    const pad = (n) => String(n).padStart(2, '0');
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function fmtMetricValue(value, unit) {
    if (!isNum(value)) return DASH;
    if (unit === 'ratio') return fmtPct(value) + '%';
    if (unit === 'ms') return fmtMs(value) + ' ms';
    if (unit === 'bytes/s') return fmtBytes(value) + '/s';
    if (unit === '1/s') return fmtRate(value) + '/s';
    return fmtRate(value);
  }
  const words = (s) => String(s == null ? '' : s).replace(/_/g, ' ');

  // ---- state --------------------------------------------------------------------------------

  const state = {
    server: null,
    clusters: [],          // /clusters .clusters
    summary: null,         // /analytics/summary or null
    anomalies: null,       // /analytics/anomalies?state=open or null
    alerts: null,          // /alerts or null
    flows: null,           // /flows?limit=20 or null
    serverNowMs: 0,        // unix_ms of the last tick
    receivedAt: 0,         // performance.now() of the last event
    selection: { cluster: null, host: null },  // host null: the cluster as a whole
    prevStats: new Map(),  // fallback rates without analytics: key -> {t, responses, errors}
    localAcks: new Map(),  // alert id -> {ack, until}
    localSilences: new Map(),  // alert id -> until
    busy: new Set(),       // alert ids with a write in flight
    alertErrors: new Map(),  // alert id -> message
    historyNote: '',
  };

  // ---- admin API (fetch with the optional bearer token) -------------------------------------

  function getToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }
  function setToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage unavailable: the token lasts for this request only */ }
  }

  let tokenPrompt = null;  // {promise, resolve} while the form is open

  // Shows the inline token form; resolves with the token entered, or '' when cancelled.
  function askToken(message) {
    if (tokenPrompt) return tokenPrompt.promise;
    const form = $('token-form');
    setText($('token-label'), message);
    form.hidden = false;
    const input = $('token-input');
    input.value = '';
    input.focus();
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    tokenPrompt = { promise, resolve };
    return promise;
  }
  function closeTokenPrompt(token) {
    if (!tokenPrompt) return;
    const { resolve } = tokenPrompt;
    tokenPrompt = null;
    $('token-form').hidden = true;
    resolve(token);
  }

  class ApiError extends Error {
    constructor(status, body, fallback) {
      const detail = body && typeof body === 'object' ? (body.detail || body.error) : '';
      super(detail ? String(detail) : fallback);
      this.status = status;
      this.body = body;
    }
  }

  // Any admin call: on 401 asks for the token (inline form), keeps it in sessionStorage, retries.
  async function api(method, path, body) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const headers = { Accept: 'application/json' };
      const token = getToken();
      if (token) headers.Authorization = 'Bearer ' + token;
      const init = { method, headers, cache: 'no-store' };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const response = await fetch(path, init);
      let parsed = null;
      const text = await response.text();
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          parsed = null;
        }
      }
      if (response.status === 401) {
        const entered = await askToken(token ? 'Token rejected; admin token' : 'Admin token required');
        if (!entered) throw new ApiError(401, parsed, 'an admin token is required');
        setToken(entered);
        continue;
      }
      if (!response.ok) throw new ApiError(response.status, parsed, method + ' ' + path + ': HTTP ' + response.status);
      return parsed;
    }
    throw new ApiError(401, null, 'the admin token was not accepted');
  }

  // ---- selection ----------------------------------------------------------------------------

  function clusterByName(name) {
    return state.clusters.find((c) => c.name === name) || null;
  }

  function ensureSelection() {
    const sel = state.selection;
    let cluster = sel.cluster === null ? null : clusterByName(sel.cluster);
    if (!cluster && state.clusters.length > 0) {
      select(state.clusters[0].name, null);
      return;
    }
    if (cluster && sel.host !== null && !(cluster.hosts || []).some((x) => x.address === sel.host)) {
      select(cluster.name, null);
    }
  }

  function select(cluster, host) {
    const sel = state.selection;
    if (sel.cluster === cluster && sel.host === host) return;
    sel.cluster = cluster;
    sel.host = host;
    renderHosts();
    renderSelection();
    loadHistory();
  }

  function renderSelection() {
    const sel = state.selection;
    const text = sel.cluster === null ? '' : sel.host === null ? 'cluster ' + sel.cluster + ' (all hosts)'
      : sel.cluster + ' / ' + sel.host;
    setText($('chart-selection'), text);
  }

  // ---- chart data ---------------------------------------------------------------------------

  const CHARTS = [
    {
      id: 'latency',
      el: 'chart-latency',
      series: [
        { metric: 'latency_p99_ms', label: 'p99 latency', stroke: '#f0883e', scale: 'ms', unit: 'ms' },
        { metric: 'rtt_p50_ms', label: 'RTT p50', stroke: '#39c5cf', scale: 'rtt', unit: 'ms' },
      ],
      axes: [
        { scale: 'ms', label: 'latency ms' },
        { scale: 'rtt', label: 'RTT ms', side: 1 },
      ],
    },
    {
      id: 'traffic',
      el: 'chart-traffic',
      series: [
        { metric: 'rps', label: 'requests/s', stroke: '#58a6ff', fill: 'rgba(88,166,255,0.10)', scale: 'rps', unit: '' },
        { metric: 'error_ratio', label: 'errors', stroke: '#f85149', scale: 'pct', unit: '%', percent: true },
      ],
      axes: [
        { scale: 'rps', label: 'req/s' },
        { scale: 'pct', label: 'errors %', side: 1 },
      ],
    },
  ];
  const METRICS = CHARTS.flatMap((c) => c.series.map((s) => s.metric));

  const data = {
    key: '',
    generation: 0,
    loading: false,
    t: [],                                   // unix seconds
    values: Object.fromEntries(METRICS.map((m) => [m, []])),
    pending: [],                             // live samples that came while history loaded
  };

  function selectionKey() {
    const sel = state.selection;
    return JSON.stringify([sel.cluster, sel.host]);
  }

  function clearData() {
    data.t = [];
    for (const m of METRICS) data.values[m] = [];
  }

  let historyRetry = null;

  async function loadHistory() {
    clearTimeout(historyRetry);
    const sel = state.selection;
    const generation = ++data.generation;
    data.key = selectionKey();
    data.loading = true;
    data.pending = [];
    clearData();
    drawCharts();
    if (sel.cluster === null) {
      data.loading = false;
      return;
    }
    const fetchOne = (metric) => {
      const params = new URLSearchParams({ metric, cluster: sel.cluster });
      if (sel.host !== null) params.set('host', sel.host);
      params.set('from', '-15m');
      return api('GET', '/analytics/series?' + params.toString());
    };
    const results = await Promise.allSettled(METRICS.map(fetchOne));
    if (generation !== data.generation) return;  // the selection changed meanwhile
    const byTime = new Map();
    let failure = null;
    results.forEach((result, i) => {
      if (result.status !== 'fulfilled') {
        failure = failure || result.reason;
        return;
      }
      const points = (result.value && result.value.points) || [];
      for (const point of points) {
        if (!Array.isArray(point) || !isNum(point[0])) continue;
        let row = byTime.get(point[0]);
        if (!row) byTime.set(point[0], (row = {}));
        row[METRICS[i]] = isNum(point[1]) ? point[1] : null;
      }
    });
    const times = Array.from(byTime.keys()).sort((a, b) => a - b);
    for (const t of times) pushSample(t, byTime.get(t));
    for (const sample of data.pending) pushSample(sample.t, sample.values);
    data.pending = [];
    data.loading = false;
    if (failure) {
      const status = failure.status;
      const code = failure.body && failure.body.error;
      if (code === 'analytics_disabled') state.historyNote = 'analytics disabled: live values only';
      else if (status === 503 || status === undefined) {
        state.historyNote = 'history not available yet; retrying';
        historyRetry = setTimeout(() => { if (generation === data.generation) loadHistory(); }, 2000);
      } else state.historyNote = 'history: ' + failure.message;
    } else state.historyNote = '';
    setText($('chart-note'), state.historyNote);
    trimData();
    drawCharts();
  }

  // Adds one point (t in unix ms) at the end; a point at the same time replaces the last one.
  function pushSample(tMs, values) {
    const t = tMs / 1000;
    const n = data.t.length;
    if (n > 0 && t < data.t[n - 1]) return;  // older than what we have: history already has it
    const replace = n > 0 && t === data.t[n - 1];
    if (!replace) data.t.push(t);
    const i = data.t.length - 1;
    for (const m of METRICS) {
      const v = values[m];
      data.values[m][i] = isNum(v) ? v : replace ? data.values[m][i] : null;
    }
  }

  function trimData() {
    const n = data.t.length;
    if (n === 0) return;
    const newest = Math.max(data.t[n - 1], state.serverNowMs / 1000);
    let drop = 0;
    while (drop < n && data.t[drop] < newest - WINDOW_S) drop++;
    if (drop > 0) {
      data.t.splice(0, drop);
      for (const m of METRICS) data.values[m].splice(0, drop);
    }
  }

  // The current values of the selection from a tick's summary (or the fallback without one).
  function currentValues() {
    const sel = state.selection;
    if (sel.cluster === null || !state.summary) return null;
    const cluster = (state.summary.clusters || []).find((c) => c.name === sel.cluster);
    if (!cluster) return null;
    if (sel.host === null) return cluster.current || null;
    const host = (cluster.hosts || []).find((x) => x.host === sel.host);
    return host ? host.current || null : null;
  }

  function appendLive() {
    const values = currentValues();
    if (!values || !state.summary || !isNum(state.summary.tick_unix_ms)) return;
    const sample = { t: state.summary.tick_unix_ms, values };
    if (data.key !== selectionKey()) return;
    if (data.loading) {
      data.pending.push(sample);
      return;
    }
    pushSample(sample.t, sample.values);
    trimData();
    drawCharts();
  }

  // ---- charts (uPlot) -----------------------------------------------------------------------

  const plots = new Map();  // chart id -> uPlot

  function chartData(chart) {
    return [data.t.slice(), ...chart.series.map((s) => {
      const values = data.values[s.metric];
      return data.t.map((_, i) => {
        const v = values[i];
        return isNum(v) ? (s.percent ? v * 100 : v) : null;
      });
    })];
  }

  // Without the pointer over a chart its legend shows the newest values instead of dashes.
  function showNewest(u) {
    if (u.cursor.idx != null && u.cursor.left >= 0) return;
    const xs = u.data[0] || [];
    for (let i = xs.length - 1; i >= 0; i--) {
      if (u.data.some((col, s) => s > 0 && col[i] != null)) {
        u.setLegend({ idx: i }, false);
        return;
      }
    }
  }

  // The time of the first point with a value (history comes padded with nulls).
  function oldestWithData(fallback) {
    for (let i = 0; i < data.t.length; i++) {
      if (METRICS.some((m) => isNum(data.values[m][i]))) return data.t[i];
    }
    return fallback;
  }

  function zeroBased(u, min, max) {
    if (!isNum(max) || max <= 0) return [0, 1];
    return [0, max * 1.12];
  }

  function makePlot(chart) {
    const container = $(chart.el);
    const axisColor = '#8b95a3';
    const gridColor = 'rgba(139,149,163,0.13)';
    const font = '11px system-ui, "DejaVu Sans", sans-serif';
    const scales = {
      x: {
        time: true,
        // Up to the last 15 minutes; while there is less history than that, what there is
        // (at least MIN_SPAN_S) fills the width.
        range: (u, min, max) => {
          const newest = Math.max(isNum(max) ? max : 0, state.serverNowMs / 1000, data.t.length ? data.t[data.t.length - 1] : 0)
            || Date.now() / 1000;
          const oldest = oldestWithData(newest);
          return [Math.max(newest - WINDOW_S, Math.min(oldest, newest - MIN_SPAN_S)), newest];
        },
      },
    };
    for (const s of chart.series) scales[s.scale] = { auto: true, range: zeroBased };
    const opts = {
      width: Math.max(300, container.clientWidth),
      height: 200,
      pxAlign: 0,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: true, live: true },
      hooks: { draw: [showNewest], setCursor: [showNewest] },
      scales,
      series: [
        { label: 'time', value: (u, v) => (v == null ? DASH : fmtClock(v * 1000)) },
        ...chart.series.map((s) => ({
          label: s.label,
          scale: s.scale,
          stroke: s.stroke,
          fill: s.fill,
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          value: (u, v) => (v == null ? DASH : (s.scale === 'pct' ? fmtNumber(v, 2) : s.scale === 'rps' ? fmtRate(v) : fmtMs(v)) + (s.unit ? ' ' + s.unit : '')),
        })),
      ],
      axes: [
        {
          stroke: axisColor, font, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1, size: 4 }, space: 60,
          values: (u, splits, axis, space, incr) => splits.map((v) => fmtClock(v * 1000).slice(0, incr < 60 ? 8 : 5)),
        },
        ...chart.axes.map((a) => ({
          scale: a.scale,
          side: a.side === 1 ? 1 : 3,
          stroke: axisColor,
          font,
          labelFont: font,
          label: a.label,
          labelSize: 16,
          size: 48,
          grid: a.side === 1 ? { show: false } : { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1, size: 4 },
          values: (u, splits) => splits.map(fmtAxis),
        })),
      ],
    };
    const plot = new uPlot(opts, chartData(chart), container);
    plots.set(chart.id, plot);
  }

  function drawCharts() {
    if (typeof uPlot === 'undefined') return;
    for (const chart of CHARTS) {
      const plot = plots.get(chart.id);
      if (!plot) makePlot(chart);
      else plot.setData(chartData(chart), true);
    }
  }

  function resizeCharts() {
    for (const chart of CHARTS) {
      const plot = plots.get(chart.id);
      if (!plot) continue;
      const width = Math.max(300, $(chart.el).clientWidth);
      if (Math.abs(plot.width - width) > 1) plot.setSize({ width, height: plot.height });
    }
  }

  function chartPoints(chart) {
    let points = 0;
    for (let i = 0; i < data.t.length; i++) {
      if (chart.series.some((s) => isNum(data.values[s.metric][i]))) points++;
    }
    return points;
  }

  // ---- header -------------------------------------------------------------------------------

  function renderHeader() {
    const server = state.server;
    if (server) {
      setText($('version'), server.version ? 'v' + server.version : DASH);
      const st = $('server-state');
      setText(st, server.state || '');
      st.className = 'server-state' + (server.state === 'draining' ? ' draining' : '');
      const meta = $('server-meta');
      const item = (label, value) => h('span', null, label + ' ', h('b', null, value));
      setChildren(meta,
        item('uptime', fmtDuration((server.uptime_seconds || 0) * 1000)),
        item('workers', server.workers ?? DASH),
        item('clusters', server.clusters ?? state.clusters.length),
        item('config gen', server.config_generation ?? DASH),
        server.admin_token_required ? h('span', { title: 'writes need the admin token' }, 'token required') : null);
    }
    renderUpdated();
  }

  function renderUpdated() {
    const el = $('updated');
    if (!state.serverNowMs) return;
    setText(el, 'updated ' + fmtClock(state.serverNowMs));
    el.classList.toggle('stale', performance.now() - state.receivedAt > STALE_MS);
  }

  function setStream(mode) {
    const el = $('stream-state');
    if (el.dataset.state === mode) return;
    el.dataset.state = mode;
    setText(el.querySelector('.label'), mode);
  }

  // ---- clusters and hosts -------------------------------------------------------------------

  function hostHealth(host) {
    const st = typeof host.state === 'string' ? host.state : '';
    const failed = host.failed_active_check === true || st === 'unhealthy';
    if (failed) return { cls: 'unhealthy', text: st === 'draining' ? 'unhealthy, draining' : 'unhealthy', down: true };
    if (st === 'ejected' || host.ejected === true) return { cls: 'ejected', text: 'ejected' };
    if (st === 'draining') return { cls: 'draining', text: 'draining' };
    if (st === 'healthy') return { cls: 'healthy', text: 'healthy' };
    return { cls: 'unknown', text: st || 'unknown' };
  }

  function summaryCluster(name) {
    if (!state.summary) return null;
    return (state.summary.clusters || []).find((c) => c.name === name) || null;
  }

  // Request rate, error ratio, p99 and RTT of a host: the analytics' current values, or, with
  // analytics off, rates from the counters of two ticks in a row (no RTT then).
  function figures(clusterName, host, summaryHost) {
    if (summaryHost && summaryHost.current) {
      const c = summaryHost.current;
      return { rps: c.rps, error_ratio: c.error_ratio, p99: c.latency_p99_ms, rtt: c.rtt_p50_ms, score: summaryHost.health_score };
    }
    const stats = host.stats;
    if (!stats) return {};
    const key = JSON.stringify([clusterName, host.address]);
    const responses = stats.responses_total || 0;
    const errors = (stats.responses && stats.responses['5xx']) || 0;
    const prev = state.prevStats.get(key);
    const now = state.serverNowMs;
    let rps = null;
    let ratio = null;
    if (prev && now > prev.t) {
      const dt = (now - prev.t) / 1000;
      const dr = responses - prev.responses;
      rps = dr / dt;
      ratio = dr > 0 ? (errors - prev.errors) / dr : 0;
    }
    if (!prev || now > prev.t) state.prevStats.set(key, { t: now, responses, errors, rps, ratio });
    else if (prev) {
      rps = prev.rps;
      ratio = prev.ratio;
    }
    const p99 = stats.request_duration_ms && stats.request_duration_ms.count > 0 ? stats.request_duration_ms.p99 : null;
    return { rps, error_ratio: ratio, p99, rtt: null, score: null };
  }

  // A cluster's figures from its hosts' when the analytics are off: summed rate, the error
  // ratio of the summed requests, the worst p99.
  function aggregate(list) {
    let rps = null;
    let errors = 0;
    let p99 = null;
    for (const f of list) {
      if (isNum(f.rps)) {
        rps = (rps || 0) + f.rps;
        if (isNum(f.error_ratio)) errors += f.rps * f.error_ratio;
      }
      if (isNum(f.p99)) p99 = p99 === null ? f.p99 : Math.max(p99, f.p99);
    }
    return { rps, error_ratio: rps ? errors / rps : rps === 0 ? 0 : null, latency_p99_ms: p99, rtt_p50_ms: null };
  }

  function scoreCell(score) {
    if (!isNum(score)) return DASH;
    const cls = score >= 80 ? 'score' : score >= 50 ? 'score mid' : 'score low';
    return h('span', { class: cls, title: 'health score ' + score + ' / 100' },
      h('span', { class: 'bar' }, h('i', { style: 'width:' + Math.max(0, Math.min(100, score)) + '%' })),
      String(Math.round(score)));
  }

  function renderHosts() {
    const body = $('hosts-body');
    const rows = [];
    for (const cluster of state.clusters) {
      const clusterRow = { kind: 'cluster', cluster, hostFigures: [] };
      rows.push(clusterRow);
      const sc = summaryCluster(cluster.name);
      for (const host of cluster.hosts || []) {
        const sh = sc ? (sc.hosts || []).find((x) => x.host === host.address) : null;
        const f = figures(cluster.name, host, sh);
        clusterRow.hostFigures.push(f);
        rows.push({ kind: 'host', cluster, host, sh, f });
      }
    }
    if (rows.length === 0) {
      setChildren(body, h('tr', { class: 'empty' }, h('td', { colspan: 7 }, state.serverNowMs ? 'no clusters configured' : 'waiting for the first update…')));
      return;
    }
    const sel = state.selection;
    reconcile(body, rows,
      (r) => JSON.stringify(r.kind === 'cluster' ? ['c', r.cluster.name] : ['h', r.cluster.name, r.host.address]),
      (r) => {
        const tr = h('tr', { tabindex: 0 });
        for (let i = 0; i < 7; i++) tr.appendChild(h('td'));
        tr.__row = r;
        const choose = () => {
          const row = tr.__row;
          select(row.cluster.name, row.kind === 'host' ? row.host.address : null);
        };
        tr.addEventListener('pointerdown', (ev) => { if (ev.button === 0) choose(); });
        tr.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter' || ev.key === ' ') {
            ev.preventDefault();
            choose();
          }
        });
        return tr;
      },
      (tr, r) => {
        tr.__row = r;
        const cells = tr.children;
        if (r.kind === 'cluster') {
          const c = r.cluster;
          const sc = summaryCluster(c.name);
          const cur = (sc && sc.current) || aggregate(r.hostFigures);
          const total = (c.hosts || []).length;
          tr.className = 'cluster-row' + (sel.cluster === c.name && sel.host === null ? ' selected' : '');
          setData(tr, 'testid', 'cluster-row');
          setData(tr, 'cluster', c.name);
          cells[0].className = 'name';
          setChildren(cells[0], c.name,
            c.lb_policy ? h('span', { class: 'tag' }, c.lb_policy) : null,
            c.panic ? h('span', { class: 'tag panic', title: 'too few usable hosts: balancing over all of them' }, 'panic') : null);
          const usable = isNum(c.usable_hosts) ? c.usable_hosts : null;
          const cls = usable === null ? 'unknown' : usable === total ? 'healthy' : usable === 0 ? 'unhealthy' : 'ejected';
          setChildren(cells[1], h('span', { class: 'health ' + cls }, h('span', { class: 'dot' }),
            usable === null ? DASH : usable + '/' + total + ' usable'));
          const values = [fmtRate(cur.rps), fmtPct(cur.error_ratio), fmtMs(cur.latency_p99_ms), fmtMs(cur.rtt_p50_ms)];
          for (let i = 0; i < 4; i++) {
            cells[2 + i].className = 'num' + (i === 1 && isNum(cur.error_ratio) && cur.error_ratio >= 0.05 ? ' bad' : '');
            setText(cells[2 + i], values[i]);
          }
          cells[6].className = 'num';
          setChildren(cells[6], scoreCell(sc ? sc.health_score : null));
          return;
        }
        const host = r.host;
        const health = hostHealth(host);
        const f = r.f;
        tr.className = 'host-row' + (health.down ? ' down' : '') +
          (sel.cluster === r.cluster.name && sel.host === host.address ? ' selected' : '');
        setData(tr, 'testid', 'host-row');
        setData(tr, 'host', host.address);
        setData(tr, 'cluster', r.cluster.name);
        setData(tr, 'health', health.cls);
        cells[0].className = 'name';
        cells[0].title = host.address;
        setText(cells[0], host.address);
        const hc = host.health_check;
        const sub = hc && hc.consecutive_failures > 0 ? ' · ' + hc.consecutive_failures + ' failed' : '';
        cells[1].title = hc && hc.last_failure ? 'last failure: ' + hc.last_failure : '';
        setChildren(cells[1], h('span', { class: 'health ' + health.cls }, h('span', { class: 'dot' }), health.text,
          sub ? h('span', { class: 'sub' }, sub) : null));
        const values = [fmtRate(f.rps), fmtPct(f.error_ratio), fmtMs(f.p99), fmtMs(f.rtt)];
        for (let i = 0; i < 4; i++) {
          cells[2 + i].className = 'num' + (i === 1 && isNum(f.error_ratio) && f.error_ratio >= 0.05 ? ' bad' : '');
          setText(cells[2 + i], values[i]);
        }
        cells[6].className = 'num';
        setChildren(cells[6], scoreCell(f.score));
      });
  }

  // ---- anomalies ----------------------------------------------------------------------------

  function signalText(name, signal, unit) {
    if (!signal || typeof signal !== 'object') return null;
    if (!isNum(signal.before) && !isNum(signal.during)) return null;
    return name + ' ' + fmtMetricValue(signal.before, unit) + ' → ' + fmtMetricValue(signal.during, unit);
  }

  const UNIT_OF = {
    latency_p50_ms: 'ms', latency_p90_ms: 'ms', latency_p99_ms: 'ms', rtt_p50_ms: 'ms', rtt_p99_ms: 'ms',
    handshake_rtt_ms: 'ms', connect_time_ms: 'ms', error_ratio: 'ratio', retransmit_ratio: 'ratio', rps: '1/s',
  };

  function evidenceLine(a) {
    const parts = [];
    const d = a.diagnosis || {};
    const ev = d.evidence && typeof d.evidence === 'object' ? d.evidence : {};
    const own = signalText(a.metric, ev[a.metric], a.unit);
    if (own) parts.push(own);
    else if (isNum(a.value)) parts.push(a.metric + ' ' + fmtMetricValue(a.value, a.unit));
    if (a.baseline && isNum(a.baseline.median) && !own) parts.push('baseline ' + fmtMetricValue(a.baseline.median, a.unit));
    for (const other of ['latency_p99_ms', 'error_ratio', 'rtt_p50_ms']) {
      if (other === a.metric || parts.length >= 3) continue;
      const text = signalText(other, ev[other], UNIT_OF[other]);
      if (text) parts.push(text);
    }
    if (ev.health_min_during === 0) parts.push('health checks failing');
    if (ev.peers && isNum(ev.peers.hosts_moved) && isNum(ev.peers.hosts_with_data) && ev.peers.hosts_with_data > 0) {
      parts.push('peers moved ' + ev.peers.hosts_moved + '/' + ev.peers.hosts_with_data);
    }
    if (d.network_evidence && d.network_evidence !== 'unavailable') parts.push('net: ' + words(d.network_evidence));
    return parts.join(' · ');
  }

  function renderAnomalies() {
    const list = $('anomalies-list');
    const count = $('anomalies-count');
    if (!state.anomalies) {
      setText(count, '');
      setChildren(list, h('div', { class: 'empty-note' }, state.serverNowMs ? 'analytics disabled or starting' : 'waiting…'));
      return;
    }
    const items = (state.anomalies.anomalies || []).filter((a) => a && a.state !== 'closed');
    setText(count, String(items.length));
    if (items.length === 0) {
      setChildren(list, h('div', { class: 'empty-note' }, 'none open'));
      return;
    }
    reconcile(list, items.slice(0, 20), (a) => 'a' + a.id,
      () => h('div', { class: 'anomaly', dataset: { testid: 'anomaly-row' } }),
      (el, a) => {
        const d = a.diagnosis || {};
        const up = a.direction === 'up';
        setData(el, 'metric', a.metric || '');
        setData(el, 'host', a.host || '');
        setData(el, 'cluster', a.cluster || '');
        setChildren(el,
          h('div', { class: 'line1' },
            h('span', { class: 'metric' }, a.metric || '?'),
            h('span', { class: 'dir ' + (up ? 'up' : 'down'), title: 'direction ' + (a.direction || '') }, up ? '▲ up' : '▼ down'),
            h('span', { class: 'where' }, a.host ? a.cluster + ' / ' + a.host : (a.cluster || '') + ' (cluster)'),
            h('span', { class: 'since', title: 'since ' + new Date(a.start_unix_ms || 0).toLocaleString() },
              'for ' + fmtDuration((state.serverNowMs || Date.now()) - (a.start_unix_ms || 0)))),
          h('div', { class: 'cause' },
            'cause ', h('b', null, words(d.cause || 'none')),
            ' ', h('span', { class: 'conf ' + (d.confidence || '') }, '(' + (d.confidence || '?') + ' confidence' + (d.settled ? ', settled' : '') + ')')),
          h('div', { class: 'evidence' }, evidenceLine(a)));
      });
  }

  // ---- alerts -------------------------------------------------------------------------------

  const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 };

  function alertAck(alert) {
    if (alert.ack) return alert.ack;
    const local = state.localAcks.get(alert.id);
    if (local && local.until > performance.now()) return local.ack;
    return null;
  }
  function alertSilenced(alert) {
    if (Array.isArray(alert.silenced_by) && alert.silenced_by.length > 0) return true;
    const until = state.localSilences.get(alert.id);
    return until !== undefined && until > performance.now();
  }

  async function acknowledge(alert) {
    state.busy.add(alert.id);
    state.alertErrors.delete(alert.id);
    renderAlerts();
    try {
      const answer = await api('POST', '/alerts/' + encodeURIComponent(alert.id) + '/ack',
        { by: 'dashboard', comment: 'acknowledged from the dashboard' });
      const ack = (answer && answer.ack) || { by: 'dashboard', comment: '', unix_ms: Date.now() };
      state.localAcks.set(alert.id, { ack, until: performance.now() + LOCAL_MARK_MS });
      const current = state.alerts && (state.alerts.alerts || []).find((a) => a.id === alert.id);
      if (current && !current.ack) current.ack = ack;
    } catch (e) {
      state.alertErrors.set(alert.id, 'acknowledge failed: ' + e.message);
    } finally {
      state.busy.delete(alert.id);
      renderAlerts();
    }
  }

  async function silence(alert) {
    const labels = alert.labels || {};
    const matchers = [{ name: 'alertname', op: '=', value: labels.alertname || alert.rule }];
    if (labels.cluster) matchers.push({ name: 'cluster', op: '=', value: labels.cluster });
    if (labels.host) matchers.push({ name: 'host', op: '=', value: labels.host });
    state.busy.add(alert.id);
    state.alertErrors.delete(alert.id);
    renderAlerts();
    try {
      await api('POST', '/silences', {
        matchers,
        duration_s: 3600,
        created_by: 'dashboard',
        comment: 'silenced for 1h from the dashboard',
      });
      state.localSilences.set(alert.id, performance.now() + LOCAL_MARK_MS);
    } catch (e) {
      state.alertErrors.set(alert.id, 'silence failed: ' + e.message);
    } finally {
      state.busy.delete(alert.id);
      renderAlerts();
    }
  }

  function renderAlerts() {
    const list = $('alerts-list');
    const notice = $('alerts-notice');
    const count = $('alerts-count');
    if (!state.alerts) {
      setText(count, '');
      notice.hidden = false;
      setText(notice, state.serverNowMs ? 'alerting disabled or starting' : 'waiting…');
      list.replaceChildren();
      return;
    }
    const alerts = (state.alerts.alerts || []).filter((a) => a && (a.state === 'firing' || a.state === 'pending'));
    // By severity, then newest first: a pending alert that starts firing keeps its place, so
    // rows do not jump under the pointer.
    alerts.sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
      (b.active_unix_ms || 0) - (a.active_unix_ms || 0) || String(a.id).localeCompare(String(b.id)));
    const firing = alerts.filter((a) => a.state === 'firing').length;
    setText(count, alerts.length ? firing + ' firing · ' + (alerts.length - firing) + ' pending' : '');
    notice.hidden = alerts.length > 0;
    setText(notice, 'no pending or firing alerts');
    reconcile(list, alerts, (a) => 'al' + a.id,
      (a) => {
        const el = h('div', { dataset: { testid: 'alert-row' } });
        el.__alert = a;
        el.__parts = {
          severity: h('span', { class: 'badge' }),
          name: h('span', { class: 'alertname' }),
          state: h('span', { class: 'badge' }),
          marks: h('span', { class: 'marks' }),
          where: h('span', { class: 'where' }),
          summary: h('div', { class: 'summary' }),
          meta: h('div', { class: 'meta' }),
          error: h('div', { class: 'error' }),
          ack: h('button', { type: 'button', class: 'btn', dataset: { testid: 'ack-button' } }, 'Acknowledge'),
          silence: h('button', { type: 'button', class: 'btn', dataset: { testid: 'silence-button' } }, 'Silence 1h'),
        };
        const p = el.__parts;
        p.ack.addEventListener('click', () => acknowledge(el.__alert));
        p.silence.addEventListener('click', () => silence(el.__alert));
        el.append(
          h('div', { class: 'line1' }, p.severity, p.name, p.state, p.marks),
          p.where,
          h('div', { class: 'actions' }, p.ack, p.silence),
          p.summary, p.meta, p.error);
        return el;
      },
      (el, a) => {
        el.__alert = a;
        const p = el.__parts;
        const labels = a.labels || {};
        const annotations = a.annotations || {};
        const ack = alertAck(a);
        const silenced = alertSilenced(a);
        const busy = state.busy.has(a.id);
        el.className = 'alert sev-' + (a.severity || 'info') + (ack ? ' acked' : '') + (silenced ? ' silenced' : '');
        setData(el, 'alertname', labels.alertname || a.rule || '');
        setData(el, 'host', labels.host || '');
        setData(el, 'cluster', labels.cluster || '');
        setData(el, 'state', a.state || '');
        setData(el, 'alertId', a.id || '');
        setData(el, 'acked', ack ? 'true' : 'false');
        setData(el, 'silenced', silenced ? 'true' : 'false');
        p.severity.className = 'badge sev-' + (a.severity || 'info');
        setText(p.severity, a.severity || '?');
        setText(p.name, labels.alertname || a.rule || '?');
        p.state.className = 'badge state-' + (a.state || '');
        setText(p.state, a.state || '?');
        const marks = [];
        if (ack) marks.push(h('span', { class: 'badge acked', dataset: { testid: 'acked-mark' }, title: 'acknowledged by ' + (ack.by || '?') + (ack.comment ? ': ' + ack.comment : '') }, 'acked'));
        if (silenced) marks.push(h('span', { class: 'badge silenced', dataset: { testid: 'silenced-mark' } }, 'silenced'));
        const markKey = (ack ? 'a' : '') + (silenced ? 's' : '');
        if (p.marks.dataset.key !== markKey) {
          p.marks.dataset.key = markKey;
          setChildren(p.marks, marks);
        }
        const where = [labels.cluster, labels.host].filter(Boolean).join(' / ');
        setText(p.where, where || 'global');
        p.where.title = where;
        setText(p.summary, annotations.summary || annotations.description || a.diagnosis || '');
        const since = a.state === 'firing' && isNum(a.fired_unix_ms) ? a.fired_unix_ms : a.active_unix_ms;
        const now = state.serverNowMs || Date.now();
        const meta = [
          (a.state === 'firing' ? 'firing for ' : 'pending for ') + fmtDuration(now - (since || now)) + ' (since ' + fmtClock(since) + ')',
        ];
        if (isNum(a.value)) meta.push('value ' + fmtRate(a.value));
        if (a.diagnosis) meta.push('diagnosis ' + a.diagnosis);
        if (ack) meta.push('acked by ' + (ack.by || '?') + (isNum(ack.unix_ms) ? ' at ' + fmtClock(ack.unix_ms) : ''));
        if (a.restored) meta.push('restored after restart');
        setText(p.meta, meta.join(' · '));
        const error = state.alertErrors.get(a.id) || '';
        setText(p.error, error);
        p.error.hidden = !error;
        p.ack.disabled = busy || !!ack;
        setText(p.ack, ack ? 'Acknowledged' : 'Acknowledge');
        p.silence.disabled = busy || silenced;
      });
  }

  // ---- flows --------------------------------------------------------------------------------

  function renderFlows() {
    const body = $('flows-body');
    const note = $('flows-note');
    const flows = state.flows;
    if (!flows || flows.capture_enabled === false) {
      setText(note, '');
      setChildren(body, h('tr', { class: 'empty' }, h('td', { colspan: 6 },
        !state.serverNowMs ? 'waiting…' : !flows ? 'capture is off' : 'capture is disabled')));
      return;
    }
    const list = (flows.flows || []).slice(0, 20);
    setText(note, list.length ? 'top ' + list.length + ' by ' + (flows.sort || 'bytes') : '');
    if (list.length === 0) {
      setChildren(body, h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'no active flows')));
      return;
    }
    reconcile(body, list, (f) => 'f' + f.id,
      () => {
        const tr = h('tr', { dataset: { testid: 'flow-row' } });
        for (let i = 0; i < 6; i++) tr.appendChild(h('td'));
        return tr;
      },
      (tr, f) => {
        const c = tr.children;
        const rtt = isNum(f.data_rtt_mean_ms) ? f.data_rtt_mean_ms : f.handshake_rtt_ms;
        c[0].className = 'name'; setText(c[0], f.initiator || DASH); c[0].title = f.initiator || '';
        c[1].className = 'name'; setText(c[1], f.responder || DASH); c[1].title = (f.responder || '') + (f.endpoint ? ' (endpoint ' + f.endpoint + ')' : '');
        c[2].className = 'num'; setText(c[2], isNum(rtt) ? fmtMs(rtt) + ' ms' : DASH);
        c[3].className = 'num' + (f.retransmits > 0 ? ' warn' : ''); setText(c[3], isNum(f.retransmits) ? String(f.retransmits) : DASH);
        c[4].className = 'num'; setText(c[4], fmtBytes(f.bytes));
        c[5].className = 'state' + (f.state === 'reset' ? ' reset' : ''); setText(c[5], words(f.state || DASH));
      });
  }

  // ---- everything ---------------------------------------------------------------------------

  function renderAll() {
    renderHeader();
    renderHosts();
    renderSelection();
    renderAnomalies();
    renderAlerts();
    renderFlows();
  }

  function applyTick(tick) {
    if (!tick || typeof tick !== 'object') return;
    if (isNum(tick.unix_ms)) state.serverNowMs = tick.unix_ms;
    if (tick.server) state.server = tick.server;
    if (tick.clusters && Array.isArray(tick.clusters.clusters)) state.clusters = tick.clusters.clusters;
    state.summary = tick.summary || null;
    state.anomalies = tick.anomalies || null;
    state.alerts = tick.alerts || null;
    state.flows = tick.flows || null;
    const now = performance.now();
    for (const [id, mark] of state.localAcks) if (mark.until < now) state.localAcks.delete(id);
    for (const [id, until] of state.localSilences) if (until < now) state.localSilences.delete(id);
    ensureSelection();
    renderAll();
    appendLive();
  }

  // ---- the event stream ---------------------------------------------------------------------

  let source = null;
  let reconnectTimer = null;
  let backoffMs = BACKOFF_MIN_MS;
  let everConnected = false;

  function closeStream() {
    if (source) {
      source.onerror = null;
      source.close();
      source = null;
    }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
  }

  function scheduleReconnect() {
    closeStream();
    setStream('reconnecting');
    reconnectTimer = setTimeout(openStream, backoffMs);
    backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
  }

  function onEvent() {
    state.receivedAt = performance.now();
    backoffMs = BACKOFF_MIN_MS;
    setStream('live');
  }

  function openStream() {
    closeStream();
    if (document.visibilityState === 'hidden') {
      setStream('paused');
      return;
    }
    if (everConnected) setStream('reconnecting');
    state.receivedAt = performance.now();
    const es = new EventSource('/events');
    source = es;
    es.addEventListener('hello', () => {
      if (source !== es) return;
      const again = everConnected;
      everConnected = true;
      onEvent();
      if (again) loadHistory();  // fill the gap the reconnection left
    });
    es.addEventListener('tick', (ev) => {
      if (source !== es) return;
      let tick;
      try {
        tick = JSON.parse(ev.data);
      } catch (e) {
        console.warn('meshlb dashboard: a tick that is not JSON', e);
        return;
      }
      everConnected = true;
      onEvent();
      applyTick(tick);
    });
    es.onerror = () => {
      if (source !== es) return;
      if (es.readyState === EventSource.CLOSED) scheduleReconnect();  // the browser gave up
      else setStream('reconnecting');                                 // it retries by itself
    };
  }

  function watchdog() {
    renderUpdated();
    if (!source || document.visibilityState === 'hidden') return;
    const quiet = performance.now() - state.receivedAt;
    if (quiet > DEAD_MS) scheduleReconnect();
    else if (quiet > STALE_MS) setStream('reconnecting');
  }

  function onVisibility() {
    if (document.visibilityState === 'hidden') {
      closeStream();
      setStream('paused');
    } else {
      backoffMs = BACKOFF_MIN_MS;
      openStream();
      loadHistory();
    }
  }

  // ---- start --------------------------------------------------------------------------------

  async function start() {
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const token = $('token-input').value.trim();
      if (token) closeTokenPrompt(token);
    });
    $('token-cancel').addEventListener('click', () => closeTokenPrompt(''));
    document.addEventListener('visibilitychange', onVisibility);
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(resizeCharts).observe($('charts-panel'));
    else window.addEventListener('resize', resizeCharts);
    setInterval(watchdog, 1000);

    renderAll();
    drawCharts();
    openStream();
    // A first paint before the first tick; the stream brings everything after.
    const [server, clusters] = await Promise.allSettled([api('GET', '/server_info'), api('GET', '/clusters')]);
    if (server.status === 'fulfilled' && server.value && !state.server) state.server = server.value;
    if (clusters.status === 'fulfilled' && clusters.value && state.clusters.length === 0 && Array.isArray(clusters.value.clusters)) {
      state.clusters = clusters.value.clusters;
    }
    ensureSelection();
    renderAll();
  }

  window.meshlbDashboard = {
    charts: () => CHARTS.map((c) => ({ id: c.id, points: chartPoints(c) })),
    selection: () => ({ cluster: state.selection.cluster, host: state.selection.host }),
    select: (cluster, host) => select(cluster, host === undefined ? null : host),
    stream: () => $('stream-state').dataset.state,
    lastTickMs: () => state.serverNowMs,
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
