// Two agents on the Vercel AI SDK (the `ai` package, pinned), traced by its own telemetry
// (experimental_telemetry) and exported with the official OTLP/HTTP JSON exporter to
// `baton serve`: an editor whose `research` tool runs a researcher agent (the SDK's
// agents-as-tools pattern: one generateText calling another from a tool). The researcher
// searches and answers with a refusal, which the editor passes on unchecked. The models are
// the SDK's own MockLanguageModelV2 (ai/test) with scripted answers, so no model server is
// needed; everything else is the SDK as shipped.
//
//   node otel_ai_sdk_agents.mjs http://127.0.0.1:PORT
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { Resource } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { generateText, stepCountIs, tool } from "ai";
import { MockLanguageModelV2 } from "ai/test";
import { z } from "zod";

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

const search = tool({
  description: "Search the filings",
  inputSchema: z.object({ query: z.string() }),
  execute: async ({ query }) => `ACME Q3 revenue: 3.1B USD (for "${query}")`,
});
const research = tool({
  description: "Ask the researcher",
  inputSchema: z.object({ question: z.string() }),
  execute: async ({ question }) => {
    const answer = await generateText({
      model: researcherModel,
      system: "You are the researcher. Search, then answer.",
      prompt: question,
      tools: { search },
      stopWhen: stepCountIs(3),
      experimental_telemetry: { isEnabled: true, functionId: "researcher", tracer },
    });
    return answer.text;
  },
});

const result = await generateText({
  model: editorModel,
  system: "You are the editor. Ask the researcher, then answer the user.",
  prompt: "Write one line on ACME's Q3 revenue.",
  tools: { research },
  stopWhen: stepCountIs(3),
  experimental_telemetry: { isEnabled: true, functionId: "editor", tracer },
});
console.log(`editor: ${result.text}`);
await provider.forceFlush();
await provider.shutdown();
