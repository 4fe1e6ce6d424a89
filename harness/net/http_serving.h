// Serving HTTP on kj, as the model-API proxy and the OTLP receiver (`baton serve`) both do:
// listening on an address with the failure as a value, the reason phrase of a status, and
// answering with a whole body.
#ifndef BATON_HARNESS_NET_HTTP_SERVING_H_
#define BATON_HARNESS_NET_HTTP_SERVING_H_

#include <kj/async-io.h>
#include <kj/compat/http.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"

namespace baton::net {

// "OK", "Not Found", "Too Many Requests", ...; "OK" or "Error" for a status not listed.
std::string HttpReasonPhrase(unsigned status);

// A listener on host:port (0: an ephemeral port), or InvalidArgument naming the address.
Result<kj::Own<kj::ConnectionReceiver>> ListenOn(kj::AsyncIoContext& io, const std::string& host,
                                                 unsigned port);

// Sends `status` with `headers` and `body` (its length declared).
kj::Promise<void> SendWholeBody(kj::HttpService::Response& response,
                                const kj::HttpHeaderTable& table, unsigned status,
                                const std::vector<KeyValue>& headers, const std::string& body);

}  // namespace baton::net

#endif  // BATON_HARNESS_NET_HTTP_SERVING_H_
