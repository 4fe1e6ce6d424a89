#include "harness/handoff_tool.h"

namespace baton {

std::optional<std::string> HandoffToolTarget(std::string_view tool_name) {
  for (std::string_view prefix : {"transfer_to_", "handoff_to_"})
    if (tool_name.size() > prefix.size() && tool_name.starts_with(prefix))
      return std::string(tool_name.substr(prefix.size()));
  return std::nullopt;
}

}  // namespace baton
