// Browser check of meshlb's live dashboard: drives Debian's chromium through playwright-core,
// kills a backend and checks the page turns it red and shows its BackendDown alert, then
// acknowledges the alert. One JSON line per step on stdout; exit 0 when every step passed.
//
// node tests/browser/dashboard_check.cjs --url http://127.0.0.1:PORT/ --kill-pid PID \
//   --down-host HOST --screenshot OUT.png [--hosts 3] [--timeout-ms 10000]
// PLAYWRIGHT_CORE: path of the playwright-core module (default: resolved by name);
// CHROMIUM: the browser binary (default /usr/bin/chromium).
'use strict';

function parseArgs(argv) {
  const out = { hosts: 3, timeoutMs: 10000 };
  const names = { '--url': 'url', '--kill-pid': 'killPid', '--down-host': 'downHost', '--screenshot': 'screenshot',
    '--hosts': 'hosts', '--timeout-ms': 'timeoutMs' };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else {
      value = argv[++i];
    }
    const key = names[arg];
    if (!key || value === undefined) throw new Error('unknown or incomplete argument ' + arg);
    out[key] = value;
  }
  out.hosts = Number(out.hosts);
  out.timeoutMs = Number(out.timeoutMs);
  out.killPid = Number(out.killPid);
  for (const key of ['url', 'downHost', 'screenshot']) {
    if (!out[key]) throw new Error('--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) + ' is required');
  }
  if (!Number.isInteger(out.killPid) || out.killPid <= 0) throw new Error('--kill-pid must be a process id');
  if (!Number.isInteger(out.hosts) || out.hosts < 1) throw new Error('--hosts must be a positive integer');
  if (!Number.isFinite(out.timeoutMs) || out.timeoutMs <= 0) throw new Error('--timeout-ms must be positive');
  return out;
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

class StepFailure extends Error {}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    emit({ step: 'failed', ok: false, reason: 'usage: ' + e.message });
    return 1;
  }
  const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
  const T = opts.timeoutMs;
  let opened = Date.now();
  const since = () => Date.now() - opened;
  const pageErrors = [];
  let failure = null;
  let browser = null;

  // A hard bound on the whole run, whatever hangs: browser launch, navigation, a wait.
  const overall = setTimeout(() => {
    emit({ step: 'failed', ok: false, ms: since(), reason: 'the whole check took too long' });
    if (browser) browser.close().catch(() => {});
    setTimeout(() => process.exit(1), 2000).unref();
  }, 4 * T + 30000);
  overall.unref();

  const step = (name, ok, details) => {
    emit({ step: name, ok, ms: since(), ...details });
    if (!ok) throw new StepFailure(name + ': ' + (details && details.reason ? details.reason : 'failed'));
  };

  // Waits for fn(arg) in the page to return a truthy value; returns it, or null on timeout.
  async function waitIn(page, fn, arg, timeout) {
    try {
      const handle = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
      return await handle.jsonValue();
    } catch (e) {
      if (e && e.name === 'TimeoutError') return null;
      throw e;
    }
  }

  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
      headless: true,
      timeout: T * 3,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(T);
    page.on('console', (message) => {
      if (message.type() === 'error') {
        emit({ step: 'console', ok: true, ms: since(), type: 'error', text: message.text(), location: message.location().url || undefined });
      }
    });
    page.on('pageerror', (error) => {
      pageErrors.push(String(error && error.message ? error.message : error));
      emit({ step: 'console', ok: false, ms: since(), type: 'pageerror', text: String(error && error.stack ? error.stack : error) });
    });

    opened = Date.now();
    await page.goto(opts.url, { waitUntil: 'domcontentloaded', timeout: T });

    // 1. loaded: every host row, none down, the stream live.
    const loaded = await waitIn(page, (want) => {
      const rows = document.querySelectorAll('[data-testid="host-row"]');
      const down = document.querySelectorAll('[data-testid="host-row"].down').length;
      const stream = document.querySelector('[data-testid="stream-state"]');
      const live = !!stream && stream.dataset.state === 'live' && /live/i.test(stream.textContent || '');
      return rows.length === want && down === 0 && live && typeof window.meshlbDashboard === 'object'
        ? { hosts: rows.length, stream: stream.dataset.state } : false;
    }, opts.hosts, T);
    if (!loaded) {
      const seen = await page.evaluate(() => ({
        hosts: document.querySelectorAll('[data-testid="host-row"]').length,
        down: Array.from(document.querySelectorAll('[data-testid="host-row"].down')).map((r) => r.dataset.host),
        stream: (document.querySelector('[data-testid="stream-state"]') || {}).textContent || null,
      })).catch(() => ({}));
      step('loaded', false, { reason: 'want ' + opts.hosts + ' host rows, none down, stream live', ...seen });
    }
    step('loaded', true, loaded);

    // 2. charts: every chart has at least 5 points.
    const charts = await waitIn(page, () => {
      const list = window.meshlbDashboard.charts();
      return list.length > 0 && list.every((c) => c.points >= 5) ? list : false;
    }, undefined, T);
    if (!charts) {
      const list = await page.evaluate(() => window.meshlbDashboard.charts()).catch(() => null);
      step('charts', false, { reason: 'a chart has fewer than 5 points', charts: list });
    }
    step('charts', true, { charts });

    // 3. kill the backend; its row turns red and its BackendDown alert appears.
    try {
      process.kill(opts.killPid, 'SIGKILL');
    } catch (e) {
      step('kill', false, { reason: 'cannot kill ' + opts.killPid + ': ' + e.message });
    }
    const killedAt = Date.now();
    emit({ step: 'kill', ok: true, ms: since(), pid: opts.killPid });
    const host = opts.downHost;
    const red = waitIn(page, (h) => Array.from(document.querySelectorAll('[data-testid="host-row"]'))
      .some((row) => row.dataset.host === h && row.classList.contains('down')), host, T)
      .then((found) => ({ found: !!found, after: Date.now() - killedAt, ms: Date.now() - opened }));
    const alert = waitIn(page, (h) => {
      const row = Array.from(document.querySelectorAll('[data-testid="alert-row"]'))
        .find((r) => r.dataset.alertname === 'BackendDown' && r.dataset.host === h &&
          (r.dataset.state === 'pending' || r.dataset.state === 'firing'));
      return row ? row.dataset.state : false;
    }, host, T).then((found) => ({ found, after: Date.now() - killedAt, ms: Date.now() - opened }));
    const [redResult, alertResult] = await Promise.all([red, alert]);
    // "ms" of these two is when each was seen, not when both were.
    step('red', redResult.found, { ms: redResult.ms, host, ms_from_kill: redResult.after,
      reason: redResult.found ? undefined : 'the row of ' + host + ' did not get class down within ' + T + ' ms' });
    step('alert', !!alertResult.found, { ms: alertResult.ms, host, state: alertResult.found || undefined, ms_from_kill: alertResult.after,
      reason: alertResult.found ? undefined : 'no BackendDown alert row for ' + host + ' within ' + T + ' ms' });

    // 4. ack: the alert's Acknowledge button, then the row shows it acknowledged.
    const rowSelector = '[data-testid="alert-row"][data-alertname="BackendDown"][data-host=' + JSON.stringify(host) + ']';
    const ackStarted = Date.now();
    const ackDeadline = ackStarted + T;
    const button = page.locator(rowSelector).first().locator('[data-testid="ack-button"]');
    const isAcked = (h) => {
      const row = Array.from(document.querySelectorAll('[data-testid="alert-row"]'))
        .find((r) => r.dataset.alertname === 'BackendDown' && r.dataset.host === h);
      if (!row || row.dataset.acked !== 'true' || !row.querySelector('[data-testid="acked-mark"]')) return false;
      return { id: row.dataset.alertId || null };
    };
    let acked = null;
    let clicks = 0;
    let clickError = null;
    // Clicked again only if the first click was lost (a row moving under the pointer) and the
    // button is still enabled: it is disabled while the request is out and once acknowledged.
    while (!acked && Date.now() < ackDeadline) {
      const left = ackDeadline - Date.now();
      if (await button.isEnabled({ timeout: Math.min(left, 1000) }).catch(() => false)) {
        try {
          await button.click({ timeout: Math.max(200, Math.min(left, T / 2)) });
          clicks++;
        } catch (e) {
          clickError = e.message.split('\n')[0];
        }
      }
      acked = await waitIn(page, isAcked, host, Math.max(100, Math.min(ackDeadline - Date.now(), 3000)));
    }
    if (!acked) {
      const error = await page.evaluate((sel) => {
        const row = document.querySelector(sel);
        return row ? (row.querySelector('.error') || {}).textContent || null : 'row gone';
      }, rowSelector).catch(() => null);
      step('ack', false, { reason: clicks === 0 ? 'cannot click Acknowledge: ' + clickError
        : 'the alert row did not show the acknowledgement', error, clicks });
    }
    step('ack', true, { host, alert_id: acked.id, clicks, ms_from_click: Date.now() - ackStarted });

    // 5. screenshot of the whole page.
    await page.screenshot({ path: opts.screenshot, fullPage: true, timeout: T });
    step('screenshot', true, { path: opts.screenshot });

    if (pageErrors.length > 0) {
      step('page_errors', false, { reason: pageErrors.length + ' page error(s)', errors: pageErrors.slice(0, 5) });
    }
  } catch (e) {
    failure = e instanceof StepFailure ? e.message : 'error: ' + (e && e.message ? e.message.split('\n')[0] : String(e));
    // A screenshot of the failure helps; bounded, and it may fail too.
    if (browser && opts.screenshot) {
      try {
        const pages = browser.contexts().flatMap((c) => c.pages());
        if (pages.length > 0) await pages[0].screenshot({ path: opts.screenshot, fullPage: true, timeout: 5000 });
      } catch (ignored) { /* nothing more to show */ }
    }
  } finally {
    if (browser) {
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10000).unref())]);
    }
    clearTimeout(overall);
  }
  if (failure) {
    emit({ step: 'failed', ok: false, ms: since(), reason: failure });
    return 1;
  }
  return 0;
}

main().then((code) => {
  process.exitCode = code;
}, (e) => {
  emit({ step: 'failed', ok: false, reason: 'error: ' + (e && e.message ? e.message : String(e)) });
  process.exitCode = 1;
});
