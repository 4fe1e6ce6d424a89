#include "replayer/text_diff.h"

#include <algorithm>
#include <unordered_map>

namespace baton {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// "...tail of prefix[-recorded-]{+live+}head of suffix..." for one changed line.
std::string InlineChange(const std::string& a, const std::string& b, size_t context) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  auto head = [&](const std::string& s) {
    size_t from = prefix > context ? prefix - context : 0;
    return (from > 0 ? "..." : "") + s.substr(from, prefix - from);
  };
  auto tail = [&](const std::string& s) {
    size_t len = std::min(suffix, context);
    return s.substr(s.size() - suffix, len) + (suffix > context ? "..." : "");
  };
  return head(a) + "[-" + a.substr(prefix, a.size() - prefix - suffix) + "-]{+" +
         b.substr(prefix, b.size() - prefix - suffix) + "+}" + tail(a);
}

enum class Op { kSame, kDelete, kInsert };

// Line alignment by longest common subsequence; inputs beyond the DP budget fall back to
// "everything between the common head and tail changed", which is still correct.
std::vector<std::pair<Op, size_t>> AlignLines(const std::vector<std::string>& a,
                                              const std::vector<std::string>& b) {
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::vector<std::pair<Op, size_t>> ops;  // (op, index into a for kSame/kDelete, b for kInsert)
  for (size_t i = 0; i < head; ++i) ops.push_back({Op::kSame, i});
  constexpr size_t kBudget = 4u << 20;
  if (n > 0 && m > 0 && n * m <= kBudget) {
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        ops.push_back({Op::kSame, head + i});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({Op::kDelete, head + i++});  // Deletions first, as diff(1) shows them.
      } else {
        ops.push_back({Op::kInsert, head + j++});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({Op::kDelete, head + i});
    for (size_t j = 0; j < m; ++j) ops.push_back({Op::kInsert, head + j});
  }
  for (size_t i = 0; i < tail; ++i) ops.push_back({Op::kSame, a.size() - tail + i});
  return ops;
}

}  // namespace

std::string DiffTexts(const std::string& recorded, const std::string& live, int context_lines,
                      size_t context_chars) {
  if (recorded == live) return "";
  std::vector<std::string> a = SplitLines(recorded), b = SplitLines(live);
  if (a.size() == 1 && b.size() == 1) return "  " + InlineChange(a[0], b[0], context_chars) + "\n";
  auto ops = AlignLines(a, b);
  // Mark the lines to show: every change and `context_lines` around it.
  std::vector<bool> show(ops.size(), false);
  for (size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].first == Op::kSame) continue;
    size_t from = k > static_cast<size_t>(context_lines) ? k - context_lines : 0;
    size_t to = std::min(ops.size(), k + context_lines + 1);
    for (size_t x = from; x < to; ++x) show[x] = true;
  }
  std::string out;
  bool gap = false;
  for (size_t k = 0; k < ops.size(); ++k) {
    if (!show[k]) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += "  ...\n";
    gap = false;
    auto [op, index] = ops[k];
    // A deleted line directly followed by an inserted one is a changed line: show it inline.
    if (op == Op::kDelete && k + 1 < ops.size() && ops[k + 1].first == Op::kInsert &&
        (k + 2 >= ops.size() || ops[k + 2].first != Op::kInsert) &&
        (k == 0 || ops[k - 1].first != Op::kDelete)) {
      out += "~ " + InlineChange(a[index], b[ops[k + 1].second], context_chars) + "\n";
      ++k;
      continue;
    }
    const std::string& line = op == Op::kInsert ? b[index] : a[index];
    out += (op == Op::kSame ? "  " : op == Op::kDelete ? "- " : "+ ") + line + "\n";
  }
  return out;
}

std::vector<FieldDifference> DiffFields(const std::vector<EventField>& recorded,
                                        const std::vector<EventField>& live) {
  std::unordered_map<std::string_view, const std::string*> live_by_path;
  for (const EventField& f : live) live_by_path.emplace(f.path, &f.value);
  std::unordered_map<std::string_view, bool> seen;
  std::vector<FieldDifference> out;
  for (const EventField& f : recorded) {
    seen.emplace(f.path, true);
    auto it = live_by_path.find(f.path);
    if (it == live_by_path.end()) {
      out.push_back({FieldDifference::Change::kOnlyRecorded, f.path, f.value, ""});
    } else if (*it->second != f.value) {
      out.push_back({FieldDifference::Change::kChanged, f.path, f.value, *it->second});
    }
  }
  for (const EventField& f : live)
    if (!seen.count(f.path))
      out.push_back({FieldDifference::Change::kOnlyLive, f.path, "", f.value});
  return out;
}

std::string RenderFieldDifferences(const std::vector<FieldDifference>& diffs) {
  std::string out;
  for (const FieldDifference& d : diffs) {
    switch (d.change) {
      case FieldDifference::Change::kChanged:
        out += d.path + ":\n" + DiffTexts(d.recorded, d.live);
        break;
      case FieldDifference::Change::kOnlyRecorded:
        out += d.path + ": only in the recording: " + d.recorded.substr(0, 200) + "\n";
        break;
      case FieldDifference::Change::kOnlyLive:
        out += d.path + ": only in the live run: " + d.live.substr(0, 200) + "\n";
        break;
    }
  }
  return out;
}

std::string IndentLines(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string_view FieldChangeName(FieldDifference::Change change) {
  switch (change) {
    case FieldDifference::Change::kChanged:
      return "changed";
    case FieldDifference::Change::kOnlyRecorded:
      return "only_recorded";
    case FieldDifference::Change::kOnlyLive:
      return "only_live";
  }
  return "changed";
}

std::optional<FieldDifference::Change> FieldChangeFromName(std::string_view name) {
  for (auto c : {FieldDifference::Change::kChanged, FieldDifference::Change::kOnlyRecorded,
                 FieldDifference::Change::kOnlyLive})
    if (FieldChangeName(c) == name) return c;
  return std::nullopt;
}

}  // namespace baton
