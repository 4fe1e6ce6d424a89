// A three-agent workflow on the OpenAI Agents SDK, unmodified: the planner hands the task
// to the researcher, who calls a search tool and hands its findings to the writer, who
// writes the report. `node agents_team.mjs responses|chat [stream]` picks the SDK's model
// API (its default Responses API, or Chat Completions) and whether answers are streamed.
// Prints the final agent and its output.
import {
  Agent,
  BatchTraceProcessor,
  OpenAITracingExporter,
  getGlobalTraceProvider,
  run,
  setOpenAIAPI,
  setTraceProcessors,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import { z } from "zod";

const api = process.argv[2] ?? "responses";
const stream = process.argv[3] === "stream";
setOpenAIAPI(api === "chat" ? "chat_completions" : "responses");
// The SDK's traces go to OpenAI's own endpoint, not the base URL: kept off the network,
// unless AGENTS_TEAM_TRACES=1 sends them to the base URL (the proxy), as a program does
// whose exporter is pointed there.
const traces = process.env.AGENTS_TEAM_TRACES === "1";
if (traces) {
  const endpoint = `${process.env.OPENAI_BASE_URL}/traces/ingest`;
  setTraceProcessors([new BatchTraceProcessor(new OpenAITracingExporter({ endpoint }))]);
} else {
  setTracingDisabled(true);
}

const search = tool({
  name: "search",
  description: "Search the market documents",
  parameters: z.object({ query: z.string() }),
  // AGENTS_TEAM_SEARCH stands for a search index that changed since the recording.
  execute: async ({ query }) =>
    process.env.AGENTS_TEAM_SEARCH ?? `ACME Q3 revised: revenue 3.1B USD (for "${query}")`,
});
const writer = new Agent({ name: "writer", instructions: "You are the writer.", model: "gpt-4o" });
const researcher = new Agent({
  name: "researcher",
  instructions: "You are the researcher. Search, then hand your findings to the writer.",
  model: "gpt-4o",
  tools: [search],
  handoffs: [writer],
});
const planner = new Agent({
  name: "planner",
  // Instructions that say no role: the proxy can only call it agent-1, and the SDK's own
  // traces name it (js_sdk_test).
  instructions: "Plan the work: hand research tasks to the researcher.",
  model: "gpt-4o",
  handoffs: [researcher],
});

const result = await run(planner, "Assess the market risks for ACME next quarter", { stream });
if (stream) {
  for await (const _ of result) {
    // Drain the stream: the SDK runs the agents as the events arrive.
  }
  await result.completed;
}
if (traces) await getGlobalTraceProvider().forceFlush();
// AGENTS_TEAM_HISTORY=FILE writes the run's history (the SDK's input list: the user's
// message and every item the agents produced), as a program keeps a transcript of its run.
if (process.env.AGENTS_TEAM_HISTORY) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(process.env.AGENTS_TEAM_HISTORY, JSON.stringify(result.history, null, 1));
}
console.log(`final (${result.lastAgent.name}): ${result.finalOutput}`);
