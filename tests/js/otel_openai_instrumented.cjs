// Two agents on the official openai SDK, instrumented by the official
// @opentelemetry/instrumentation-openai, unmodified: it records each chat call as a GenAI span
// and, with content capture on (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true), the
// messages as GenAI events sent as log records, not on the span. Spans go to `baton serve`
// with the OTLP/HTTP trace exporter, the log records with the OTLP/HTTP log exporter (JSON,
// or protobuf: OTLP/HTTP's default, as the Python exporters send); the
// agents' invoke_agent spans are the program's own. A planner hands off to a researcher with a
// transfer_to_researcher tool call; the model is a small scripted server in this process.
//
//   node otel_openai_instrumented.cjs http://127.0.0.1:PORT CONVERSATION [json|protobuf]
//
// CommonJS: the instrumentation patches `openai` as it is required.
const http = require('node:http');
const { context, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const json = {
  traces: require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter,
  logs: require('@opentelemetry/exporter-logs-otlp-http').OTLPLogExporter,
};
const protobuf = {
  traces: require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter,
  logs: require('@opentelemetry/exporter-logs-otlp-proto').OTLPLogExporter,
};
const { Resource } = require('@opentelemetry/resources');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');

const [endpoint, conversation, encoding = 'json'] = process.argv.slice(2);
if (!endpoint || !conversation || !['json', 'protobuf'].includes(encoding)) {
  console.error('usage: otel_openai_instrumented.cjs OTLP_BASE_URL CONVERSATION [json|protobuf]');
  process.exit(2);
}
const exporters = encoding === 'protobuf' ? protobuf : json;
const resource = new Resource({ 'service.name': 'js-openai-team' });
const tracerProvider = new BasicTracerProvider({ resource });
tracerProvider.addSpanProcessor(new BatchSpanProcessor(new exporters.traces({ url: `${endpoint}/v1/traces` })));
tracerProvider.register({ contextManager: new AsyncLocalStorageContextManager() });
const loggerProvider = new LoggerProvider({ resource });
loggerProvider.addLogRecordProcessor(new BatchLogRecordProcessor(new exporters.logs({ url: `${endpoint}/v1/logs` })));
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(tracerProvider);
instrumentation.setLoggerProvider(loggerProvider);
instrumentation.enable();
const OpenAI = require('openai');

// The scripted model: the planner hands off, the researcher answers.
const model = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const request = JSON.parse(body);
    const planner = request.messages[0].content === 'You are the planner.';
    const message = planner
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function',
          function: { name: 'transfer_to_researcher', arguments: '{"task":"ACME Q3 revenue"}' } }] }
      : { role: 'assistant', content: "ACME's Q3 revenue was $12M." };
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({
      id: planner ? 'chatcmpl-1' : 'chatcmpl-2', object: 'chat.completion', created: 1767225600,
      model: request.model,
      choices: [{ index: 0, message, finish_reason: planner ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
    }));
  });
});

async function main() {
  await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
  const client = new OpenAI({
    apiKey: 'sk-test', baseURL: `http://127.0.0.1:${model.address().port}/v1`, maxRetries: 0,
  });
  const tracer = trace.getTracer('js-openai-team');
  const agent = (name, fn) => tracer.startActiveSpan(`invoke_agent ${name}`, {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name,
      'gen_ai.conversation.id': conversation },
  }, async (span) => {
    try { return await fn(); } finally { span.end(); }
  });
  const handoff = await agent('planner', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'You are the planner.' },
        { role: 'user', content: "What was ACME's Q3 revenue?" }],
      tools: [{ type: 'function', function: { name: 'transfer_to_researcher', parameters: { type: 'object' } } }],
    });
    return r.choices[0].message.tool_calls[0];
  });
  const answer = await agent('researcher', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'You are the researcher.' },
        { role: 'user', content: JSON.parse(handoff.function.arguments).task }],
    });
    return r.choices[0].message.content;
  });
  console.log(`planner -> ${handoff.function.name}; researcher: ${answer}`);
  model.close();
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
  await tracerProvider.shutdown();
  await loggerProvider.shutdown();
}
main().catch((e) => { console.error(e); process.exit(1); });
