// baton report: draws the sessions embedded in this page (see harness/report/html_report.h).
// Everything is built with textContent, never innerHTML: recorded text is data, not markup.
'use strict';
(() => {
  const ROW_H = 26;
  const HEAD_H = 30;
  const TIME_W = 100;
  const OVERSCAN = 12;
  const MIN_LANE_W = 150;
  const FINDINGS_SHOWN = 100;
  const MARK_WORDS = [['stale', 'STALE'], ['low_quality', 'LOW'], ['misunderstood', 'MISUNDERSTOOD'],
    ['error', 'ERROR'], ['retry', 'RETRY']];
  const summary = JSON.parse(document.getElementById('baton-summary').textContent);
  const app = document.getElementById('app');
  const crumb = document.getElementById('crumb');

  // --- data ------------------------------------------------------------------------------
  const decoded = new Map(); // block id -> Promise of its parsed JSON
  function decode(id) {
    if (!decoded.has(id)) {
      const el = document.getElementById(id);
      if (!el) return Promise.reject(new Error('this page has no data block ' + id));
      const bin = atob(el.textContent.trim());
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      decoded.set(id, new Response(stream).text().then(JSON.parse));
    }
    return decoded.get(id);
  }
  // For the browser test: how many blocks were decoded (payloads load on click only).
  window.batonReport = { decodedBlocks: () => decoded.size, view: () => current };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function relTime(ns) {
    const sign = ns < 0 ? '-' : '+';
    const a = Math.abs(ns);
    if (a < 1e9) return 'T' + sign + Math.round(a / 1e6) + 'ms';
    return 'T' + sign + (a / 1e9).toFixed(1) + 's';
  }
  function duration(ns) {
    if (ns < 1e6) return (ns / 1e3).toFixed(0) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(0) + ' ms';
    return (ns / 1e9).toFixed(1) + ' s';
  }
  function wallTime(startMs, offsetMs) {
    const d = new Date(Math.round(startMs + offsetMs));
    return isNaN(d.getTime()) ? '?' : d.toISOString().slice(11, 23);
  }

  // --- routing ---------------------------------------------------------------------------
  function route() {
    const m = /^#s=(\d+)(?:&e=(\d+))?$/.exec(location.hash);
    const sessions = summary.sessions;
    if (m && +m[1] < sessions.length && !sessions[+m[1]].error) {
      showSession(+m[1], m[2] ? +m[2] : null);
    } else if (sessions.length === 1 && !sessions[0].error) {
      showSession(0, null);
    } else {
      showIndex();
    }
  }

  function showIndex() {
    current = null;
    crumb.textContent = summary.sessions.length + ' sessions';
    document.title = summary.title;
    const pass = summary.sessions.filter((s) => !s.error && s.passed).length;
    const unreadable = summary.sessions.filter((s) => s.error).length;
    const fail = summary.sessions.length - pass - unreadable;
    const table = el('table', { class: 'sessions' },
      el('thead', null, el('tr', null, ...['verdict', 'session', 'file', 'events', 'agents',
        'findings', 'root cause'].map((h) => el('th', { scope: 'col', text: h })))));
    const body = el('tbody');
    summary.sessions.forEach((s, i) => {
      const verdict = s.error ? 'error' : s.passed ? 'pass' : 'fail';
      const link = s.error ? el('span', { text: s.path })
        : el('a', { href: '#s=' + i, text: s.path, 'data-session': i });
      body.append(el('tr', { 'data-verdict': verdict },
        el('td', null, el('span', { class: 'verdict ' + verdict, text: verdict.toUpperCase() })),
        el('td', { class: 'mono', text: s.id || '' }),
        el('td', null, link),
        el('td', { class: 'num', text: s.error ? '' : s.events }),
        el('td', { class: 'num', text: s.error ? '' : s.agents }),
        el('td', { class: 'num', text: s.error ? '' : s.findings }),
        el('td', { class: 'why', text: s.error ? s.error : (s.root_kind ? s.root_kind + ': ' : '') +
          (s.paragraph || '') })));
    });
    table.append(body);
    app.replaceChildren(
      el('h1', { text: summary.title }),
      el('p', { class: 'counts', text: `${summary.sessions.length} sessions: ${pass} pass, ${fail} fail` +
        (unreadable ? `, ${unreadable} unreadable` : '') }),
      table);
    markReady();
  }

  // --- one session -----------------------------------------------------------------------
  let current = null; // the session view shown

  async function showSession(index, seq) {
    if (current && current.index === index) {
      if (seq !== null) current.reveal(seq);
      return;
    }
    crumb.textContent = summary.sessions.length > 1 ? '› ' + summary.sessions[index].path : '';
    app.replaceChildren(el('p', { class: 'muted', text: 'Loading ' + summary.sessions[index].path + '…' }));
    let data;
    try {
      data = await decode('s' + index + '-index');
    } catch (err) {
      app.replaceChildren(el('p', { class: 'notes', text: 'This session\'s data could not be read: ' + err.message }));
      return;
    }
    current = new SessionView(index, data);
    current.mount();
    if (seq !== null) current.reveal(seq);
    markReady();
  }

  function markReady() {
    document.body.dataset.ready = 'true';
    document.body.dataset.readyMs = String(Math.round(performance.now()));
  }

  class SessionView {
    constructor(index, d) {
      this.index = index;
      this.d = d;
      this.rows = d.rows;
      this.n = d.rows.seq.length;
      this.bits = d.mark_bits;
      this.timeMode = 'rel';
      this.selected = -1;
      this.highlight = new Set();
      this.arrowEnds = d.arrows.map((a) => Math.max(a[2], a[3], a[4]));
    }

    rowOfSeq(seq) {
      const s = this.rows.seq;
      let lo = 0, hi = s.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (s[mid] === seq) return mid;
        if (s[mid] < seq) lo = mid + 1; else hi = mid - 1;
      }
      return -1;
    }
    has(row, name) { return (this.rows.marks[row] & this.bits[name]) !== 0; }
    marksOf(row) {
      return Object.keys(this.bits).filter((name) => this.has(row, name));
    }
    lane(i) { return this.d.lanes[i]; }

    mount() {
      const d = this.d;
      document.title = (d.passed ? 'PASS ' : 'FAIL ') + d.id + ' · baton report';
      const head = el('div', { class: 'head' },
        el('span', { class: 'verdict ' + (d.passed ? 'pass' : 'fail'), text: d.passed ? 'PASS' : 'FAIL' }),
        el('h1', { text: d.id || d.path }),
        el('span', { class: 'meta', text: [d.path, d.source ? 'from ' + d.source : '',
          this.n + ' events', d.lanes.length + ' agents'].filter(Boolean).join(' · ') }),
        el('button', { type: 'button', id: 'time-mode', onclick: () => this.toggleTime(),
          text: 'Time: T+ (switch to wall clock)' }),
        summary.sessions.length > 1 ? el('a', { href: '#', text: 'all sessions' }) : null);
      const parts = [head];
      if (d.paragraph) parts.push(el('p', { class: 'paragraph', id: 'why', text: d.paragraph }));
      if (d.notes) parts.push(el('div', { class: 'notes', text: d.notes }));
      if (d.divergences.length) parts.push(this.divergences());

      this.scroller = el('div', { class: 'scroller', tabindex: 0, role: 'listbox',
        'aria-label': 'events, one row per event in its agent\'s lane', onkeydown: (e) => this.key(e) });
      this.headRow = el('div', { class: 'lanes-head', role: 'presentation' });
      this.canvas = el('div', { class: 'canvas' });
      this.rowsEl = el('div', { class: 'rows' });
      this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      this.svg.setAttribute('class', 'arrows');
      this.svg.setAttribute('aria-hidden', 'true');
      this.canvas.append(this.svg, this.rowsEl);
      this.scroller.append(this.headRow, this.canvas);
      this.scroller.addEventListener('scroll', () => this.schedule());
      window.addEventListener('resize', this.onResize = () => { this.layout(); this.render(); });

      this.detail = el('section', { class: 'detail', 'aria-live': 'polite' },
        el('h2', { text: 'Event' }),
        el('p', { class: 'muted', text: 'Click an event, or focus the timeline and use ↑ ↓ (j k) to move, ' +
          '[ ] to jump between marked events.' }));
      const side = el('aside', { class: 'side' }, this.findingsPanel(), this.detail);
      parts.push(el('div', { class: 'layout' }, el('div', { class: 'tl' }, this.scroller), side));
      app.replaceChildren(...parts);
      this.layout();
      this.render();
      if (d.root !== null) this.showFinding(d.root, { scroll: true, focus: false });
    }

    layout() {
      const lanes = this.d.lanes.length || 1;
      const avail = Math.max(0, this.scroller.clientWidth - TIME_W - 2);
      this.laneW = Math.max(MIN_LANE_W, Math.floor(avail / lanes));
      const width = TIME_W + this.laneW * lanes;
      this.canvas.style.height = this.n * ROW_H + 'px';
      this.canvas.style.width = width + 'px';
      this.headRow.style.width = width + 'px';
      this.headRow.replaceChildren(el('div', { class: 'time-head', style: `width:${TIME_W}px`,
        text: this.timeMode === 'rel' ? 'time (T+)' : 'time (UTC)' }),
      ...this.d.lanes.map((name, i) => el('div', { class: 'lane-name', role: 'columnheader',
        'data-lane': name, title: name, style: `width:${this.laneW}px`, text: name })));
      for (const old of this.canvas.querySelectorAll('.lane-bg')) old.remove();
      this.d.lanes.forEach((_, i) => this.canvas.prepend(el('div', {
        class: 'lane-bg ' + (i % 2 ? 'odd' : 'even'),
        style: `left:${TIME_W + i * this.laneW}px;width:${this.laneW}px` })));
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => { this.pending = false; this.render(); });
    }

    timeText(i) {
      if (this.timeMode === 'wall') return wallTime(this.d.start_wall_ms, this.rows.wall[i]);
      return relTime(this.rows.t[i]);
    }

    render() {
      const top = Math.max(0, this.scroller.scrollTop - HEAD_H);
      const h = this.scroller.clientHeight;
      const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      const last = Math.min(this.n, Math.ceil((top + h) / ROW_H) + OVERSCAN);
      this.first = first;
      this.last = last;
      const frag = document.createDocumentFragment();
      const r = this.rows;
      for (let i = first; i < last; i++) {
        const marks = this.marksOf(i);
        const seq = r.seq[i];
        const kind = this.d.kinds[r.kind[i]];
        const rowEl = el('div', {
          class: 'row' + (this.highlight.has(seq) ? ' hl' : '') + (i === this.selected ? ' sel' : ''),
          id: 'ev-' + seq, role: 'option', 'aria-selected': i === this.selected ? 'true' : 'false',
          'data-seq': seq, 'data-kind': kind, 'data-lane': this.lane(r.lane[i]),
          'data-marks': marks.join(' '), style: `top:${i * ROW_H}px` });
        const gap = i > 0 ? r.t[i] - r.t[i - 1] : 0;
        rowEl.append(el('span', { class: 'time', title: 'event #' + seq },
          this.timeText(i), gap >= 1e9 ? el('span', { class: 'gap', text: ' ⇣' + duration(gap) }) : null));
        const ev = el('div', {
          class: ['ev', ...marks.map((m) => 'm-' + m)].join(' '), title: `#${seq} ${this.lane(r.lane[i])} ${kind}: ${r.label[i]}` +
            (r.badge[i] ? ` [${r.badge[i]}]` : ''),
          style: `left:${TIME_W + r.lane[i] * this.laneW + 4}px;width:${this.laneW - 8}px`,
          onclick: () => this.select(i, { scroll: false }) });
        if (marks.includes('root')) ev.append(el('span', { class: 'tag t-root', text: 'ROOT' }));
        else if (marks.includes('finding')) ev.append(el('span', { class: 'tag t-finding', text: 'FINDING' }));
        // What is wrong, in words first: a narrow lane cuts the end of a label, not this.
        for (const [mark, word] of MARK_WORDS)
          if (marks.includes(mark)) ev.append(el('span', { class: 'tag t-' + mark, text: word }));
        ev.append(el('span', { class: 'kind', text: '#' + seq }), r.label[i]);
        if (r.dur[i] > 0) {
          const w = Math.min(60, Math.max(2, Math.round(8 * Math.log10(1 + r.dur[i] / 1e6))));
          ev.append(el('span', { class: 'dur', style: `width:${w}px`, title: duration(r.dur[i]) }));
        }
        if (r.badge[i]) ev.append(el('span', { class: 'badge', text: r.badge[i] }));
        rowEl.append(ev);
        frag.append(rowEl);
      }
      this.rowsEl.replaceChildren(frag);
      this.drawArrows(first, last);
    }

    drawArrows(first, last) {
      const NS = 'http://www.w3.org/2000/svg';
      const svg = this.svg;
      const y0 = first * ROW_H;
      svg.style.top = y0 + 'px';
      svg.setAttribute('width', this.canvas.style.width.replace('px', ''));
      svg.setAttribute('height', String(Math.max(1, (last - first) * ROW_H)));
      const frag = document.createDocumentFragment();
      if (!svg.querySelector('defs')) {
        const defs = document.createElementNS(NS, 'defs');
        for (const [id, color] of [['ah', '#6b7785'], ['ah-low', '#b3261e'], ['ah-good', '#1b7f3b'], ['ah-root', '#7a1fa2']]) {
          const m = document.createElementNS(NS, 'marker');
          for (const [k, v] of Object.entries({ id, viewBox: '0 0 10 10', refX: '9', refY: '5',
            markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' })) m.setAttribute(k, v);
          const p = document.createElementNS(NS, 'path');
          p.setAttribute('d', 'M0,0 L10,5 L0,10 z');
          p.setAttribute('fill', color);
          m.append(p);
          defs.append(m);
        }
        svg.append(defs);
      }
      for (const old of svg.querySelectorAll('g.arrow')) old.remove();
      const cx = (lane) => TIME_W + lane * this.laneW + this.laneW / 2;
      const edge = (lane, rightSide) => TIME_W + lane * this.laneW + (rightSide ? this.laneW - 4 : 4);
      const cy = (row) => row * ROW_H + ROW_H / 2 - y0;
      this.d.arrows.forEach((a, i) => {
        const [from, to, send, delivery, processed, quality, threshold, root, msgId, intent] = a;
        if (send > last || this.arrowEnds[i] < first) return;
        const g = document.createElementNS(NS, 'g');
        g.setAttribute('class', 'arrow');
        const low = quality !== null && quality < threshold;
        const cls = root ? 'root' : low ? 'low' : quality !== null ? 'good' : '';
        const line = document.createElementNS(NS, 'line');
        const end = delivery >= 0 ? delivery : send;
        // From the sender's box edge to the receiver's, so that no label is covered.
        const right = to > from;
        const x1 = from === to ? cx(from) : edge(from, right);
        const x2 = from === to ? cx(to) : edge(to, !right);
        for (const [k, v] of Object.entries({ x1, y1: cy(send), x2: from === to ? x2 + 20 : x2, y2: cy(end) }))
          line.setAttribute(k, v);
        line.setAttribute('class', ['arrow', cls, delivery < 0 ? 'undelivered' : ''].filter(Boolean).join(' '));
        line.setAttribute('marker-end', `url(#${root ? 'ah-root' : low ? 'ah-low' : quality !== null ? 'ah-good' : 'ah'})`);
        line.dataset.from = this.lane(from);
        line.dataset.to = this.lane(to);
        line.dataset.message = msgId;
        if (root) line.dataset.root = 'true';
        const title = document.createElementNS(NS, 'title');
        title.textContent = `${this.lane(from)} → ${this.lane(to)}: ${intent}` +
          (quality !== null ? ` (quality ${quality.toFixed(2)}, threshold ${threshold.toFixed(2)})` : '') +
          (delivery < 0 ? ' — never delivered' : '') + (root ? ' — root cause boundary' : '');
        line.append(title);
        g.append(line);
        if (quality !== null || root || delivery < 0) {
          const t = document.createElementNS(NS, 'text');
          t.setAttribute('x', (x1 + x2) / 2 + 4);
          t.setAttribute('y', (cy(send) + cy(end)) / 2 - 3);
          t.setAttribute('class', low || delivery < 0 ? 'low' : '');
          t.textContent = [root ? 'root cause' : '',
            quality !== null ? `q ${quality.toFixed(2)}${low ? ' < ' + threshold.toFixed(2) + ' low' : ''}` : '',
            delivery < 0 ? 'never delivered' : ''].filter(Boolean).join(' · ');
          g.append(t);
        }
        if (delivery >= 0 && processed > delivery) {
          const p = document.createElementNS(NS, 'line');
          const x = cx(to) + this.laneW / 2 - 10;
          for (const [k, v] of Object.entries({ x1: x, y1: cy(delivery), x2: x, y2: cy(processed) }))
            p.setAttribute(k, v);
          p.setAttribute('class', 'processing');
          g.append(p);
        }
        frag.append(g);
      });
      svg.append(frag);
    }

    toggleTime() {
      this.timeMode = this.timeMode === 'rel' ? 'wall' : 'rel';
      document.getElementById('time-mode').textContent = this.timeMode === 'rel'
        ? 'Time: T+ (switch to wall clock)' : 'Time: wall clock UTC (switch to T+)';
      this.layout();
      this.render();
    }

    scrollToRow(i) {
      const y = i * ROW_H;
      const view = this.scroller.clientHeight - HEAD_H;
      const top = this.scroller.scrollTop;
      if (y < top || y + ROW_H > top + view) this.scroller.scrollTop = Math.max(0, y - view / 3);
      this.render();
    }

    reveal(seq) {
      const i = this.rowOfSeq(seq);
      if (i >= 0) this.select(i, { scroll: true });
    }

    select(i, { scroll }) {
      if (i < 0 || i >= this.n) return;
      this.selected = i;
      const seq = this.rows.seq[i];
      this.scroller.setAttribute('aria-activedescendant', 'ev-' + seq);
      if (scroll) this.scrollToRow(i); else this.render();
      this.showDetail(i);
    }

    key(e) {
      const step = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 20, PageUp: -20 }[e.key];
      if (step !== undefined) {
        e.preventDefault();
        this.select(Math.min(this.n - 1, Math.max(0, (this.selected < 0 ? (step > 0 ? -1 : this.n) : this.selected) + step)), { scroll: true });
      } else if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        this.select(e.key === 'Home' ? 0 : this.n - 1, { scroll: true });
      } else if (e.key === ']' || e.key === '[') {
        e.preventDefault();
        const dir = e.key === ']' ? 1 : -1;
        for (let i = this.selected + dir; i >= 0 && i < this.n; i += dir) {
          if (this.rows.marks[i] !== 0 || this.highlight.has(this.rows.seq[i])) { this.select(i, { scroll: true }); break; }
        }
      }
    }

    // --- findings --------------------------------------------------------------------
    findingsPanel() {
      const d = this.d;
      const section = el('section', { class: 'findings' }, el('h2', { text: `Findings (${d.findings.length})` }));
      if (!d.findings.length) {
        section.append(el('p', { class: 'muted', text: d.passed ? 'No findings: the session passes its policy.'
          : 'No finding: the outcome failed without an anomaly in the messages.' }));
        return section;
      }
      const order = d.findings.map((_, i) => i);
      if (d.root !== null) order.sort((a, b) => (b === d.root) - (a === d.root));
      const list = el('ol');
      this.findingButtons = [];
      // A long session can have thousands: the first FINDINGS_SHOWN, then the rest on request.
      const more = order.length - FINDINGS_SHOWN;
      if (more > 0) {
        const rest = order.splice(FINDINGS_SHOWN);
        const button = el('button', { type: 'button', class: 'more', text: `show ${more} more findings`,
          onclick: () => { button.remove(); for (const i of rest) list.append(this.findingItem(i)); } });
        section.append(list, button);
      } else {
        section.append(list);
      }
      for (const i of order) list.append(this.findingItem(i));
      return section;
    }

    findingItem(i) {
      const d = this.d;
      const f = d.findings[i];
      const evidence = el('ul', { class: 'evidence-list', id: 'evidence-' + i, hidden: true });
      const button = el('button', {
        type: 'button', class: 'finding' + (i === d.root ? ' root' : ''), 'aria-expanded': 'false',
        'aria-controls': 'evidence-' + i, 'data-finding': f.kind, 'data-index': i,
        onclick: () => this.showFinding(i, { scroll: true, focus: true }) },
      el('span', { class: 'fk', text: f.kind.replace(/_/g, ' ') }),
      i === d.root ? el('span', { class: 'tag', text: 'ROOT CAUSE' }) : null,
      el('span', { class: 'muted', text: ` at ${f.to} ← ${f.from}, #${f.at}` }),
      el('div', { text: f.sentence }));
      this.findingButtons[i] = { button, evidence };
      return el('li', null, button, evidence);
    }

    showFinding(i, { scroll, focus }) {
      const f = this.d.findings[i];
      this.highlight = new Set([...f.evidence, f.at]);
      if (i === this.d.root) for (const s of this.d.evidence) this.highlight.add(s);
      for (const [j, { button, evidence }] of Object.entries(this.findingButtons || {})) {
        const open = +j === i;
        button.setAttribute('aria-expanded', open ? 'true' : 'false');
        evidence.hidden = !open;
        if (open && !evidence.childElementCount) {
          const seqs = [...new Set([...f.evidence, f.at])].sort((a, b) => a - b);
          for (const s of seqs) {
            const row = this.rowOfSeq(s);
            if (row < 0) continue;
            evidence.append(el('li', null, el('a', { href: `#s=${this.index}&e=${s}`, 'data-seq': s,
              onclick: (e) => { e.preventDefault(); this.select(row, { scroll: true }); },
              text: `#${s} ${this.lane(this.rows.lane[row])}: ${this.rows.label[row]}` })));
          }
        }
      }
      if (scroll) {
        // Where the finding shows; for the root, the handoff across its boundary when drawn.
        let target = this.rowOfSeq(f.at);
        if (i === this.d.root) {
          const a = this.d.arrows.find((x) => x[7]);
          if (a && a[3] >= 0) target = a[3];
        }
        if (target >= 0) {
          if (focus) this.select(target, { scroll: true });
          else this.scrollToRow(target);
        }
      } else {
        this.render();
      }
    }

    divergences() {
      const box = el('section', { class: 'divergences' },
        el('h2', { text: `Replay divergence (${this.d.divergences.length})` }));
      for (const dv of this.d.divergences) {
        box.append(el('p', null, el('strong', { text: `${dv.agent} ${dv.kind}: ` }), dv.summary,
          dv.recorded_seq ? el('a', { href: `#s=${this.index}&e=${dv.recorded_seq}`,
            text: ` (recorded #${dv.recorded_seq})` }) : null));
        if (dv.fields.length) {
          const t = el('table', { class: 'diff' }, el('thead', null, el('tr', null,
            el('th', { text: 'field' }), el('th', { text: 'recorded' }), el('th', { text: 'live' }))));
          for (const f of dv.fields)
            t.append(el('tr', { 'data-change': f.change }, el('td', { class: 'path', text: f.path }),
              el('td', { class: 'rec', text: f.change === 'only_live' ? '(absent)' : f.recorded }),
              el('td', { class: 'live', text: f.change === 'only_recorded' ? '(absent)' : f.live })));
          box.append(t);
        }
        if (dv.chain.length) box.append(el('p', { class: 'muted', text: 'led there: ' + dv.chain.join(' → ') }));
      }
      return box;
    }

    // --- payloads --------------------------------------------------------------------
    async payload(row) {
      const blocks = this.d.blocks;
      let lo = 0, hi = blocks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (blocks[mid][0] <= row) lo = mid; else hi = mid - 1;
      }
      const items = await decode(`s${this.index}-p${lo}`);
      return items[row - blocks[lo][0]];
    }

    // A model call's messages: its tail after `keep` messages of the call it continues.
    async messages(row) {
      const chain = [];
      for (let r = row; r >= 0;) {
        const item = await this.payload(r);
        if (!item || !item.m) break;
        chain.push(item.m);
        r = item.m.base ? this.rowOfSeq(item.m.base) : -1;
      }
      const out = [];
      let shared = 0;
      for (let k = chain.length - 1; k >= 0; k--) {
        out.length = Math.min(out.length, chain[k].keep);
        if (k === 0) shared = out.length;
        for (const m of chain[k].tail) out.push(m);
      }
      return { list: out, shared };
    }

    async showDetail(i) {
      const seq = this.rows.seq[i];
      const r = this.rows;
      const kind = this.d.kinds[r.kind[i]];
      const token = (this.detailToken = {});
      const head = el('div', null,
        el('h2', { text: `#${seq} ${this.lane(r.lane[i])} · ${kind}` }),
        el('p', { class: 'mono', text: `${relTime(r.t[i])} · ${wallTime(this.d.start_wall_ms, r.wall[i])} UTC` }),
        r.badge[i] ? el('p', { class: 'notes', text: this.marksOf(i).filter((m) => !['evidence', 'root', 'finding'].includes(m))
          .map((m) => m.replace('_', ' ')).join(', ') + ': ' + r.badge[i] }) : null);
      this.detail.replaceChildren(head, el('p', { class: 'muted', text: 'loading…' }));
      let item, msgs = null;
      try {
        item = await this.payload(i);
        if (item.m) msgs = await this.messages(i);
      } catch (err) {
        if (token === this.detailToken)
          this.detail.replaceChildren(head, el('p', { class: 'notes', text: 'payload unreadable: ' + err.message }));
        return;
      }
      if (token !== this.detailToken) return;
      const e = item.e;
      const body = el('div', { class: 'payload', 'data-seq': seq });
      this.fill(body, e, msgs);
      const raw = el('details', { class: 'raw' }, el('summary', { text: 'raw JSON (as baton cat prints it)' }));
      raw.addEventListener('toggle', () => {
        if (!raw.open || raw.querySelector('pre')) return;
        const full = JSON.parse(JSON.stringify(e));
        if (msgs && full.request) full.request.messages = msgs.list;
        raw.append(el('pre', { text: JSON.stringify(full, null, 2) }));
      });
      this.detail.replaceChildren(head, body, raw);
    }

    fill(body, e, msgs) {
      const dl = el('dl');
      const field = (k, v) => { if (v !== undefined && v !== null && v !== '') dl.append(el('dt', { text: k }), el('dd', { text: String(v) })); };
      const text = (label, v) => {
        if (v === undefined || v === null || v === '') return;
        body.append(el('h3', { class: 'muted', text: label }),
          el('pre', null, typeof v === 'string' ? v : JSON.stringify(v, null, 2)));
      };
      body.append(dl);
      switch (e.kind) {
        case 'message_send':
          field('to', e.to); field('intent', e.intent); field('message', e.message_id);
          field('built on', (e.context_versions || []).map((c) => `${c.key} v${c.version}`).join(', '));
          text('payload', e.payload);
          break;
        case 'message_delivery': field('from', e.from); field('message', e.message_id); break;
        case 'message_interpretation':
          field('message', e.message_id); field('understood as', e.understood_intent); text('summary', e.summary); break;
        case 'context_write': field('key', e.key); field('version', e.version); text('value', e.value); break;
        case 'context_read': field('key', e.key); field('version', e.version); break;
        case 'model_call': {
          field('call', e.call_id); field('model', e.request && e.request.model); field('attempt', e.attempt);
          field('latency', e.latency_ns ? duration(e.latency_ns) : '');
          field('error', e.error);
          if (e.http && e.http.status) field('HTTP', `${e.http.method} ${e.http.path} → ${e.http.status}` + (e.http.stream_cut ? ' (stream cut)' : ''));
          const u = e.response && e.response.usage;
          if (u && u.total_tokens) field('tokens', `${u.prompt_tokens} in, ${u.completion_tokens} out`);
          if (e.request && e.request.parameters && Object.keys(e.request.parameters).length)
            field('parameters', Object.entries(e.request.parameters).map(([k, v]) => `${k}=${v}`).join(', '));
          if (msgs) {
            body.append(el('h3', { class: 'muted', text: `prompt: ${msgs.list.length} messages` +
              (msgs.shared ? ` (${msgs.shared} resent from the conversation so far)` : '') }));
            const list = el('div', { class: 'messages' });
            msgs.list.forEach((m, k) => list.append(el('div', { class: 'msg' + (k < msgs.shared ? ' shared' : '') },
              el('div', { class: 'role', text: m.role + (m.name ? ' ' + m.name : '') + (m.tool_call_id ? ' (' + m.tool_call_id + ')' : '') }),
              el('pre', { class: 'content', text: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) }))));
            body.append(list);
          }
          const resp = e.response || {};
          text('response', resp.content);
          if (resp.tool_calls && resp.tool_calls.length)
            for (const tc of resp.tool_calls) text(`tool call ${tc.name} (${tc.id})`, tc.arguments_json);
          if (resp.finish_reason) field('finish', resp.finish_reason);
          if (resp.chunks && resp.chunks.length) {
            body.append(el('h3', { class: 'muted', text: `streamed: ${resp.chunks.length} chunks` }));
            const t = el('table', { class: 'chunks' });
            for (const c of resp.chunks.slice(0, 500))
              t.append(el('tr', null, el('td', { class: 'mono', text: '+' + (c.offset_ns / 1e6).toFixed(1) + ' ms' }),
                el('td', { class: 'mono', text: c.text })));
            body.append(t);
            if (resp.chunks.length > 500) body.append(el('p', { class: 'muted', text: `${resp.chunks.length - 500} more in the raw JSON` }));
          }
          break;
        }
        case 'tool_call':
          field('tool', e.tool); field('call', e.call_id); field('latency', e.latency_ns ? duration(e.latency_ns) : '');
          field('error', e.error); text('arguments', e.arguments); text('result', e.result);
          break;
        case 'routing_decision':
          field('chose', e.chosen); field('among', (e.candidates || []).join(', ')); text('reasoning', e.reasoning); break;
        case 'score':
          field('value', typeof e.value === 'number' ? e.value.toFixed(2) : e.value); field('scorer', e.scorer);
          field('of', e.target_message_id || (e.target_seq ? '#' + e.target_seq : '')); text('rationale', e.rationale); break;
        case 'check':
          field('checker', e.checker); field('passed', e.passed ? 'yes' : 'no');
          field('of', e.target_message_id || (e.target_seq ? '#' + e.target_seq : '')); text('detail', e.detail); break;
        case 'retry':
          field('call', e.call_id); field('attempt', e.attempt); field('backoff', duration(e.backoff_ns || 0)); field('reason', e.reason); break;
        case 'outcome':
          field('verdict', e.verdict); field('detail', e.detail); text('result', e.result); break;
        default:
          for (const [k, v] of Object.entries(e)) {
            if (['seq', 'kind', 'agent', 'cause', 'mono_ns', 'wall_ns'].includes(k)) continue;
            if (typeof v === 'object') text(k, v); else field(k, v);
          }
      }
      if (e.cause) {
        const row = this.rowOfSeq(e.cause);
        dl.append(el('dt', { text: 'caused by' }), el('dd', null, row >= 0
          ? el('a', { href: `#s=${this.index}&e=${e.cause}`, text: `#${e.cause} ${this.rows.label[row]}`,
            onclick: (ev) => { ev.preventDefault(); this.select(row, { scroll: true }); } })
          : `#${e.cause}`));
      }
    }
  }

  window.addEventListener('hashchange', route);
  route();
})();
