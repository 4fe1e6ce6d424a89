// A researcher agent with a tool loop on the official openai SDK, unmodified: the model asks
// for two lookups at once, the agent runs them and sends the results back with the model's
// message as the SDK returned it (refusal, annotations and all), and the model answers. This
// is the loop every tool-using agent runs, and the history it resends is what a replay of
// its imported spans must match.
//
//   node otel_openai_tool_loop.cjs http://127.0.0.1:PORT CONVERSATION
//     traced: the official @opentelemetry/instrumentation-openai (content capture on) sends
//     the calls as spans and the messages as log records to `baton serve`; the model is a
//     small scripted server in this process.
//   node otel_openai_tool_loop.cjs -
//     plain: the SDK reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment, as under
//     `baton replay`.
//
// CommonJS: the instrumentation patches `openai` as it is required.
const http = require('node:http');

const [endpoint, conversation] = process.argv.slice(2);
if (!endpoint || (endpoint !== '-' && !conversation)) {
  console.error('usage: otel_openai_tool_loop.cjs OTLP_BASE_URL CONVERSATION | -');
  process.exit(2);
}
const traced = endpoint !== '-';
let telemetry = null;
if (traced) {
  const { trace } = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
  const { Resource } = require('@opentelemetry/resources');
  const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
  const resource = new Resource({ 'service.name': 'js-openai-tool-loop' });
  const tracerProvider = new BasicTracerProvider({ resource });
  tracerProvider.addSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  tracerProvider.register({ contextManager: new AsyncLocalStorageContextManager() });
  const loggerProvider = new LoggerProvider({ resource });
  loggerProvider.addLogRecordProcessor(new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${endpoint}/v1/logs` })));
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setLoggerProvider(loggerProvider);
  instrumentation.enable();
  telemetry = { tracer: trace.getTracer('js-openai-tool-loop'), tracerProvider, loggerProvider };
}
const OpenAI = require('openai');

// The scripted model: two lookups at once, then the answer from their results. The
// arguments are spaced as a model writes them, not as JSON.stringify would.
const model = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const request = JSON.parse(body);
    const results = request.messages.filter((m) => m.role === 'tool');
    const message = results.length === 0
      ? { role: 'assistant', content: null, refusal: null, tool_calls: [
          { id: 'call_q3', type: 'function', function: { name: 'lookup', arguments: '{"quarter": "Q3"}' } },
          { id: 'call_q2', type: 'function', function: { name: 'lookup', arguments: '{"quarter": "Q2"}' } }] }
      : { role: 'assistant', content: `From the books: ${results.map((m) => m.content).join('; ')}.`, refusal: null };
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({
      id: `chatcmpl-${results.length}`, object: 'chat.completion', created: 1767225600,
      model: request.model,
      choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
    }));
  });
});

const FIGURES = { Q2: 'Q2 revenue $10M', Q3: 'Q3 revenue $12M' };
const TOOLS = [{ type: 'function', function: { name: 'lookup', description: 'Look up a quarter in the books',
  parameters: { type: 'object', properties: { quarter: { type: 'string' } }, required: ['quarter'] } } }];

async function research(client) {
  const messages = [{ role: 'system', content: 'You are the researcher.' },
    { role: 'user', content: "What were ACME's Q3 and Q2 revenues?" }];
  for (let turn = 0; turn < 4; ++turn) {
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS });
    const message = r.choices[0].message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content;
    for (const call of message.tool_calls) {
      const { quarter } = JSON.parse(call.function.arguments);
      console.log(`tool ${call.function.name}(${quarter})`);
      messages.push({ role: 'tool', tool_call_id: call.id, content: FIGURES[quarter] ?? 'unknown' });
    }
  }
  return 'no answer';
}

async function main() {
  if (!traced) {
    console.log(`researcher: ${await research(new OpenAI({ maxRetries: 0 }))}`);
    return;
  }
  await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
  const client = new OpenAI({
    apiKey: 'sk-test', baseURL: `http://127.0.0.1:${model.address().port}/v1`, maxRetries: 0,
  });
  const answer = await telemetry.tracer.startActiveSpan('invoke_agent researcher', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher',
      'gen_ai.conversation.id': conversation },
  }, async (span) => {
    try { return await research(client); } finally { span.end(); }
  });
  console.log(`researcher: ${answer}`);
  model.close();
  await telemetry.tracerProvider.forceFlush();
  await telemetry.loggerProvider.forceFlush();
  await telemetry.tracerProvider.shutdown();
  await telemetry.loggerProvider.shutdown();
}
main().catch((e) => { console.error(e); process.exit(1); });
