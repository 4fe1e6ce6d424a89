// An in-memory Env for tests, with the faults a disk can produce: a write that fails
// after N bytes, and direct access to file bytes for truncation and corruption.
#ifndef BATON_BASE_MEM_ENV_H_
#define BATON_BASE_MEM_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/env.h"

namespace baton {

class MemEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  // A file made a stream with MakeStream has no size until its end, as a pipe.
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  // A path is a directory when it was made one with MakeDirectory.
  bool DirectoryExists(const std::string& path) override;
  void MakeDirectory(const std::string& path);

  // The bytes of a file as written so far (flushed or not), or nullopt.
  std::optional<std::string> Contents(const std::string& path) const;
  void SetContents(const std::string& path, std::string bytes);
  // Reads of the file then see a pipe: a sequential file of unknown size that hands out at
  // most `read_size` bytes a read, and a random-access file that cannot seek.
  void MakeStream(const std::string& path, size_t read_size);

  // After `bytes` more appended bytes (across all files), every write fails with an
  // I/O error, as a full disk would.
  void FailWritesAfter(uint64_t bytes);

 private:
  friend class MemWritableFile;
  Status AppendTo(const std::string& path, std::string_view data);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::string>> files_;
  std::optional<uint64_t> write_budget_;
  std::set<std::string> directories_;
  std::map<std::string, size_t> streams_;  // Path -> the most one read hands out.
};

}  // namespace baton

#endif  // BATON_BASE_MEM_ENV_H_
