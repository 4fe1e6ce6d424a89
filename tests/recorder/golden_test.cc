// The checked-in golden corpora: valid logs must read exactly as their recorded JSON
// lines (the format stays readable), and each damaged file gives exactly its message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "replayer/event_json.h"
#include "replayer/log_reader.h"

namespace baton {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> FilesWithExtension(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ext) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

TEST(GoldenTest, ValidLogsReadAsTheirJsonLines) {
  std::vector<std::string> logs = FilesWithExtension(kCorpora + "/golden", ".baton");
  ASSERT_GE(logs.size(), 2u);
  for (const std::string& path : logs) {
    Result<LogContents> log = ReadLog(path);
    ASSERT_TRUE(log.ok()) << path << ": " << log.status().ToString();
    EXPECT_EQ(log->report.end, LogEnd::kClean) << path;
    std::string lines;
    for (const Event& e : log->events) lines += EventToJson(e) + "\n";
    std::string expected = Slurp(path.substr(0, path.size() - 6) + ".jsonl");
    ASSERT_FALSE(expected.empty()) << path;
    EXPECT_EQ(lines, expected) << path;
  }
}

TEST(GoldenTest, DamagedFilesGiveTheirExactMessage) {
  std::vector<std::string> files = FilesWithExtension(kCorpora + "/golden-errors", ".baton");
  ASSERT_GE(files.size(), 5u);
  for (const std::string& path : files) {
    std::string expected = Slurp(path.substr(0, path.size() - 6) + ".expect");
    ASSERT_FALSE(expected.empty()) << path;
    for (size_t at = expected.find("{file}"); at != std::string::npos; at = expected.find("{file}"))
      expected.replace(at, 6, path);
    Result<LogContents> log = ReadLog(path);
    std::string message = log.ok() ? log->report.ending : log.status().message();
    EXPECT_EQ(message + "\n", expected) << path;
  }
}

}  // namespace
}  // namespace baton
