#include "harness/runtime/model_client.h"

namespace baton {

std::unique_ptr<ScriptedModel> ScriptedModel::FromTable(std::vector<Rule> rules) {
  return std::make_unique<ScriptedModel>(
      [rules = std::move(rules)](const ModelRequest& request,
                                 ScriptedCall&) -> Result<ModelResponse> {
        const std::string& last =
            request.messages.empty() ? std::string() : request.messages.back().content.text;
        for (const Rule& rule : rules) {
          if (last.find(rule.when) != std::string::npos) {
            ModelResponse response;
            response.content = rule.reply;
            response.finish_reason = "stop";
            return response;
          }
        }
        return Status::NotFound("no scripted rule matches the message: " + last.substr(0, 120));
      });
}

}  // namespace baton
