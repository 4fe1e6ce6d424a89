// GoogleMock doubles of ModelClient and ToolClient, for tests that script calls with
// EXPECT_CALL.
#ifndef BATON_HARNESS_RUNTIME_MOCK_MODEL_CLIENT_H_
#define BATON_HARNESS_RUNTIME_MOCK_MODEL_CLIENT_H_

#include <gmock/gmock.h>

#include "harness/runtime/model_client.h"

namespace baton {

class MockModelClient : public ModelClient {
 public:
  MOCK_METHOD(Result<ModelResponse>, Complete, (const ModelRequest& request), (override));
};

class MockToolClient : public ToolClient {
 public:
  MOCK_METHOD(Result<std::string>, Call, (const std::string& tool, const std::string& arguments),
              (override));
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_MOCK_MODEL_CLIENT_H_
