// One chat completion on the official openai SDK with its default retry policy (2 retries,
// Retry-After honoured): what a program does when `baton record --faults` answers a 429 or a
// 503 in place of the upstream. Prints the answer and how many attempts the SDK made.
import OpenAI from "openai";

let attempts = 0;
const client = new OpenAI({
  maxRetries: 2,
  fetch: (url, init) => {
    attempts += 1;
    return fetch(url, init);
  },
});
const answer = await client.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "one word for growth" }],
});
console.log(`answer: ${answer.choices[0].message.content} (attempts ${attempts})`);
