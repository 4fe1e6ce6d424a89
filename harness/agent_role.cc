#include "harness/agent_role.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

#include "base/ascii.h"

namespace baton {

std::string RoleNamedBy(std::string_view prompt) {
  while (!prompt.empty() && (prompt.front() == ' ' || prompt.front() == '\n'))
    prompt.remove_prefix(1);
  constexpr std::string_view kOpening = "you are ";
  if (prompt.size() <= kOpening.size() ||
      !EqualsIgnoringCase(prompt.substr(0, kOpening.size()), kOpening))
    return "";
  prompt.remove_prefix(kOpening.size());
  static constexpr std::string_view kArticles[] = {"a", "an", "the"};
  static constexpr std::string_view kClauseEnds[] = {
      "who", "that", "which", "whose",   "tasked",      "responsible", "with",
      "for", "in",   "to",    "of",      "and",         "on",          "working",
      "at",  "by",   "from",  "helping", "specialized", "specializing"};
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < prompt.size()) {
    const char c = prompt[at];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n' ||
        c == '(')
      break;
    if (c == ' ') {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < prompt.size() && (std::isalnum(static_cast<unsigned char>(prompt[end])) ||
                                   prompt[end] == '-' || prompt[end] == '_' || prompt[end] == '\''))
      ++end;
    if (end == at ||
        (end < prompt.size() && prompt[end] != ' ' && prompt[end] != '.' && prompt[end] != ',' &&
         prompt[end] != ';' && prompt[end] != ':' && prompt[end] != '!' && prompt[end] != '?' &&
         prompt[end] != '\n' && prompt[end] != '('))
      return "";  // Not a plain word (a quote, markup, a path): no name from it.
    const std::string_view word = prompt.substr(at, end - at);
    auto is = [&](std::string_view w) { return EqualsIgnoringCase(word, w); };
    if (words.empty() && std::any_of(std::begin(kArticles), std::end(kArticles), is)) {
      at = end;
      continue;
    }
    if (!words.empty() && std::any_of(std::begin(kClauseEnds), std::end(kClauseEnds), is)) break;
    words.push_back(word);
    if (words.size() > 4) return "";
    at = end;
  }
  std::string name;
  for (std::string_view w : words) name += (name.empty() ? "" : " ") + std::string(w);
  return name;
}

}  // namespace baton
