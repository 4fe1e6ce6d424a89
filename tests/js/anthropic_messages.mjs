// The official @anthropic-ai/sdk, unmodified: one plain message and one streamed. The SDK
// reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY from the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ maxRetries: 0 });
const plain = await client.messages.create({
  model: "claude-sonnet-4",
  max_tokens: 256,
  system: "You are the writer.",
  messages: [{ role: "user", content: "write the summary" }],
});
console.log(`writer: ${plain.content.map((b) => b.text).join("")} (${plain.stop_reason})`);

const stream = client.messages.stream({
  model: "claude-sonnet-4",
  max_tokens: 256,
  system: "You are the reviewer.",
  messages: [{ role: "user", content: "review the summary" }],
});
let text = "";
stream.on("text", (t) => { text += t; });
const final = await stream.finalMessage();
console.log(`reviewer: ${text} (${final.stop_reason}, ${final.usage.output_tokens} tokens out)`);
