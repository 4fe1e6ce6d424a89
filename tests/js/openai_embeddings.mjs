// A retrieval step on the official openai SDK, unmodified: embeddings of two passages. The
// SDK reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment, as in production.
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });
const result = await client.embeddings.create({
  model: "text-embedding-3-small",
  input: ["EU market growth", "ACME quarterly revenue"],
  encoding_format: "float",
});
const vectors = result.data.map((d) => d.embedding.map((x) => x.toFixed(3)).join(","));
console.log(`embeddings: ${result.data.length} vectors [${vectors.join("] [")}] (${result.usage.total_tokens} tokens)`);
