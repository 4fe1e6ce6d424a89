// The planner and researcher of openai_chat.mjs (the official openai SDK, unmodified: one plain
// call that hands off with a tool call, one streamed call), for replaying a session that was
// imported from OpenTelemetry spans (tests/otel/data/replayable.json): the proxy answers in
// the Chat Completions shape from what the spans recorded.
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
