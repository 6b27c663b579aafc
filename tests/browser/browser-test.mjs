// The browser test: headless Chromium (Debian's, driven by playwright-core)
// against a seeded demo server (`prestasi-devtools demo`, see
// scripts/browser-test.sh). An HR officer logs in, opens every page of the
// menu, resolves a conflict with the page's form, downloads a CSV and issues
// a person code on the devices page, downloads a tablet's bundle and an
// enrollment bundle and sees a wrong upload refused; a citizen fills in the feedback form. A step fails on a non-200 page, an
// error in the browser console, a Content-Security-Policy violation or a
// page without the policy, a failed request, or a page whose <main>
// shows no table, chart or form. Full-page screenshots go to $SCREENSHOTS.
//
// Environment: BASE_URL (the demo server), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOTS (default target/browser), and
// UPDATE_DOCS=1 to copy the dashboard and citizen-form screenshots to
// docs/screenshots/ for the README.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = resolve(process.env.SCREENSHOTS ?? join(ROOT, 'target/browser'));
const LOGIN = { tenant: 'demo', username: 'bkpsdm', password: 'kopi-arfak-pagi' };
const OPEN_PERIOD = '2026-S2';
// The menu (server/templates/nav.html); links found in the page's menu are
// visited too.
const HR_PAGES = [
  '/hr',
  '/hr/penilaian',
  '/hr/kalibrasi',
  '/hr/skm',
  '/hr/kompetensi',
  '/hr/talenta',
  '/hr/penghargaan',
  '/hr/perangkat',
  '/hr/layanan',
];
// The citizen form's anti-spam check wants a few seconds between showing
// the form and sending it (web/citizen.rs MIN_AGE_SECS).
const CITIZEN_MIN_SECONDS = 3;

mkdirSync(SHOTS, { recursive: true });
const results = [];

