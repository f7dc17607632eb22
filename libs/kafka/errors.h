#pragma once

// librdkafka errors → absl::Status. The mapping is a pure function of the error's code and
// flags (ErrorInfo), so it is unit-tested without a client.
//
//   fatal (or ERR__FATAL)            → kInternal          (the client must be recreated)
//   txn_requires_abort               → kAborted           (abort the transaction, redo it)
//   retriable (flag or known code)   → kUnavailable       (retry the same call)
//   ERR__QUEUE_FULL                  → kResourceExhausted (backpressure: poll, then retry)
//   unknown topic / partition        → kNotFound
//   bad config / argument / message  → kInvalidArgument
//   timeouts                         → kDeadlineExceeded
//
// Every message names the operation, librdkafka's error string and the error's name, e.g.
// "produce to 'orders': Local: Queue full (_QUEUE_FULL)".

#include <string>
#include <string_view>

#include <librdkafka/rdkafkacpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cdcflow::kafka {

// What librdkafka tells about one error; an RdKafka::Error carries the flags, a bare
// RdKafka::ErrorCode does not (they default to false).
struct ErrorInfo {
  RdKafka::ErrorCode code = RdKafka::ERR_NO_ERROR;
  // librdkafka's description; empty = RdKafka::err2str(code).
  std::string_view message;
  bool fatal = false;
  bool retriable = false;
  bool txn_requires_abort = false;
};

// The canonical code for an error, by the rules above. ERR_NO_ERROR → kOk.
absl::StatusCode CanonicalCode(const ErrorInfo& error);

// True for codes librdkafka or the broker report for transient conditions (broker down,
// leader moving, coordinator loading, request timed out...).
bool IsRetriableCode(RdKafka::ErrorCode code);

// librdkafka's symbolic name without the "ERR_" prefix, e.g. "_QUEUE_FULL",
// "UNKNOWN_TOPIC_OR_PART".
std::string ErrorName(RdKafka::ErrorCode code);

// OK for ERR_NO_ERROR; otherwise "<operation>: <message> (<name>)" with CanonicalCode().
absl::Status ToStatus(const ErrorInfo& error, absl::string_view operation);
absl::Status ToStatus(RdKafka::ErrorCode code, absl::string_view operation);
// Takes the flags from an RdKafka::Error (nullptr = success). Does not take ownership.
absl::Status ToStatus(const RdKafka::Error* error, absl::string_view operation);

// For the C API (admin): rd_kafka_resp_err_t values are the same numbers as RdKafka::ErrorCode.
absl::Status ToStatusFromC(int c_error_code, const char* c_message, absl::string_view operation);

}  // namespace cdcflow::kafka
