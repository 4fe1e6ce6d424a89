// A LangGraph supervisor team traced by OpenInference's LangChain instrumentation
// (@arizeai/openinference-instrumentation-langchain, as Arize Phoenix users trace LangGraph),
// exported with the official OTLP/HTTP JSON exporter to `baton serve`. The graph runs on the
// real @langchain/langgraph and @langchain/core (pinned in package-lock.json); only the chat
// model is scripted (a LangChain chat model whose answers are fixed), so no model server is
// needed.
//
// The team, as langgraph-supervisor builds it: the supervisor and the researcher are each a
// subgraph (an "agent" node calling the model, a "tools" node running its tools); the
// supervisor's transfer_to_researcher tool hands over, the researcher searches and answers,
// and the supervisor gives the final answer.
//
//   node otel_langgraph_openinference.mjs http://127.0.0.1:PORT
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';

const [endpoint] = process.argv.slice(2);
if (!endpoint) {
  console.error('usage: otel_langgraph_openinference.mjs OTLP_BASE_URL');
  process.exit(2);
}

const provider = new BasicTracerProvider({
  resource: new Resource({ 'service.name': 'langgraph-team' }),
});
provider.addSpanProcessor(
  new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
const instrumentation = new LangChainInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.manuallyInstrument(CallbackManagerModule);

// A LangChain chat model whose answers are scripted, one per call.
class ScriptedChatModel extends BaseChatModel {
  constructor(answers) {
    super({});
    this.answers = answers;
  }
  _llmType() {
    return 'scripted';
  }
  async _generate() {
    const message = this.answers.shift();
    return {
      generations: [{ text: typeof message.content === 'string' ? message.content : '', message }],
    };
  }
}

const transferToResearcher = tool(async () => 'Successfully transferred to researcher', {
  name: 'transfer_to_researcher',
  description: 'Hand the question to the researcher.',
  schema: z.object({}),
});
const search = tool(async ({ q }) => `Results for "${q}": Saturn has 146 confirmed moons (2023).`, {
  name: 'search',
  description: 'Search the web.',
  schema: z.object({ q: z.string() }),
});

// An agent as langgraph-supervisor's create_react_agent makes it: the model, then its
// tools, until the model answers without calling one (or hands over).
function reactAgent(name, system, model, tools) {
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({
      messages: [await model.invoke([new SystemMessage(system), ...state.messages])],
    }))
    .addNode('tools', new ToolNode(tools))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) => (state.messages.at(-1).tool_calls?.length ? 'tools' : END))
    .addConditionalEdges('tools', (state) =>
      state.messages.at(-1).name?.startsWith('transfer_to_') ? END : 'agent')
    .compile({ name });
}

const supervisor = reactAgent('supervisor', 'You route questions to the researcher.',
  new ScriptedChatModel([
    new AIMessage({
      content: '',
      tool_calls: [{ name: 'transfer_to_researcher', args: {}, id: 'call_transfer', type: 'tool_call' }],
    }),
    new AIMessage('Saturn has 146 confirmed moons.'),
  ]),
  [transferToResearcher]);
const researcher = reactAgent('researcher', 'You research with search.',
  new ScriptedChatModel([
    new AIMessage({
      content: '',
      tool_calls: [{ name: 'search', args: { q: 'Saturn moons' }, id: 'call_search', type: 'tool_call' }],
    }),
    new AIMessage('Saturn has 146 confirmed moons, per the 2023 count.'),
  ]),
  [search]);

const team = new StateGraph(MessagesAnnotation)
  .addNode('supervisor', supervisor)
  .addNode('researcher', researcher)
  .addEdge(START, 'supervisor')
  .addConditionalEdges('supervisor', (state) =>
    state.messages.at(-1) instanceof ToolMessage ? 'researcher' : END)
  .addEdge('researcher', 'supervisor')
  .compile();

const result = await team.invoke({ messages: [new HumanMessage('How many moons does Saturn have?')] },
                                 { configurable: { thread_id: 'lg-thread-1' } });
console.log(result.messages.at(-1).content);
await provider.forceFlush();
await provider.shutdown();