/** Run one step; a thrown error fails it, the others still run. */
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name}: ${e.message.split('\n')[0]}`);
  }
}

/** Console errors, uncaught exceptions and failed requests of a page, per step. */
async function watch(page) {
  const problems = [];
  // A Content-Security-Policy violation (an inline style or script the
  // policy blocks, a resource from elsewhere) fails the step, whether or
  // not Chromium also logs it to the console. Init scripts run outside the
  // page's policy.
  await page.exposeFunction('__prestasiCsp', (v) => problems.push(`CSP violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__prestasiCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.documentURI}:${e.lineNumber}`),
    );
  });
  page.on('console', (m) => {
    // Chromium asks every new site for /favicon.ico; the pages have none.
    const favicon = m.location()?.url?.endsWith('/favicon.ico');
    if (m.type() === 'error' && !favicon) problems.push(`console: ${m.text()} (${m.location()?.url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A download is handed to the browser, not failed.
    if (!r.failure()?.errorText?.includes('ERR_ABORTED')) problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() >= 400 && url.pathname !== '/favicon.ico') problems.push(`HTTP ${r.status()}: ${url.pathname}`);
    // Every page comes with the policy (server/src/security_headers.rs).
    const h = r.headers();
    if (r.request().resourceType() === 'document' && url.origin === BASE) {
      if (!h['content-security-policy']?.includes("frame-ancestors 'none'")) problems.push(`no CSP: ${url.pathname}`);
      if (h['x-content-type-options'] !== 'nosniff') problems.push(`no nosniff: ${url.pathname}`);
    }
  });
  return {
    reset() {
      problems.length = 0;
    },
    check(what) {
      if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}`);
    },
  };
}

function expectOk(response, what) {
  if (!response) throw new Error(`${what}: no response`);
  if (response.status() !== 200) throw new Error(`${what}: HTTP ${response.status()}`);
}

/** <main> must show a table with rows, a drawn chart or a form to fill. */
async function expectContent(page, what) {
  const c = await page.evaluate(() => {
    const main = document.querySelector('main');
    if (!main) return null;
    const drawn = 'rect,path,circle,line,polyline,polygon';
    return {
      text: main.innerText.trim().length,
      rows: main.querySelectorAll('table td').length,
      charts: [...main.querySelectorAll('svg')].filter((s) => s.querySelector(drawn)).length,
      fields: main.querySelectorAll(
        'form input:not([type=hidden]), form select, form textarea, form button',
      ).length,
    };
  });
  if (!c) throw new Error(`${what}: the page has no <main>`);
  if (c.text === 0 || c.rows + c.charts + c.fields === 0) {
    throw new Error(`${what}: empty page (no table rows, chart or form in <main>)`);
  }
  return c;
}

async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function shotName(path) {
  return path.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-') || 'root';
}

/** Log in as BKPSDM; returns the response of the page it leads to. */
async function login(page) {
  expectOk(await page.goto(`${BASE}/masuk`), '/masuk');
  await page.fill('#tenant', LOGIN.tenant);
  await page.fill('#username', LOGIN.username);
  await page.fill('#password', LOGIN.password);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  return response;
}

async function getJson(page, path) {
  const r = await page.request.get(BASE + path);
  if (r.status() !== 200) throw new Error(`GET ${path}: HTTP ${r.status()}`);
  return r.json();
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Playwright starts it with a new, empty profile (user data dir).
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const docsShots = {};

try {
  const hr = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'id-ID' });
  const page = await hr.newPage();
  const w = await watch(page);
  let menu = [];

  await step('login at /masuk', async () => {
    w.reset();
    expectOk(await page.goto(`${BASE}/masuk`), '/masuk');
    await expectContent(page, '/masuk');
    await shot(page, 'masuk');
    expectOk(await login(page), 'after login');
    if (new URL(page.url()).pathname !== '/hr') throw new Error(`login led to ${page.url()}, not /hr`);
    menu = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
    if (menu.length === 0) throw new Error('no menu after login');
    w.check('login');
  });

  const pages = [...new Set([...HR_PAGES, ...menu.filter((h) => h && h.startsWith('/'))])];
  for (const path of pages) {
    await step(`HR page ${path}`, async () => {
      w.reset();
      expectOk(await page.goto(BASE + path), path);
      await expectContent(page, path);
      const file = await shot(page, shotName(path));
      if (path === '/hr') docsShots['dashboard.png'] = file;
      w.check(path);
    });
  }

  await step('resolve a conflict on an appraisal page', async () => {
    w.reset();
    const report = await getJson(page, `/v1/hr/reports/appraisals?period=${OPEN_PERIOD}`);
    const row = report.rows.find((r) => r.open_conflicts > 0);
    if (!row) throw new Error(`no appraisal of ${OPEN_PERIOD} has an open conflict`);
    // From the list of the unit's appraisals, as HR would.
    const list = `/hr/penilaian?period=${OPEN_PERIOD}&unit=${encodeURIComponent(row.unit_id)}`;
    expectOk(await page.goto(BASE + list), list);
    const link = page.locator(`main a[href="/hr/penilaian/${row.doc_id}"]`).first();
    if ((await link.count()) === 0) throw new Error(`${list} has no link to appraisal ${row.doc_id}`);
    const [opened] = await Promise.all([page.waitForNavigation(), link.click()]);
    expectOk(opened, `appraisal ${row.doc_id}`);
    await expectContent(page, `appraisal ${row.doc_id}`);
    const forms = page.locator('main form[action$="/konflik"]');
    const before = await forms.count();
    if (before !== row.open_conflicts) {
      throw new Error(`the page shows ${before} conflict forms, the report ${row.open_conflicts}`);
    }
    await shot(page, 'hr-penilaian-konflik');
    const form = forms.first();
    await form.locator('input[name=pick]').last().check();
    const [resolved] = await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    expectOk(resolved, 'after resolving');
    const after = await page.locator('main form[action$="/konflik"]').count();
    if (after !== before - 1) throw new Error(`still ${after} conflict forms after resolving one of ${before}`);
    await shot(page, 'hr-penilaian-konflik-selesai');
    const again = await getJson(page, `/v1/hr/reports/appraisals?period=${OPEN_PERIOD}`);
    const now = again.rows.find((r) => r.doc_id === row.doc_id);
    if (!now || now.open_conflicts !== before - 1) {
      throw new Error(`the report still counts ${now?.open_conflicts} open conflicts`);
    }
    w.check('conflict');
  });

  await step('download a CSV from /hr/penilaian', async () => {
    w.reset();
    expectOk(await page.goto(`${BASE}/hr/penilaian?period=${OPEN_PERIOD}`), '/hr/penilaian');
    const link = page.locator('main a[href*="format=csv"]').first();
    if ((await link.count()) === 0) throw new Error('no CSV link on /hr/penilaian');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(SHOTS, download.suggestedFilename() || 'unduhan.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
    const columns = (header ?? '').split(',');
    for (const c of ['nip', 'nama', 'predikat', 'konflik_terbuka']) {
      if (!columns.includes(c)) throw new Error(`CSV header lacks ${c}: ${header}`);
    }
    if (lines.length === 0) throw new Error('the CSV has no rows');
    // The same report for a spreadsheet in an Indonesian locale: `;`.
    const semi = page.locator('main a[href*="format=csv"][href*="sep=%3B"]').first();
    if ((await semi.count()) === 0) throw new Error('no ";" CSV link on /hr/penilaian');
    const [other] = await Promise.all([page.waitForEvent('download'), semi.click()]);
    const semiFile = join(SHOTS, `titik-koma-${other.suggestedFilename() || 'unduhan.csv'}`);
    await other.saveAs(semiFile);
    const semiHeader = readFileSync(semiFile, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    if (semiHeader !== columns.join(';')) throw new Error(`the ";" CSV header is ${semiHeader}`);
    w.check('CSV');
  });

  await step('issue a person code on /hr/perangkat', async () => {
    w.reset();
    const report = await getJson(page, `/v1/hr/reports/appraisals?period=${OPEN_PERIOD}`);
    const nip = report.rows.find((r) => r.nip)?.nip;
    if (!nip) throw new Error(`no appraisal of ${OPEN_PERIOD} names an employee`);
    expectOk(await page.goto(`${BASE}/hr/perangkat`), '/hr/perangkat');
    await page.fill('#nip-pegawai', nip);
    const form = page.locator('main form[action="/hr/perangkat/kode-pegawai"]');
    const [issued] = await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    expectOk(issued, 'after issuing a person code');
    const code = (await page.locator('#kode-pegawai').innerText()).trim();
    if (!/^[A-Z2-9]{4}(-[A-Z2-9]{4}){2}$/.test(code)) throw new Error(`no person code shown for ${nip}: "${code}"`);
    await shot(page, 'hr-perangkat-kode-pegawai');
    w.check('person code');
  });

  await step('sync by file on /hr/perangkat', async () => {
    w.reset();
    expectOk(await page.goto(`${BASE}/hr/perangkat`), '/hr/perangkat');
    const isBundle = (path) => readFileSync(path).subarray(0, 8).toString('latin1') === 'PRSTBNDL';
    // A tablet's scope bundle, from its row.
    const link = page.locator('main a[href$="/paket"]').first();
    if ((await link.count()) === 0) throw new Error('no "Unduh paket" link for an active device');
    const [scope] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const scopePath = await scope.path();
    if (!/^paket-[0-9a-f]{8}\.prst$/.test(scope.suggestedFilename())) {
      throw new Error(`scope bundle named "${scope.suggestedFilename()}"`);
    }
    if (!isBundle(scopePath)) throw new Error('the scope bundle is not a bundle file');
    // Uploaded back on the form it is refused: HR imports tablets' push bundles only.
    await page.setInputFiles('#berkas-paket', scopePath);
    const upload = page.locator('main form[action="/hr/perangkat/paket"]');
    const [refused] = await Promise.all([page.waitForNavigation(), upload.locator('button[type=submit]').click()]);
    if (refused.status() !== 422) throw new Error(`a scope bundle uploaded: HTTP ${refused.status()}, not 422`);
    const alert = (await page.locator('main [role=alert]').first().innerText()).trim();
    if (!alert.includes('bukan paket dari tablet')) throw new Error(`refusal shown: "${alert}"`);
    await shot(page, 'hr-perangkat-paket-ditolak');
    // That 422 was the point: the watch starts afresh for the rest.
    w.reset();
    // An enrollment code for a tablet that will never be online, and its bundle.
    expectOk(await page.goto(`${BASE}/hr/perangkat`), '/hr/perangkat');
    await page.check('main input[name=role][value=kiosk]');
    await page.fill('#user', 'Kios tanpa jaringan');
    await page.locator('main input[name=units]').first().check();
    const enroll = page.locator('main form[action="/hr/perangkat"]');
    const [issued] = await Promise.all([page.waitForNavigation(), enroll.locator('button[type=submit]').click()]);
    expectOk(issued, 'after issuing an enrollment code');
    await shot(page, 'hr-perangkat-kode-pendaftaran');
    const offline = page.locator('main form[action="/hr/perangkat/paket-pendaftaran"] button[type=submit]');
    const [enrollment] = await Promise.all([page.waitForEvent('download'), offline.click()]);
    if (!enrollment.suggestedFilename().startsWith('pendaftaran-')) {
      throw new Error(`enrollment bundle named "${enrollment.suggestedFilename()}"`);
    }
    if (!isBundle(await enrollment.path())) throw new Error('the enrollment bundle is not a bundle file');
    w.check('bundles');
  });

  await hr.close();

  // A citizen on a phone, without any login, from the unit's QR code.
  const hrApi = await browser.newContext();
  await step('citizen feedback form', async () => {
    const probe = await hrApi.newPage();
    expectOk(await login(probe), 'login to count the feedback');
    const completion = await getJson(probe, `/v1/hr/reports/completion?period=${OPEN_PERIOD}`);
    const unit = completion.rows.find((r) => r.unit_id)?.unit_id;
    if (!unit) throw new Error('the completion report lists no unit');
    const count = async () => (await getJson(probe, `/v1/hr/feedback/count?unit=${encodeURIComponent(unit)}`)).count;
    const before = await count();

    const citizen = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
    const form = await citizen.newPage();
    const cw = await watch(form);
    const path = `/umpan-balik/${LOGIN.tenant}/${encodeURIComponent(unit)}`;
    const shown = Date.now();
    expectOk(await form.goto(BASE + path), path);
    await expectContent(form, path);
    // The services offered are the ones HR listed for the unit (the demo
    // lists those its seeded feedback names).
    const offered = await form.$$eval('#layanan option', (os) => os.map((o) => o.textContent));
    if (offered.length === 0) throw new Error(`the form of ${unit} offers no service from HR's list`);
    const questions = await form.$$eval('main form fieldset', (fs) =>
      fs.map((f) => f.querySelector('input[type=radio]')?.name).filter(Boolean),
    );
    if (questions.length !== 9) throw new Error(`the form has ${questions.length} questions, not 9`);
    for (const [i, name] of questions.entries()) {
      // Mostly good answers, one middling.
      const options = form.locator(`main form input[type=radio][name="${name}"]`);
      const n = await options.count();
      await options.nth(i === 2 ? Math.max(n - 2, 0) : n - 1).check();
    }
    await form.fill('#menit', '15');
    await form.fill('#komentar', 'Petugas ramah dan sigap. Mohon tambah kursi di ruang tunggu.');
    await shot(form, 'umpan-balik');
    // For the README: what the phone shows first, with the first answers given.
    await form.evaluate(() => window.scrollTo(0, 0));
    const top = join(SHOTS, 'umpan-balik-layar.png');
    await form.screenshot({ path: top });
    docsShots['umpan-balik.png'] = top;
    const wait = CITIZEN_MIN_SECONDS * 1000 + 500 - (Date.now() - shown);
    if (wait > 0) await form.waitForTimeout(wait);
    const [sent] = await Promise.all([
      form.waitForNavigation(),
      form.locator('main form button[type=submit]').last().click(),
    ]);
    expectOk(sent, 'after sending the form');
    const h1 = (await form.locator('main h1').first().innerText()).trim();
    if (!h1.startsWith('Terima kasih')) throw new Error(`after sending: "${h1}", not the thank-you page`);
    await shot(form, 'umpan-balik-terima-kasih');
    const after = await count();
    if (after !== before + 1) throw new Error(`feedback of ${unit}: ${before} before, ${after} after`);
    cw.check('citizen form');
    await citizen.close();
  });
  await hrApi.close();
} finally {
  await browser.close();
}

if (process.env.UPDATE_DOCS === '1') {
  const docs = join(ROOT, 'docs/screenshots');
  mkdirSync(docs, { recursive: true });
  for (const [name, file] of Object.entries(docsShots)) {
    copyFileSync(file, join(docs, name));
    console.log(`copied ${file} to docs/screenshots/${name}`);
  }
}

const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots in ${SHOTS}`);
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
