// A small multi-agent program (planner, researcher, judge, writer, reviewer over a shared
// market_data context) instrumented with nothing but the OpenTelemetry JS API and SDK: GenAI
// spans for agents and model calls, and baton.* span events (docs/otel-attributes.md) for
// context reads and writes, messages with their intents, interpretations, scores and the
// outcome. Exported with the official OTLP/HTTP exporter to `baton serve`: as JSON
// (exporter-trace-otlp-http), or as protobuf (exporter-trace-otlp-proto, OTLP/HTTP's default).
//
//   node otel_research_team.mjs stale_context|misunderstood_task http://127.0.0.1:PORT [json|protobuf]
//
// The conversation is js-SCENARIO, and js-SCENARIO-protobuf when sent as protobuf.
// It replays the two incidents of corpora/ that the C++ runtime records: the researcher
// reads a superseded market_data version, or the writer understands another task than the
// planner sent. Time is virtual (like the runtime's scripted clock), so the run is fast and
// the same every time.
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const [scenario, endpoint, encoding = 'json'] = process.argv.slice(2);
if (!['stale_context', 'misunderstood_task'].includes(scenario) || !endpoint ||
    !['json', 'protobuf'].includes(encoding)) {
  console.error('usage: otel_research_team.mjs stale_context|misunderstood_task OTLP_BASE_URL [json|protobuf]');
  process.exit(2);
}
const Exporter = encoding === 'protobuf' ? ProtobufExporter : JsonExporter;

const provider = new BasicTracerProvider({
  resource: new Resource({ 'service.name': 'js-research-team' }),
});
provider.addSpanProcessor(new BatchSpanProcessor(new Exporter({ url: `${endpoint}/v1/traces` })));
const tracer = provider.getTracer('otel-research-team', '1.0.0');

const T0 = Date.UTC(2026, 0, 1);  // ms
let now = 0;                       // virtual ms since T0
const at = () => T0 + now;
const TASK = 'Assess the market risks for ACME Corp next quarter';

const root = tracer.startSpan('research-team run', {
  startTime: at(),
  attributes: { 'gen_ai.conversation.id': encoding === 'protobuf' ? `js-${scenario}-protobuf` : `js-${scenario}`, 'baton.agent': 'user' },
});
const rootContext = trace.setSpan(context.active(), root);

// The shared context store: every write is a new version.
const store = { market_data: [] };
function write(span, key, value) {
  store[key].push(value);
  span.addEvent('baton.context.write', {
    'baton.context.key': key, 'baton.context.version': store[key].length, 'baton.context.value': value,
  }, at());
}
function read(span, key, version) {
  span.addEvent('baton.context.read', { 'baton.context.key': key, 'baton.context.version': version }, at());
  return store[key][version - 1];
}

// One agent turn: an invoke_agent span; fn gets the span.
function turn(agent, fn) {
  const span = tracer.startSpan(`invoke_agent ${agent}`, {
    startTime: at(),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent },
  }, rootContext);
  fn(span);
  span.end(at());
}

// A model call: a chat span with the GenAI content attributes; the answer is scripted.
function chat(parent, agent, system, user, answer, ms) {
  const span = tracer.startSpan('chat scripted-research-1', {
    startTime: at(),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'scripted-research-1',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: system }] },
        { role: 'user', parts: [{ type: 'text', content: user }] },
      ]),
    },
  }, trace.setSpan(rootContext, parent));
  now += ms;
  span.setAttributes({
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' },
    ]),
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 40,
    'gen_ai.usage.output_tokens': 20,
  });
  span.end(at());
  return answer;
}

let counter = {};
function send(span, from, to, intent, payload) {
  const key = `${from}->${to}`;
  counter[key] = (counter[key] || 0) + 1;
  const id = `${key}#${counter[key]}`;
  span.addEvent('baton.message.send', {
    'baton.message.id': id, 'baton.message.to': to, 'baton.message.intent': intent,
    'baton.message.payload': payload,
  }, at());
  return { id, from, intent, payload };
}
function receive(span, msg, understood, summary) {
  span.addEvent('baton.message.deliver', { 'baton.message.id': msg.id, 'baton.message.from': msg.from }, at());
  span.addEvent('baton.message.interpret', {
    'baton.message.id': msg.id, 'baton.message.understood_intent': understood, 'baton.message.summary': summary,
  }, at());
}
const processed = (span, msg) => span.addEvent('baton.message.processed', { 'baton.message.id': msg.id }, at());
const score = (span, msg, value, scorer, rationale) => span.addEvent('baton.score', {
  'baton.message.id': msg.id, 'baton.score.value': value, 'baton.score.scorer': scorer, 'baton.score.rationale': rationale,
}, at());

// The market data feed: revisions every 2 s; the last one revises revenue down.
const revisions = scenario === 'stale_context' ? 7 : 1;
for (let v = 1; v <= revisions; ++v) {
  now = (v - 1) * 2000;
  turn('data_feed', (s) => write(s, 'market_data', v === 7
    ? 'ACME Q3 revised: revenue 3.1B USD, growth -8%, supply risk index 0.83'
    : v === 1 ? 'ACME Q3: revenue 4.2B USD, growth 3%, supply risk index 0.41'
      : `ACME Q3 update ${v}: revenue 4.2B USD, growth 3%, supply risk index 0.${40 + v}`));
}

