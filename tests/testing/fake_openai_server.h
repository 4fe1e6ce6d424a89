// An OpenAI-compatible chat-completions server on loopback, in the test process, for the
// HTTP client's tests: nothing leaves the machine. Replies are queued by the test.
#ifndef BATON_TESTS_TESTING_FAKE_OPENAI_SERVER_H_
#define BATON_TESTS_TESTING_FAKE_OPENAI_SERVER_H_

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace baton::testing {

struct FakeReply {
  unsigned status = 200;
  std::string body;  // Sent whole (when sse_events is empty).
  // Each sent as "data: EVENT\n\n", one write each; an entry starting "event:" is a whole
  // frame, sent with its blank line.
  std::vector<std::string> sse_events;
  std::chrono::milliseconds delay{0};  // Before the reply (and between SSE events).
  // After this many SSE events the connection is dropped mid-stream (0: never).
  size_t cut_after_events = 0;
  // Sent besides Content-Type (e.g. x-request-id, openai-processing-ms).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

class FakeOpenAiServer {
 public:
  FakeOpenAiServer();  // Listens on 127.0.0.1, an ephemeral port.
  ~FakeOpenAiServer();

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  void Enqueue(FakeReply reply);

  struct Received {
    std::string path;
    std::string authorization;
    std::string body;
  };
  std::vector<Received> received() const;

  // A complete chat-completions body answering `content`.
  static std::string CompletionBody(const std::string& content);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  unsigned port_ = 0;
};

}  // namespace baton::testing

#endif  // BATON_TESTS_TESTING_FAKE_OPENAI_SERVER_H_
