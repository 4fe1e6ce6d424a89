#include "harness/cli/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>

#include "base/env.h"
#include "base/file_io.h"

extern char** environ;

namespace baton::cli {
namespace {

// The child a signal handler passes SIGINT/SIGTERM to. A signal handler can reach nothing
// but a global; this is the one, set only while RunProgram waits.
std::atomic<pid_t> g_child{0};

void PassOn(int sig) {
  pid_t child = g_child.load();
  if (child > 0) ::kill(child, sig);
}

}  // namespace

Result<int> RunProgram(const std::vector<std::string>& argv, const EnvVars& extra_env,
                       const std::string& stderr_path) {
  if (argv.empty()) return Status::InvalidArgument("no program to run (give it after --)");
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& [k, v] : extra_env) overridden |= entry.rfind(k + "=", 0) == 0;
    if (!overridden && entry.rfind("BATON_", 0) != 0) env.push_back(entry);
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  struct sigaction pass_on = {}, old_int = {}, old_term = {};
  pass_on.sa_handler = PassOn;
  sigemptyset(&pass_on.sa_mask);
  sigaction(SIGINT, &pass_on, &old_int);
  sigaction(SIGTERM, &pass_on, &old_term);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stderr_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc == 0) g_child = pid;
  int status = 0;
  pid_t waited = -1;
  if (rc == 0) {
    do {
      waited = waitpid(pid, &status, 0);
    } while (waited < 0 && errno == EINTR);
  }
  g_child = 0;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (rc != 0) return Status::NotFound("cannot run '" + argv[0] + "': " + std::strerror(rc));
  if (waited < 0) return Status::IOError(std::string("waitpid: ") + std::strerror(errno));
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string LastComplaint(const std::string& path) {
  if (path.empty()) return "";
  std::unique_ptr<Env> env = NewPosixEnv();
  auto text = ReadFileToString(*env, path, /*max_bytes=*/64 << 20);
  if (!text.ok()) return "";
  std::string line, last;
  std::istringstream in(*text);
  while (std::getline(in, line))
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') last = line;
  if (last.size() > 300) last = last.substr(0, 300) + "...";
  return last;
}

EnvVars ProxyEnvironment(const std::string& origin) {
  return {{"OPENAI_BASE_URL", origin + "/v1"},
          {"OPENAI_API_BASE", origin + "/v1"},
          {"ANTHROPIC_BASE_URL", origin},
          {"GOOGLE_GEMINI_BASE_URL", origin}};
}

Status CheckWritable(const std::string& path) {
  std::unique_ptr<Env> env = NewPosixEnv();
  if (env->DirectoryExists(path)) return Status::InvalidArgument(path + ": is a directory");
  const std::string probe = path + ".probe";
  auto file = env->NewWritableFile(probe);
  if (!file.ok()) return file.status();
  (*file)->Close().IgnoreError();
  env->RemoveFile(probe).IgnoreError();
  return Status::Ok();
}

Result<std::filesystem::path> MakePrivateTempDir(const std::string& prefix) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr)
    return Status::IOError("cannot make a temporary directory in " + base.string() + ": " +
                           std::strerror(errno));
  return std::filesystem::path(templ);
}

}  // namespace baton::cli
