// Runs a shell command for end-to-end tests: its exit code, stdout and stderr.
#ifndef BATON_TESTS_TESTING_RUN_COMMAND_H_
#define BATON_TESTS_TESTING_RUN_COMMAND_H_

#include <string>

namespace baton::testing {

struct RunResult {
  int exit_code = -1;  // -1 when the command could not run or died of a signal.
  std::string out;
  std::string err;
};

RunResult RunCommand(const std::string& command);

// A fresh empty directory under the test temp dir, named after `name` and the pid.
std::string FreshTempDir(const std::string& name);

}  // namespace baton::testing

#endif  // BATON_TESTS_TESTING_RUN_COMMAND_H_
