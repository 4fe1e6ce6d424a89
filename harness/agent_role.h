// The name an agent's system prompt gives it, shared by the readers that tell agents apart by
// their prompts: the proxy (model requests) and the OTLP import (model spans outside any
// agent span).
#ifndef BATON_HARNESS_AGENT_ROLE_H_
#define BATON_HARNESS_AGENT_ROLE_H_

#include <string>
#include <string_view>

namespace baton {

// The role a system prompt gives its agent when it opens by saying it ("You are the planner.",
// "You are Senior Researcher.", "You are a web search agent tasked with ..."): the words
// after "You are" and an article, up to the end of the clause, when they are one to four
// plain words; "" otherwise. A clause ends at punctuation, or where a relative clause or
// a phrase about the role begins ("who", "tasked", "with", ...).
std::string RoleNamedBy(std::string_view prompt);

}  // namespace baton

#endif  // BATON_HARNESS_AGENT_ROLE_H_
