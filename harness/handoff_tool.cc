#include "harness/handoff_tool.h"

#include "base/json_parse.h"

namespace baton {

std::optional<std::string> HandoffToolTarget(std::string_view tool_name,
                                             std::string_view arguments_json) {
  if (tool_name == "transfer_to_agent") {
    auto args = JsonDocument::Parse(arguments_json, "transfer_to_agent's arguments");
    if (!args.ok() || !args->root().isObject()) return std::nullopt;
    for (auto field : args->root().getObject())
      if (field.getName() == "agent_name" && field.getValue().isString() &&
          field.getValue().getString().size() > 0)
        return std::string(field.getValue().getString().cStr());
    return std::nullopt;
  }
  for (std::string_view prefix : {"transfer_to_", "handoff_to_"})
    if (tool_name.size() > prefix.size() && tool_name.starts_with(prefix))
      return std::string(tool_name.substr(prefix.size()));
  return std::nullopt;
}

}  // namespace baton
