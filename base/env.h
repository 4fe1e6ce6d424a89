// File access behind small interfaces (after LevelDB's Env), so that tests can run
// the recorder and reader against an in-memory file system with injected faults.
#ifndef BATON_BASE_ENV_H_
#define BATON_BASE_ENV_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace baton {

// A file being written, front to back.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Hands buffered bytes to the operating system: a crash of this process loses nothing.
  virtual Status Flush() = 0;
  // Flush, then make the bytes durable against a power loss (fsync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// A file read at arbitrary offsets; safe to use from several threads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns the bytes read (fewer at the end).
  virtual Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

// A file read once, front to back. Unlike a RandomAccessFile it may be a pipe, a FIFO or
// standard input (`baton check --policy <(jq ...)`), whose size is known only at its end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; returns the bytes read, empty at the end of the file.
  virtual Result<std::string_view> Read(size_t n, char* scratch) = 0;
  // A regular file's size when it was opened; nullopt for a stream, whose size is unknown.
  virtual std::optional<uint64_t> SizeWhenOpened() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // Creates (or truncates) the file.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual bool DirectoryExists(const std::string& path) = 0;
};

// Forwards every call to another Env (LevelDB's EnvWrapper): a fault or counting Env
// overrides only what it changes. `target` is borrowed and must outlive the wrapper.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& target) : target_(target) {}
  Env& target() const { return target_; }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return target_.NewWritableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return target_.NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return target_.NewSequentialFile(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_.RenameFile(from, to);
  }
  Status RemoveFile(const std::string& path) override { return target_.RemoveFile(path); }
  bool FileExists(const std::string& path) override { return target_.FileExists(path); }
  bool DirectoryExists(const std::string& path) override { return target_.DirectoryExists(path); }

 private:
  Env& target_;
};

// The real file system. Each call returns a new, independently owned Env.
std::unique_ptr<Env> NewPosixEnv();

}  // namespace baton

#endif  // BATON_BASE_ENV_H_
