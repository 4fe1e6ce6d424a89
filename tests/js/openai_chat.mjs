// Two agents on the official openai SDK, unmodified: a planner (plain completion, which hands
// off with a tool call) and a researcher (streamed). The SDK reads OPENAI_BASE_URL and
// OPENAI_API_KEY from the environment, as in production.
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });
const planner = await client.chat.completions.create({
  model: "gpt-4o",
  temperature: 0.2,
  messages: [
    { role: "system", content: "You are the planner." },
    { role: "user", content: "assess the EU market" },
  ],
  tools: [{ type: "function", function: { name: "transfer_to_researcher", description: "Hand off", parameters: { type: "object" } } }],
});
const handoff = planner.choices[0].message.tool_calls?.[0];
console.log(`planner -> ${handoff?.function.name} ${handoff?.function.arguments}`);

const stream = await client.chat.completions.create({
  model: "gpt-4o",
  stream: true,
  stream_options: { include_usage: true },
  messages: [
    { role: "system", content: "You are the researcher." },
    { role: "user", content: JSON.parse(handoff?.function.arguments ?? "{}").task ?? "" },
  ],
});
let text = "";
let usage = 0;
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.usage) usage = chunk.usage.total_tokens;
}
console.log(`researcher: ${text} (${usage} tokens)`);
// CHAT_ONLY=1: the planner and researcher alone (a session imported from OpenTelemetry
// spans holds just these two calls: tests/otel/data/replayable.json).
if (process.env.CHAT_ONLY === "1") process.exit(0);

// The Responses API (the Agents SDK's default): a writer continuing from the researcher's
// response id, so the previous_response_id chain must replay consistently.
const first = await client.responses.create({
  model: "gpt-4o",
  instructions: "You are the writer.",
  input: `write up: ${text}`,
});
const second = await client.responses.create({
  model: "gpt-4o",
  instructions: "You are the writer.",
  previous_response_id: first.id,
  input: "shorter",
});
console.log(`writer: ${first.output_text} / ${second.output_text} (chain ${first.id} -> ${second.id})`);
