// A researcher with a tool loop on the official @anthropic-ai/sdk, unmodified: the model asks
// for two lookups at once (two tool_use blocks beside its text), the agent answers both in one
// user message of tool_result blocks, and the model answers. The SDK reads ANTHROPIC_BASE_URL
// and ANTHROPIC_API_KEY from the environment, as under `baton replay`.
import Anthropic from "@anthropic-ai/sdk";

const FIGURES = { Q2: "Q2 revenue $10M", Q3: "Q3 revenue $12M" };
const client = new Anthropic({ maxRetries: 0 });
const tools = [{
  name: "lookup",
  description: "Look up a quarter in the books",
  input_schema: { type: "object", properties: { quarter: { type: "string" } }, required: ["quarter"] },
}];
const messages = [{ role: "user", content: "What were ACME's Q3 and Q2 revenues?" }];
for (let turn = 0; turn < 4; ++turn) {
  const r = await client.messages.create({
    model: "claude-sonnet-4-5", max_tokens: 1024, system: "You are the researcher.", messages, tools,
  });
  messages.push({ role: "assistant", content: r.content });
  const uses = r.content.filter((b) => b.type === "tool_use");
  if (uses.length === 0) {
    console.log(`researcher: ${r.content.filter((b) => b.type === "text").map((b) => b.text).join("")}`);
    break;
  }
  for (const u of uses) console.log(`tool ${u.name}(${u.input.quarter})`);
  messages.push({
    role: "user",
    content: uses.map((u) => ({ type: "tool_result", tool_use_id: u.id, content: FIGURES[u.input.quarter] ?? "unknown" })),
  });
}
