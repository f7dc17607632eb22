#include "libs/kafka/errors.h"

#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cdcflow::kafka {
namespace {

using ::testing::HasSubstr;

absl::StatusCode Code(RdKafka::ErrorCode code) { return CanonicalCode(ErrorInfo{.code = code}); }

TEST(KafkaErrorsTest, NoErrorIsOk) {
  EXPECT_TRUE(ToStatus(RdKafka::ERR_NO_ERROR, "produce").ok());
  EXPECT_TRUE(ToStatus(static_cast<const RdKafka::Error*>(nullptr), "commit").ok());
}

TEST(KafkaErrorsTest, MapsCodesByMeaning) {
  EXPECT_EQ(Code(RdKafka::ERR__QUEUE_FULL), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Code(RdKafka::ERR_UNKNOWN_TOPIC_OR_PART), absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(RdKafka::ERR__UNKNOWN_TOPIC), absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(RdKafka::ERR__UNKNOWN_PARTITION), absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(RdKafka::ERR__INVALID_ARG), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(RdKafka::ERR_INVALID_CONFIG), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(RdKafka::ERR_MSG_SIZE_TOO_LARGE), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(RdKafka::ERR__FATAL), absl::StatusCode::kInternal);
  EXPECT_EQ(Code(RdKafka::ERR_PRODUCER_FENCED), absl::StatusCode::kInternal);
  EXPECT_EQ(Code(RdKafka::ERR__MSG_TIMED_OUT), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Code(RdKafka::ERR__TIMED_OUT), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Code(RdKafka::ERR_TOPIC_ALREADY_EXISTS), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Code(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code(RdKafka::ERR_SASL_AUTHENTICATION_FAILED), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(RdKafka::ERR_OFFSET_OUT_OF_RANGE), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Code(RdKafka::ERR__STATE), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(RdKafka::ERR_ILLEGAL_GENERATION), absl::StatusCode::kAborted);
  EXPECT_EQ(Code(RdKafka::ERR__PURGE_QUEUE), absl::StatusCode::kCancelled);
  EXPECT_EQ(Code(RdKafka::ERR_UNSUPPORTED_VERSION), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(Code(RdKafka::ERR_UNKNOWN), absl::StatusCode::kUnknown);
}

TEST(KafkaErrorsTest, TransientBrokerConditionsAreUnavailable) {
  for (RdKafka::ErrorCode code :
       {RdKafka::ERR__TRANSPORT, RdKafka::ERR__ALL_BROKERS_DOWN, RdKafka::ERR__RESOLVE,
        RdKafka::ERR_NOT_LEADER_FOR_PARTITION, RdKafka::ERR_LEADER_NOT_AVAILABLE,
        RdKafka::ERR_NOT_ENOUGH_REPLICAS, RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RdKafka::ERR_NOT_COORDINATOR, RdKafka::ERR_REQUEST_TIMED_OUT}) {
    EXPECT_TRUE(IsRetriableCode(code)) << ErrorName(code);
    EXPECT_EQ(Code(code), absl::StatusCode::kUnavailable) << ErrorName(code);
  }
  EXPECT_FALSE(IsRetriableCode(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED));
  EXPECT_FALSE(IsRetriableCode(RdKafka::ERR__QUEUE_FULL));
}

TEST(KafkaErrorsTest, FlagsWinOverTheCode) {
  // Fatal beats everything, then "abort the transaction", then "retriable".
  EXPECT_EQ(CanonicalCode({.code = RdKafka::ERR__QUEUE_FULL, .fatal = true}),
            absl::StatusCode::kInternal);
  EXPECT_EQ(CanonicalCode({.code = RdKafka::ERR__STATE,
                           .fatal = true,
                           .retriable = true,
                           .txn_requires_abort = true}),
            absl::StatusCode::kInternal);
  EXPECT_EQ(CanonicalCode({.code = RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED,
                           .retriable = true,
                           .txn_requires_abort = true}),
            absl::StatusCode::kAborted);
  EXPECT_EQ(CanonicalCode({.code = RdKafka::ERR__TIMED_OUT, .retriable = true}),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(CanonicalCode({.code = RdKafka::ERR_UNKNOWN, .retriable = true}),
            absl::StatusCode::kUnavailable);
}

TEST(KafkaErrorsTest, MessageNamesOperationErrorStringAndName) {
  absl::Status status = ToStatus(RdKafka::ERR__QUEUE_FULL, "produce to 'orders' [3]");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "produce to 'orders' [3]: Local: Queue full (_QUEUE_FULL)");

  status = ToStatus(ErrorInfo{.code = RdKafka::ERR__TIMED_OUT,
                              .message = "Failed to commit: timed out",
                              .retriable = true},
                    "commit transaction");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            "commit transaction: Failed to commit: timed out (_TIMED_OUT, retriable)");
}

// librdkafka++ 2.0.2 does not export RdKafka::Error::create(): a stand-in with set flags.
class FakeError final : public RdKafka::Error {
 public:
  FakeError(RdKafka::ErrorCode code, std::string text, bool fatal, bool retriable, bool abort)
      : code_(code), text_(std::move(text)), fatal_(fatal), retriable_(retriable), abort_(abort) {}
  RdKafka::ErrorCode code() const override { return code_; }
  std::string name() const override { return ErrorName(code_); }
  std::string str() const override { return text_; }
  bool is_fatal() const override { return fatal_; }
  bool is_retriable() const override { return retriable_; }
  bool txn_requires_abort() const override { return abort_; }

 private:
  RdKafka::ErrorCode code_;
  std::string text_;
  bool fatal_, retriable_, abort_;
};

TEST(KafkaErrorsTest, ReadsTheFlagsOfAnRdKafkaError) {
  FakeError retriable(RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS, "Coordinator loading", false, true,
                      false);
  absl::Status status = ToStatus(&retriable, "init transactions");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            "init transactions: Coordinator loading (COORDINATOR_LOAD_IN_PROGRESS, retriable)");

  FakeError abortable(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED, "Not authorized", false, false,
                      true);
  status = ToStatus(&abortable, "commit transaction");
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(status.message(),
            "commit transaction: Not authorized (TOPIC_AUTHORIZATION_FAILED, transaction must "
            "be aborted)");

  FakeError fatal(RdKafka::ERR__FENCED, "Producer fenced", true, false, false);
  EXPECT_EQ(ToStatus(&fatal, "begin transaction").code(), absl::StatusCode::kInternal);
}

TEST(KafkaErrorsTest, CApiCodesMapTheSameWay) {
  absl::Status status = ToStatusFromC(36, "Topic 'x' already exists.", "create topic 'x'");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(), "create topic 'x': Topic 'x' already exists. (TOPIC_ALREADY_EXISTS)");
}

}  // namespace
}  // namespace cdcflow::kafka
