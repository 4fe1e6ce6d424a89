// The official Google Gen AI SDK (@google/genai), unmodified: a researcher that calls a
// search function, answers with its result and hands over to the writer (transfer_to_writer),
// then the writer given that answer, streamed.
// The SDK reads GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY from the environment.
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
const search = {
  name: "search",
  description: "Searches the market reports.",
  parameters: {
    type: "OBJECT",
    properties: { query: { type: "STRING" } },
    required: ["query"],
  },
};

const transfer = { name: "transfer_to_writer", description: "Hands the answer to the writer." };
const researcher = {
  systemInstruction: "You are the researcher.",
  tools: [{ functionDeclarations: [search, transfer] }],
};
const contents = [{ role: "user", parts: [{ text: "How fast does the EU market grow?" }] }];
const first = await ai.models.generateContent({ model: "gemini-2.5-flash", contents, config: researcher });
const call = first.functionCalls[0];
console.log(`researcher -> ${call.name}(${JSON.stringify(call.args)})`);
contents.push(first.candidates[0].content);
contents.push({
  role: "user",
  parts: [{ functionResponse: { name: call.name, response: { result: "EU growth: 2% in 2025" } } }],
});
const answer = await ai.models.generateContent({ model: "gemini-2.5-flash", contents, config: researcher });
console.log(`researcher: ${answer.text} (${answer.usageMetadata.totalTokenCount} tokens)`);
console.log(`researcher -> ${answer.functionCalls.map((c) => c.name).join(", ")}`);

const stream = await ai.models.generateContentStream({
  model: "gemini-2.5-flash",
  contents: `Write the summary of: ${answer.text}`,
  config: { systemInstruction: "You are the writer.", temperature: 0.2 },
});
let text = "";
let finish = "";
for await (const chunk of stream) {
  text += chunk.text ?? "";
  finish = chunk.candidates?.[0]?.finishReason ?? finish;
}
console.log(`writer: ${text} (${finish})`);