now = scenario === 'stale_context' ? 24000 : 1000;
const task = send(root, 'user', 'planner', 'assess_risks', TASK);
let report = '';
if (scenario === 'stale_context') {
  let toResearcher, toWriter, findings;
  turn('planner', (s) => {
    receive(s, task, 'assess_risks', `plan the work for: ${TASK}`);
    chat(s, 'planner', 'You route work.', TASK, `ROUTE: researcher\nREASON: the task needs evidence about ${TASK}`, 1201);
    s.addEvent('baton.routing', {
      'baton.routing.chosen': 'researcher', 'baton.routing.candidates': ['writer', 'researcher', 'researcher+analyst'],
      'baton.routing.reasoning': `the task needs evidence about ${TASK}`,
    }, at());
    toResearcher = send(s, 'planner', 'researcher', 'research', TASK);
    toWriter = send(s, 'planner', 'writer', 'write', `${TASK}\ninputs: 1`);
    processed(s, task);
  });
  turn('researcher', (s) => {
    receive(s, toResearcher, 'research', `find evidence for: ${TASK}`);
    // The bug: a replica that lags one version behind.
    const data = read(s, 'market_data', 6);
    const answer = chat(s, 'researcher', 'You research.', `${TASK}\nmarket data: ${data}`,
      `FINDINGS: ${data}. Evidence: Sector outlook: Analysts expect market volatility next quarter.`, 1457);
    findings = send(s, 'researcher', 'writer', 'findings', answer);
  });
  turn('judge', (s) => {
    read(s, 'market_data', 7);
    chat(s, 'judge', 'You score findings.', findings.payload,
      'SCORE: 0.23\nRATIONALE: its figures contradict the latest market data (revenue 4.2B vs 3.1B)', 1405);
    score(s, findings, 0.23, 'judge', 'its figures contradict the latest market data (revenue 4.2B vs 3.1B)');
  });
  turn('researcher', (s) => processed(s, toResearcher));
  let toReviewer;
  turn('writer', (s) => {
    receive(s, toWriter, 'write', `write the report for: ${toWriter.payload}`);
    processed(s, toWriter);
    receive(s, findings, 'findings', 'evidence from researcher');
    report = chat(s, 'writer', 'You write reports.', `${TASK}\nresearcher: ${findings.payload}`,
      `REPORT: ${TASK}. Key points: researcher: ${findings.payload}`, 1347);
    toReviewer = send(s, 'writer', 'reviewer', 'review', report);
    processed(s, findings);
  });
  let toPlanner;
  turn('reviewer', (s) => {
    receive(s, toReviewer, 'review', 'judge the draft');
    chat(s, 'reviewer', 'You review drafts.', report, 'VERDICT: APPROVE\nSCORE: 0.94', 1349);
    score(s, toReviewer, 0.94, 'reviewer', 'VERDICT: APPROVE\nSCORE: 0.94');
    toPlanner = send(s, 'reviewer', 'planner', 'final', report);
    processed(s, toReviewer);
  });
  turn('planner', (s) => {
    receive(s, toPlanner, 'final', 'the approved report');
    const latest = read(s, 'market_data', 7);
    chat(s, 'planner', 'You accept or reject.', `${report}\nlatest: ${latest}`,
      "VERDICT: FAIL\nREASON: the report's figures are outdated (revenue 4.2B, latest 3.1B)", 1199);
    s.addEvent('baton.outcome', {
      'baton.outcome.verdict': 'failure', 'baton.outcome.result': report,
      'baton.outcome.detail': "the report's figures are outdated (revenue 4.2B, latest 3.1B)",
    }, at());
    processed(s, toPlanner);
  });
} else {
  let toWriter, toReviewer, toPlanner;
  turn('planner', (s) => {
    receive(s, task, 'assess_risks', `plan the work for: ${TASK}`);
    chat(s, 'planner', 'You route work.', TASK, `ROUTE: writer\nREASON: the task needs evidence about ${TASK}`, 1200);
    s.addEvent('baton.routing', {
      'baton.routing.chosen': 'writer', 'baton.routing.candidates': ['writer', 'researcher', 'researcher+analyst'],
      'baton.routing.reasoning': `the task needs evidence about ${TASK}`,
    }, at());
    toWriter = send(s, 'planner', 'writer', 'summarize_risks', `${TASK}\ninputs: 0`);
    processed(s, task);
  });
  turn('writer', (s) => {
    // The bug: the writer takes "summarize" to mean the report, not the risks.
    receive(s, toWriter, 'summarize_report', `write the report for: ${toWriter.payload}`);
    report = chat(s, 'writer', 'You write reports.', toWriter.payload,
      'SUMMARY: an overview of the quarterly report, its sections and its tables', 1300);
    toReviewer = send(s, 'writer', 'reviewer', 'review', report);
    processed(s, toWriter);
  });
  turn('reviewer', (s) => {
    receive(s, toReviewer, 'review', 'judge the draft');
    chat(s, 'reviewer', 'You review drafts.', report, 'VERDICT: APPROVE\nSCORE: 0.93', 1300);
    score(s, toReviewer, 0.93, 'reviewer', 'VERDICT: APPROVE\nSCORE: 0.93');
    toPlanner = send(s, 'reviewer', 'planner', 'final', report);
    processed(s, toReviewer);
  });
  turn('planner', (s) => {
    receive(s, toPlanner, 'final', 'the approved report');
    read(s, 'market_data', 1);
    chat(s, 'planner', 'You accept or reject.', report, 'VERDICT: FAIL\nREASON: the report does not assess the risks', 1200);
    s.addEvent('baton.outcome', {
      'baton.outcome.verdict': 'failure', 'baton.outcome.result': report,
      'baton.outcome.detail': 'the report does not assess the risks the user asked for',
    }, at());
    processed(s, toPlanner);
  });
}
root.end(at());
await provider.shutdown();  // Flushes the batch to the receiver.
console.log(`exported ${scenario}`);
