// The two agents of ai_sdk_team.mjs on the Vercel AI SDK's OpenAI provider (`@ai-sdk/openai`,
// pinned, unmodified), calling the Responses API at OPENAI_BASE_URL (baton's proxy when run
// under `baton record` or `baton replay`). Prints the editor's answer.
import { createOpenAI } from "@ai-sdk/openai";
import { runEditorTeam } from "./ai_sdk_team.mjs";

const openai = createOpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY,
});
const answer = await runEditorTeam({
  editorModel: openai("gpt-4o"),
  researcherModel: openai("gpt-4o-mini"),
});
console.log(`editor: ${answer}`);
