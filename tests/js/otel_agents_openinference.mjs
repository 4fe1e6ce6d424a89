// The three-agent OpenAI Agents SDK team of agents_team.mjs (the planner hands off to the
// researcher, who searches and hands off to the writer), traced by OpenInference's
// instrumentation of the SDK (@arizeai/openinference-instrumentation-openai-agents, as Arize
// Phoenix users trace it) and exported with the official OTLP/HTTP JSON exporter to
// `baton serve`. The SDK, its OpenAI model and the instrumentation are the real ones (pinned
// in package-lock.json); the model's answers come from a local server that plays
// agents_team_replies.json's Responses API answers in order (the same answers the proxy tests
// record, with a refusal planted in the researcher's handoff), so no model server is needed.
//
//   node otel_agents_openinference.mjs http://127.0.0.1:PORT
//   node otel_agents_openinference.mjs -
//     the same team untraced, its client reading OPENAI_BASE_URL and OPENAI_API_KEY from the
//     environment, as under `baton replay` of the session its spans became.
import { OpenAIAgentsInstrumentation } from "@arizeai/openinference-instrumentation-openai-agents";
import * as agents from "@openai/agents";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { Resource } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import OpenAI from "openai";
import { z } from "zod";

const [endpoint] = process.argv.slice(2);
if (!endpoint) {
  console.error("usage: otel_agents_openinference.mjs OTLP_BASE_URL");
  process.exit(2);
}

// The model: each POST /v1/responses gets the next scripted answer, after 20 ms (a model
// takes its time; the SDK's spans are timed in milliseconds), echoing the request's
// instructions as the Responses API does.
const answers = JSON.parse(
  readFileSync(new URL("./agents_team_replies.json", import.meta.url), "utf8")).responses;
const upstream = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => setTimeout(() => {
    const next = answers.shift();
    res.writeHead(next ? 200 : 500, { "content-type": "application/json" });
    if (!next) {
      res.end('{"error": {"message": "no scripted answer left"}}');
      return;
    }
    const answer = JSON.parse(next.body);
    answer.instructions = JSON.parse(body).instructions ?? null;
    res.end(JSON.stringify(answer));
  }, 20));
});
const traced = endpoint !== "-";
let provider = null;
if (traced) {
  await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  agents.setDefaultOpenAIClient(new OpenAI({
    apiKey: "sk-test",
    baseURL: `http://127.0.0.1:${upstream.address().port}/v1`,
  }));
  provider = new BasicTracerProvider({
    resource: new Resource({ "service.name": "agents-team" }),
  });
  provider.addSpanProcessor(
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  const instrumentation = new OpenAIAgentsInstrumentation({ tracerProvider: provider });
  instrumentation.manuallyInstrument(agents);
} else {
  agents.setDefaultOpenAIClient(new OpenAI({ maxRetries: 0 }));
  agents.setTracingDisabled(true);
}
agents.setOpenAIAPI("responses");

const search = agents.tool({
  name: "search",
  description: "Search the market documents",
  parameters: z.object({ query: z.string() }),
  execute: async ({ query }) => `ACME Q3 revised: revenue 3.1B USD (for "${query}")`,
});
const writer = new agents.Agent({ name: "writer", instructions: "You are the writer.", model: "gpt-4o" });
const researcher = new agents.Agent({
  name: "researcher",
  instructions: "You are the researcher. Search, then hand your findings to the writer.",
  model: "gpt-4o",
  tools: [search],
  handoffs: [writer],
});
const planner = new agents.Agent({
  name: "planner",
  instructions: "You are the planner. Hand research tasks to the researcher.",
  model: "gpt-4o",
  handoffs: [researcher],
});

const result = await agents.run(planner, "Assess the market risks for ACME next quarter");
console.log(`final (${result.lastAgent.name}): ${result.finalOutput}`);
if (traced) {
  await agents.getGlobalTraceProvider().forceFlush();
  await provider.forceFlush();
  await provider.shutdown();
  upstream.close();
}
