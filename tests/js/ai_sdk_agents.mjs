// Two agents on the Vercel AI SDK (`ai` and its OpenAI provider `@ai-sdk/openai`, pinned,
// unmodified) calling the OpenAI Responses API at OPENAI_BASE_URL (baton's proxy when run
// under `baton record` or `baton replay`): an editor whose `research` tool runs a researcher
// agent, the SDK's agents-as-tools pattern (generateText inside a tool). The researcher
// searches and answers the editor's question. Prints the editor's answer.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, tool } from "ai";
import { z } from "zod";

const openai = createOpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY,
});
const search = tool({
  description: "Search the filings",
  inputSchema: z.object({ query: z.string() }),
  execute: async ({ query }) => `ACME Q3 revenue: 3.1B USD (for "${query}")`,
});
const research = tool({
  description: "Ask the researcher",
  inputSchema: z.object({ question: z.string() }),
  execute: async ({ question }) =>
    (
      await generateText({
        model: openai("gpt-4o-mini"),
        system: "You are the researcher. Search, then answer.",
        prompt: question,
        tools: { search },
        stopWhen: stepCountIs(3),
      })
    ).text,
});
const result = await generateText({
  model: openai("gpt-4o"),
  system: "You are the editor. Ask the researcher, then answer the user.",
  prompt: "Write one line on ACME's Q3 revenue.",
  tools: { research },
  stopWhen: stepCountIs(3),
});
console.log(`editor: ${result.text}`);
