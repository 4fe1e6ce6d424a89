// The two agents of ai_sdk_team.mjs on the Vercel AI SDK (the `ai` package, pinned), traced by
// its own telemetry (experimental_telemetry) and exported with the official OTLP/HTTP JSON
// exporter to `baton serve`: an editor whose `research` tool runs a researcher agent. The
// researcher searches and answers with a refusal, which the editor passes on unchecked. The
// models are the SDK's own MockLanguageModelV2 (ai/test) with scripted answers, so no model
// server is needed; everything else is the SDK as shipped.
//
//   node otel_ai_sdk_agents.mjs http://127.0.0.1:PORT
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { Resource } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MockLanguageModelV2 } from "ai/test";
import { runEditorTeam } from "./ai_sdk_team.mjs";

const [endpoint] = process.argv.slice(2);
if (!endpoint) {
  console.error("usage: otel_ai_sdk_agents.mjs OTLP_BASE_URL");
  process.exit(2);
}
const provider = new BasicTracerProvider({
  resource: new Resource({ "service.name": "ai-sdk-team" }),
});
provider.addSpanProcessor(
  new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
// The SDK nests its spans through the active context, as a Node.js app's NodeSDK sets it up.
provider.register({ contextManager: new AsyncLocalStorageContextManager() });
const tracer = provider.getTracer("ai");

const usage = { inputTokens: 20, outputTokens: 8, totalTokens: 28 };
const said = (text) => ({ content: [{ type: "text", text }], finishReason: "stop", usage, warnings: [] });
const calls = (id, toolName, input) => ({
  content: [{ type: "tool-call", toolCallId: id, toolName, input: JSON.stringify(input) }],
  finishReason: "tool-calls",
  usage,
  warnings: [],
});
// A model that answers from its script after 20 ms, as a model takes its time: the SDK's
// spans start on a millisecond clock, so calls of no duration at all would leave their order
// to chance.
const scripted = (modelId, answers) =>
  new MockLanguageModelV2({
    modelId,
    doGenerate: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return answers.shift();
    },
  });
const researcherModel = scripted("gpt-4o-mini", [
  calls("call_search", "search", { query: "ACME Q3 revenue" }),
  said("I'm sorry, but I can't help with that request."),
]);
const editorModel = scripted("gpt-4o", [
  calls("call_research", "research", { question: "What was ACME's Q3 revenue?" }),
  said("I'm sorry, but I can't help with that request."),
]);

const answer = await runEditorTeam({
  editorModel,
  researcherModel,
  telemetry: (functionId) => ({ isEnabled: true, functionId, tracer }),
});
console.log(`editor: ${answer}`);
await provider.forceFlush();
await provider.shutdown();
