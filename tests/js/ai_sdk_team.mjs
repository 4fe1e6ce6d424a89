// The two Vercel AI SDK agents that ai_sdk_agents.mjs (through baton's proxy) and
// otel_ai_sdk_agents.mjs (traced to `baton serve`) run: an editor whose `research` tool runs
// a researcher agent, the SDK's agents-as-tools pattern (generateText inside a tool). The
// researcher searches, then answers the editor's question. Returns the editor's answer.
//   telemetry(functionId): the experimental_telemetry setting of each agent's calls.
import { generateText, stepCountIs, tool } from "ai";
import { z } from "zod";

export async function runEditorTeam({ editorModel, researcherModel, telemetry = () => undefined }) {
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
          model: researcherModel,
          system: "You are the researcher. Search, then answer.",
          prompt: question,
          tools: { search },
          stopWhen: stepCountIs(3),
          experimental_telemetry: telemetry("researcher"),
        })
      ).text,
  });
  const result = await generateText({
    model: editorModel,
    system: "You are the editor. Ask the researcher, then answer the user.",
    prompt: "Write one line on ACME's Q3 revenue.",
    tools: { research },
    stopWhen: stepCountIs(3),
    experimental_telemetry: telemetry("editor"),
  });
  return result.text;
}
