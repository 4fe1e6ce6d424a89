#include "harness/net/http_serving.h"

namespace baton::net {

std::string HttpReasonPhrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 424:
      return "Failed Dependency";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status < 400 ? "OK" : "Error";
  }
}

Result<kj::Own<kj::ConnectionReceiver>> ListenOn(kj::AsyncIoContext& io, const std::string& host,
                                                 unsigned port) {
  kj::Own<kj::ConnectionReceiver> listener;
  auto error = kj::runCatchingExceptions([&] {
    auto addr = io.provider->getNetwork().parseAddress(host, port).wait(io.waitScope);
    listener = addr->listen();
  });
  KJ_IF_MAYBE (e, error) {
    return Status::InvalidArgument("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                   e->getDescription().cStr());
  }
  return listener;
}

kj::Promise<void> SendWholeBody(kj::HttpService::Response& response,
                                const kj::HttpHeaderTable& table, unsigned status,
                                const std::vector<KeyValue>& headers, const std::string& body) {
  kj::HttpHeaders out(table);
  for (const KeyValue& kv : headers) out.add(kj::str(kv.key), kj::str(kv.value));
  auto stream = response.send(status, HttpReasonPhrase(status), out, uint64_t{body.size()});
  // 204 and 304 have no body: kj refuses even an empty write on them.
  if (body.empty()) return kj::Promise<void>(kj::READY_NOW).attach(kj::mv(stream));
  auto bytes = kj::heapString(body.data(), body.size());
  auto promise = stream->write(bytes.begin(), bytes.size());
  return promise.attach(kj::mv(stream), kj::mv(bytes));
}

}  // namespace baton::net
