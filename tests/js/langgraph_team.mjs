// A small LangGraph team, run by the real @langchain/langgraph and @langchain/core (pinned in
// package-lock.json): a supervisor hands the question to a researcher through a
// transfer_to_researcher tool, the researcher's search tool fails (LangGraph's ToolNode turns
// the exception into a ToolMessage with status "error"), and a writer answers from memory,
// wrongly. The nodes are scripted, so no model is called; every message is made and merged by
// LangGraph itself. The graph's messages are written to OUT_DIR the ways LangChain dumps
// them: JSON.stringify (its serialized {"lc", "kwargs"} form) and
// mapChatMessagesToStoredMessages ({"type", "data"}), each as {"question", "ground_truth",
// "messages"} for `baton import transcript` (tests/harness/langgraph_js_test.cc).
//
//   node langgraph_team.mjs OUT_DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { AIMessage, HumanMessage, SystemMessage, mapChatMessagesToStoredMessages } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';

const question = 'What is the capital of Australia?';

const transferToResearcher = tool(async () => 'Successfully transferred to researcher', {
  name: 'transfer_to_researcher',
  description: 'Hand the conversation to the researcher.',
  schema: z.object({}),
});
const search = tool(
  async () => {
    throw new Error('search backend timed out');
  },
  {
    name: 'search',
    description: 'Search the web.',
    schema: z.object({ q: z.string() }),
  },
);

const graph = new StateGraph(MessagesAnnotation)
  .addNode('supervisor', () => ({
    messages: [
      new AIMessage({
        name: 'supervisor',
        content: '',
        tool_calls: [{ name: 'transfer_to_researcher', args: {}, id: 'call_handoff', type: 'tool_call' }],
      }),
    ],
  }))
  .addNode('handoff', new ToolNode([transferToResearcher]))
  .addNode('researcher', () => ({
    messages: [
      new AIMessage({
        name: 'researcher',
        content: [{ type: 'text', text: 'Searching for the capital.' }],
        tool_calls: [{ name: 'search', args: { q: 'capital of Australia' }, id: 'call_search', type: 'tool_call' }],
      }),
    ],
  }))
  .addNode('search', new ToolNode([search]))
  .addNode('writer', () => ({
    messages: [new AIMessage({ name: 'writer', content: 'The search failed; from memory, the capital is Sydney.' })],
  }))
  .addEdge(START, 'supervisor')
  .addEdge('supervisor', 'handoff')
  .addEdge('handoff', 'researcher')
  .addEdge('researcher', 'search')
  .addEdge('search', 'writer')
  .addEdge('writer', END)
  .compile();

const result = await graph.invoke({
  messages: [new SystemMessage('You are a research team. Answer in one word.'), new HumanMessage(question)],
});

const out = process.argv[2];
const write = (name, messages) =>
  writeFileSync(join(out, name), JSON.stringify({ question, ground_truth: 'Canberra', messages }, null, 1));
write('serialized.json', JSON.parse(JSON.stringify(result.messages)));
write('stored.json', mapChatMessagesToStoredMessages(result.messages));
console.log(`wrote ${result.messages.length} messages`);
