// A scratch directory for one benchmark run, removed when the run ends.
#ifndef BATON_BENCH_BENCH_DIR_H_
#define BATON_BENCH_BENCH_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <string>

namespace baton::bench {

class BenchDir {
 public:
  explicit BenchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path().string() + "/baton_" + name + "_" +
              std::to_string(getpid())) {
    std::filesystem::create_directories(path_);
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace baton::bench

#endif  // BATON_BENCH_BENCH_DIR_H_
