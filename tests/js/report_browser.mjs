// The HTML report in a real browser (Debian's chromium, driven by playwright-core): what a
// person would check on the pages `baton report` writes. Run by tests/harness/report_test.cc:
//
//   node report_browser.mjs BATON_BIN RESEARCH_TEAM_BIN CORPORA_DIR OUT_DIR [IMPORTED.baton...]
//
// IMPORTED are sessions from the other sources (the proxy, OTLP, transcripts): their pages
// must draw what those sources carried, with every event's JSON what `baton cat` prints.
//
// Every expectation is read from baton's own other faces (`baton why --json`, `baton cat`),
// never written down here. Screenshots go to OUT_DIR for a person to look at. Any console
// error or uncaught exception on a page fails the test. Prints one "ok ..." line per check
// and "measured ..." lines (open time, page size); exits 1 on the first failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [baton, team, corpora, outDir, ...imported] = process.argv.slice(2).map((p) => resolve(p));
if (!outDir) {
  console.error('usage: node report_browser.mjs BATON_BIN RESEARCH_TEAM_BIN CORPORA_DIR OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const CHROMIUM = process.env.BATON_CHROMIUM || '/usr/bin/chromium';

function fail(message) {
  console.error('FAILED: ' + message);
  process.exitCode = 1;
  throw new Error(message);
}
function check(cond, message) {
  if (!cond) fail(message);
  console.log('ok ' + message);
}
// Runs baton; exit codes 0 and 1 (a failing session) are both answers.
function run(args, { maxBuffer = 256 << 20 } = {}) {
  const r = spawnSync(baton, args, { encoding: 'utf8', maxBuffer });
  if (r.status !== 0 && r.status !== 1) fail(`baton ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
function catEvents(file) {
  return run(['cat', file]).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

async function openPage(file, name) {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push('network request: ' + r.url());
  });
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  const openMs = Date.now() - t0;
  return { page, errors, openMs, name };
}
async function closePage({ page, errors, name }) {
  await page.screenshot({ path: join(outDir, name + '.png') });
  check(errors.length === 0, `${name}: no console errors or network requests (${errors.join('; ')})`);
  await page.close();
}

// The first model call with a prompt, and its last message's text: what the payload shows.
function modelCallWithPrompt(events) {
  return events.find((e) => e.kind === 'model_call' && e.request.messages.length > 0 &&
    typeof e.request.messages.at(-1).content === 'string' && e.request.messages.at(-1).content.length > 0);
}

// Shows event `e` (by the page's own link) and checks its raw JSON is `baton cat`'s.
async function checkRawJson(page, e, name) {
  await page.evaluate((seq) => { location.hash = '#s=0&e=' + seq; }, e.seq);
  await page.locator(`.detail .payload[data-seq="${e.seq}"]`).waitFor();
  await page.click('.detail details.raw summary');
  const raw = JSON.parse(await page.textContent('.detail details.raw pre'));
  if (!deepEqual(raw, e)) fail(`${name}: the raw JSON of #${e.seq} differs from baton cat's`);
}

async function checkIncident(name) {
  const file = join(corpora, name + '.baton');
  const html = join(outDir, name + '.html');
  run(['report', file, '-o', html]);
  const why = JSON.parse(run(['why', '--json', file]));
  const events = catEvents(file);
  const p = await openPage(html, name);
  const { page } = p;

  // The lanes of every agent.
  const lanes = await page.$$eval('.lane-name', (els) => els.map((e) => e.dataset.lane));
  const agents = [...new Set(events.map((e) => e.agent).filter(Boolean))];
  check(agents.every((a) => lanes.includes(a)), `${name}: a lane for every agent (${agents.join(', ')})`);
  check((await page.textContent('.verdict')) === (why.verdict === 'pass' ? 'PASS' : 'FAIL'),
    `${name}: the verdict reads ${why.verdict}`);

  // The root cause: its finding first, marked; its handoff's arrow drawn across its boundary.
  const root = why.root_cause;
  check(root !== null, `${name}: baton why names a root cause`);
  const first = page.locator('button.finding').first();
  check((await first.getAttribute('data-finding')) === root.kind, `${name}: the first finding is the root cause (${root.kind})`);
  check((await first.textContent()).includes('ROOT CAUSE'), `${name}: the root finding says "ROOT CAUSE" in words`);
  if (root.from !== root.to) {
    const arrow = page.locator(`svg.arrows line.arrow.root[data-from="${root.from}"][data-to="${root.to}"]`);
    check(await arrow.count() === 1, `${name}: the root-cause handoff ${root.from} -> ${root.to} is drawn as the root arrow`);
  }

  // Clicking the finding reveals its evidence, and marks those events on the timeline.
  await first.click();
  const rootFinding = why.findings.find((f) => f.kind === root.kind);
  const evidenceSeqs = await page.$$eval('button.finding[aria-expanded="true"] + .evidence-list a',
    (as) => as.map((a) => +a.dataset.seq));
  check(rootFinding.evidence.every((s) => evidenceSeqs.includes(s)) && await page.locator('button.finding[aria-expanded="true"] + .evidence-list').isVisible(),
    `${name}: clicking the root finding lists its evidence (#${rootFinding.evidence.join(', #')})`);
  const highlighted = await page.$$eval('.row.hl', (rows) => rows.map((r) => +r.dataset.seq));
  check(highlighted.includes(rootFinding.at), `${name}: the finding's event #${rootFinding.at} is highlighted on the timeline`);
  await page.screenshot({ path: join(outDir, name + '-root.png') });

  // A stale read says so in words, not only in colour.
  const stale = why.findings.find((f) => f.kind === 'stale_context');
  if (stale) {
    const staleRead = events.find((e) => e.kind === 'context_read' && stale.evidence.includes(e.seq));
    const row = page.locator(`.row[data-seq="${staleRead.seq}"]`);
    await row.scrollIntoViewIfNeeded();
    check((await row.getAttribute('data-marks')).split(' ').includes('stale') &&
      /stale: v\d+ written .* earlier/.test(await row.textContent()),
    `${name}: the stale read #${staleRead.seq} is marked "stale" with how stale`);
  }

  // Clicking a model call shows its recorded prompt, and its raw JSON is `baton cat`'s.
  const call = modelCallWithPrompt(events);
  await page.evaluate((seq) => { location.hash = '#s=0&e=' + seq; }, call.seq);
  const detail = page.locator(`.detail .payload[data-seq="${call.seq}"]`);
  await detail.waitFor();
  const lastMessage = call.request.messages.at(-1).content;
  check((await detail.locator('.msg pre.content').last().textContent()) === lastMessage,
    `${name}: model call #${call.seq} shows its recorded prompt text`);
  await page.click('.detail details.raw summary');
  const raw = JSON.parse(await page.textContent('.detail details.raw pre'));
  check(deepEqual(raw, call), `${name}: the raw JSON of #${call.seq} is what baton cat prints`);

  // Time: relative T+ by default, wall-clock on request (the recorded wall time of each event).
  const firstTime = () => page.textContent(`.row[data-seq="${events[0].seq}"] .time`);
  await page.focus('.scroller');
  await page.keyboard.press('Home');
  check((await firstTime()).startsWith('T+'), `${name}: times read T+ relative to the session start`);
  await page.click('#time-mode');
  const wall = new Date(Math.round(events[0].wall_ns / 1e6)).toISOString().slice(11, 23);
  check((await firstTime()) === wall, `${name}: the wall-clock view shows #${events[0].seq} at ${wall} UTC`);
  await page.click('#time-mode');

  // Keyboard: the timeline moves between events with the arrow keys.
  await page.focus('.scroller');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  const selected = await page.getAttribute('.row.sel', 'data-seq');
  check(selected === String(events[1].seq), `${name}: Home then ArrowDown selects the second event`);
  await closePage(p);
  return why;
}

try {
  const whys = {};
  for (const name of ['stale_context', 'misunderstood_task', 'retry_storm'])
    whys[name] = await checkIncident(name);

  // An index of sessions with verdicts, each linked to its page.
  {
    const names = ['stale_context', 'misunderstood_task', 'retry_storm', 'healthy_seed2'];
    const html = join(outDir, 'index.html');
    run(['report', ...names.map((n) => join(corpora, n + '.baton')), '-o', html]);
    const p = await openPage(html, 'index');
    const rows = await p.page.$$eval('table.sessions tbody tr', (trs) => trs.map((tr) => tr.dataset.verdict));
    const expected = names.map((n) => JSON.parse(run(['why', '--json', join(corpora, n + '.baton')])).verdict);
    check(deepEqual(rows, expected), `index: one row per session with its verdict (${expected.join(', ')})`);
    await p.page.click('a[data-session="1"]');
    await p.page.waitForSelector('.lane-name');
    check((await p.page.textContent('#why')).includes(whys.misunderstood_task.paragraph.slice(0, 60)),
      'index: a session\'s link opens its page with its root-cause paragraph');
    await closePage(p);
  }

  // A replay that diverges: recorded and live side by side, with the field that differs.
  {
    const rec = join(outDir, 'replay-rec.baton');
    execFileSync(team, ['--seed', '3', '--quiet'], { env: { ...process.env, BATON_RECORD: rec } });
    const html = join(outDir, 'divergence.html');
    const r = spawnSync(baton, ['replay', rec, '--report', html, '--', team, '--seed', '3', '--quiet',
      '--prompt-variant', '2'], { encoding: 'utf8' });
    check(r.status === 1, 'replay with a changed prompt diverges (exit 1)');
    const p = await openPage(html, 'divergence');
    const cells = await p.page.$$eval('.divergences table.diff tbody tr, .divergences table.diff tr[data-change]',
      (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const changed = cells.find((c) => c[0] && c[0].startsWith('request.messages'));
    check(changed && changed[1] !== changed[2] && /detailed, well-structured/.test(changed[1] + changed[2]),
      'divergence: the recorded and live request fields are shown side by side');
    await closePage(p);
  }

  // The page against baton cat's JSON of the same session (500 turns: cat resends every
  // prompt whole, so its size grows with the square of the turns; the page's does not).
  {
    const mid = join(outDir, 'mid.baton');
    run(['synth', '--turns', '500', '-o', mid]);
    const html = join(outDir, 'mid.html');
    run(['report', mid, '-o', html]);
    const pageBytes = statSync(html).size;
    const catBytes = Buffer.byteLength(run(['cat', mid], { maxBuffer: 1 << 30 }));
    console.log(`measured 500 turns: ${pageBytes} page bytes, ${catBytes} bytes of baton cat JSON (${(catBytes / pageBytes).toFixed(1)}x)`);
    check(pageBytes * 10 < catBytes, 'the page is far smaller than baton cat\'s JSON of the same session');
  }

  // A large session: opens fast, draws only what is visible, loads payloads on click.
  {
    const big = join(outDir, 'large.baton');
    run(['synth', '--turns', '5000', '-o', big]);
    const html = join(outDir, 'large.html');
    run(['report', big, '-o', html]);
    const pageBytes = statSync(html).size;
    console.log(`measured large: ${pageBytes} page bytes for a ${statSync(big).size}-byte .baton`);
    const p = await openPage(html, 'large');
    console.log(`measured large: opened in ${p.openMs} ms (page ready at ${await p.page.getAttribute('body', 'data-ready-ms')} ms)`);
    const drawn = await p.page.$$eval('.row', (rows) => rows.length);
    const events = Number((await p.page.textContent('.head .meta')).match(/(\d+) events/)[1]);
    check(events > 50000 && drawn < 200, `large: ${events} events, ${drawn} rows drawn`);
    check(await p.page.evaluate(() => window.batonReport.decodedBlocks()) === 1,
      'large: opening decoded the index only, no payload');
    const total = Number((await p.page.textContent('.findings h2')).match(/\((\d+)\)/)[1]);
    const listed = await p.page.locator('button.finding').count();
    if (total > listed) {
      await p.page.click('.findings button.more');
      check(await p.page.locator('button.finding').count() === total,
        `large: ${listed} of ${total} findings listed at first, all of them on request`);
    }
    await p.page.focus('.scroller');
    await p.page.keyboard.press('End');
    const lastSeq = Number(await p.page.getAttribute('.row.sel', 'data-seq'));
    check(lastSeq === events, `large: End selects the last event (#${lastSeq})`);
    // The last model call's prompt: its whole conversation resolved from the tails.
    const lastCallSeq = Number(await p.page.evaluate(() => {
      const v = window.batonReport.view();
      for (let i = v.n - 1; i >= 0; i--) if (v.d.kinds[v.rows.kind[i]] === 'model_call') return v.rows.seq[i];
      return 0;
    }));
    const lastCall = JSON.parse(run(['cat', big, '--seq', String(lastCallSeq)]));
    check(lastCall.kind === 'model_call', `large: baton cat --seq ${lastCallSeq} is a model call`);
    await p.page.evaluate((seq) => { location.hash = '#s=0&e=' + seq; }, lastCall.seq);
    const detail = p.page.locator(`.detail .payload[data-seq="${lastCall.seq}"]`);
    await detail.waitFor({ timeout: 30000 });
    const shown = await detail.locator('.msg pre.content').allTextContents();
    check(deepEqual(shown, lastCall.request.messages.map((m) => m.content)),
      `large: the last model call #${lastCall.seq} shows all ${lastCall.request.messages.length} messages of its prompt`);
    await closePage(p);
  }
  // Sessions from the proxy, OTLP and transcripts: the same page, with what they carried.
  for (const file of imported) {
    const name = 'imported-' + file.split('/').pop().replace(/\.baton$/, '');
    const html = join(outDir, name + '.html');
    run(['report', file, '-o', html]);
    const events = catEvents(file);
    const p = await openPage(html, name);
    const lanes = await p.page.$$eval('.lane-name', (els) => els.map((e) => e.dataset.lane));
    const agents = [...new Set(events.map((e) => e.agent).filter(Boolean))];
    check(agents.length > 0 && agents.every((a) => lanes.includes(a)), `${name}: a lane for every agent (${agents.join(', ')})`);
    const sends = events.filter((e) => e.kind === 'message_send').length;
    const arrows = await p.page.$$eval('svg.arrows line.arrow', (ls) => ls.length);
    check(sends === 0 || arrows > 0, `${name}: handoffs drawn as arrows (${sends} sent)`);
    for (const e of events.slice(0, 40)) await checkRawJson(p.page, e, name);
    console.log(`ok ${name}: the raw JSON of events #1-#${Math.min(40, events.length)} is what baton cat prints`);
    const streamed = events.find((e) => e.kind === 'model_call' && e.response.chunks.length > 0);
    if (streamed) {
      await p.page.evaluate((seq) => { location.hash = '#s=0&e=' + seq; }, streamed.seq);
      const rows = p.page.locator(`.detail .payload[data-seq="${streamed.seq}"] table.chunks tr`);
      await rows.first().waitFor();
      check(await rows.count() === Math.min(500, streamed.response.chunks.length),
        `${name}: the streamed call #${streamed.seq} shows its ${streamed.response.chunks.length} chunks with their timing`);
    }
    await closePage(p);
  }
  writeFileSync(join(outDir, 'DONE'), 'ok\n');
} catch (err) {
  if (!process.exitCode) {
    console.error(err);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
