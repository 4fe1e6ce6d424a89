#include "harness/cli/session_inputs.h"

#include <algorithm>
#include <filesystem>

namespace baton::cli {
namespace {

// A finished recording, or one whose recorder crashed (PATH.baton.incomplete): exactly what a
// user wants checked, read as far as it goes.
bool IsRecording(const std::string& path) {
  return path.ends_with(".baton") || path.ends_with(".baton.incomplete");
}

}  // namespace

Status ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>& files,
                    std::vector<std::string>& notes) {
  namespace fs = std::filesystem;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && IsRecording(it->path().string()))
          found.push_back(it->path().string());
      if (ec) return Status::IOError(in + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
      std::string beside = in + ".incomplete";
      if (!in.ends_with(".incomplete") && fs::exists(beside, ec) &&
          std::find(inputs.begin(), inputs.end(), beside) == inputs.end()) {
        files.push_back(beside);
        notes.push_back(beside + " lies beside " + in +
                        ": a later recording did not finish (crashed, or still running); "
                        "checking it too");
      }
    } else if (fs::exists(in + ".incomplete", ec)) {
      files.push_back(in + ".incomplete");
      notes.push_back(in + " does not exist but " + in +
                      ".incomplete does: its recording did not finish; checking that");
    } else {
      return Status::NotFound(in + ": no such file or directory");
    }
  }
  return Status::Ok();
}

}  // namespace baton::cli
