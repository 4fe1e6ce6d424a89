#include "tests/testing/fake_openai_server.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/debug.h>

#include <future>

namespace baton::testing {

class FakeOpenAiServer::Impl final : public kj::HttpService {
 public:
  Impl() = default;

  void Run(std::promise<unsigned>& port) {
    auto io = kj::setupAsyncIo();
    timer_ = &io.provider->getTimer();
    kj::HttpHeaderTable::Builder builder;
    authorization_ = builder.add("Authorization");
    content_type_ = builder.add("Content-Type");
    table_ = builder.build();
    auto addr = io.provider->getNetwork().parseAddress("127.0.0.1", 0).wait(io.waitScope);
    auto listener = addr->listen();
    kj::HttpServer server(io.provider->getTimer(), *table_, *this);
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = kj::mv(stop.fulfiller);
    }
    port.set_value(listener->getPort());
    stop.promise.exclusiveJoin(server.listenHttp(*listener)).wait(io.waitScope);
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) stop_->fulfill();
  }

  kj::Promise<void> request(kj::HttpMethod, kj::StringPtr url, const kj::HttpHeaders& headers,
                            kj::AsyncInputStream& body, Response& response) override {
    std::string path = url.cStr();
    std::string auth;
    KJ_IF_MAYBE (a, headers.get(authorization_)) {
      auth = a->cStr();
    }
    return body.readAllText().then([this, path, auth, &response](kj::String text) {
      FakeReply reply;
      {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back({path, auth, text.cStr()});
        if (!replies_.empty()) {
          reply = std::move(replies_.front());
          replies_.pop_front();
        } else {
          reply.status = 500;
          reply.body = "no reply queued";
        }
      }
      return timer_->afterDelay(reply.delay.count() * kj::MILLISECONDS)
          .then([this, reply = std::move(reply), &response]() mutable {
            return Send(std::move(reply), response);
          });
    });
  }

  void Enqueue(FakeReply r) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_.push_back(std::move(r));
  }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  kj::Promise<void> Send(FakeReply reply, Response& response) {
    kj::HttpHeaders headers(*table_);
    for (const auto& [name, value] : reply.headers) headers.add(kj::str(name), kj::str(value));
    if (reply.sse_events.empty()) {
      headers.set(content_type_, "application/json");
      auto out = response.send(reply.status, reply.status == 200 ? "OK" : "Error", headers,
                               uint64_t{reply.body.size()});
      auto bytes = kj::heapString(reply.body.data(), reply.body.size());
      auto promise = out->write(bytes.begin(), bytes.size());
      return promise.attach(kj::mv(out), kj::mv(bytes));
    }
    headers.set(content_type_, "text/event-stream");
    auto events = kj::heap<std::vector<std::string>>();
    for (auto& e : reply.sse_events)
      events->push_back(e.rfind("event:", 0) == 0 ? e + "\n\n" : "data: " + e + "\n\n");
    // A cut stream promises (Content-Length) more bytes than it sends: when the writer goes
    // away short, the connection is dropped mid-body, as a failing upstream drops it.
    kj::Maybe<uint64_t> size = nullptr;
    if (reply.cut_after_events > 0) {
      uint64_t total = 0;
      for (const auto& e : *events) total += e.size();
      size = total + 1;
      if (reply.cut_after_events < events->size()) events->resize(reply.cut_after_events);
    }
    auto out = response.send(reply.status, "OK", headers, size);
    auto* out_ptr = out.get();
    auto* ev = events.get();
    return WriteEvents(out_ptr, ev, 0, reply.delay).attach(kj::mv(out), kj::mv(events));
  }

  kj::Promise<void> WriteEvents(kj::AsyncOutputStream* out, std::vector<std::string>* events,
                                size_t i, std::chrono::milliseconds gap) {
    if (i == events->size()) return kj::READY_NOW;
    const std::string& e = (*events)[i];
    return out->write(e.data(), e.size())
        .then([this, gap]() { return timer_->afterDelay(gap.count() * kj::MILLISECONDS); })
        .then([this, out, events, i, gap]() { return WriteEvents(out, events, i + 1, gap); });
  }

  mutable std::mutex mu_;
  std::deque<FakeReply> replies_;
  std::vector<Received> received_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;
  kj::Timer* timer_ = nullptr;
  kj::Own<kj::HttpHeaderTable> table_;
  kj::HttpHeaderId authorization_ = kj::HttpHeaderId::HOST;
  kj::HttpHeaderId content_type_ = kj::HttpHeaderId::HOST;
  std::thread thread_;
  friend class FakeOpenAiServer;
};

FakeOpenAiServer::FakeOpenAiServer() : impl_(std::make_unique<Impl>()) {
  std::promise<unsigned> port;
  auto ready = port.get_future();
  impl_->thread_ = std::thread([this, &port] { impl_->Run(port); });
  port_ = ready.get();
}

FakeOpenAiServer::~FakeOpenAiServer() {
  impl_->Stop();
  impl_->thread_.join();
}

void FakeOpenAiServer::Enqueue(FakeReply reply) { impl_->Enqueue(std::move(reply)); }

std::vector<FakeOpenAiServer::Received> FakeOpenAiServer::received() const {
  return impl_->received();
}

std::string FakeOpenAiServer::CompletionBody(const std::string& content) {
  return R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":")" +
         content +
         R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})";
}

}  // namespace baton::testing
