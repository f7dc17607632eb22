#include "libs/kafka/errors.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"

namespace cdcflow::kafka {

bool IsRetriableCode(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__RESOLVE:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__WAIT_COORD:
    case RdKafka::ERR__ISR_INSUFF:
    case RdKafka::ERR__NODE_UPDATE:
    case RdKafka::ERR__RETRY:
    case RdKafka::ERR__IN_PROGRESS:
    case RdKafka::ERR__PREV_IN_PROGRESS:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR_BROKER_NOT_AVAILABLE:
    case RdKafka::ERR_REPLICA_NOT_AVAILABLE:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RdKafka::ERR_NOT_CONTROLLER:
    case RdKafka::ERR_KAFKA_STORAGE_ERROR:
    case RdKafka::ERR_CONCURRENT_TRANSACTIONS:
    case RdKafka::ERR_FENCED_LEADER_EPOCH:
    case RdKafka::ERR_UNKNOWN_LEADER_EPOCH:
    case RdKafka::ERR_OFFSET_NOT_AVAILABLE:
    case RdKafka::ERR_PREFERRED_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE:
    case RdKafka::ERR_UNSTABLE_OFFSET_COMMIT:
    case RdKafka::ERR_THROTTLING_QUOTA_EXCEEDED:
    case RdKafka::ERR_REBALANCE_IN_PROGRESS:
      return true;
    default:
      return false;
  }
}

absl::StatusCode CanonicalCode(const ErrorInfo& error) {
  if (error.code == RdKafka::ERR_NO_ERROR) return absl::StatusCode::kOk;
  // The flags first: they are librdkafka's own verdict on what the caller must do.
  if (error.fatal || error.code == RdKafka::ERR__FATAL) return absl::StatusCode::kInternal;
  if (error.txn_requires_abort) return absl::StatusCode::kAborted;
  if (error.code == RdKafka::ERR__QUEUE_FULL) return absl::StatusCode::kResourceExhausted;
  if (error.retriable) return absl::StatusCode::kUnavailable;
  switch (error.code) {
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR__UNKNOWN_PARTITION:
    case RdKafka::ERR__UNKNOWN_GROUP:
    case RdKafka::ERR__NOENT:
    case RdKafka::ERR_GROUP_ID_NOT_FOUND:
    case RdKafka::ERR_RESOURCE_NOT_FOUND:
      return absl::StatusCode::kNotFound;

    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR__INVALID_TYPE:
    case RdKafka::ERR__UNKNOWN_PROTOCOL:
    case RdKafka::ERR__BAD_MSG:
    case RdKafka::ERR__KEY_SERIALIZATION:
    case RdKafka::ERR__VALUE_SERIALIZATION:
    case RdKafka::ERR_INVALID_CONFIG:
    case RdKafka::ERR_INVALID_REQUEST:
    case RdKafka::ERR_INVALID_MSG:
    case RdKafka::ERR_INVALID_MSG_SIZE:
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_RECORD_LIST_TOO_LARGE:
    case RdKafka::ERR_INVALID_RECORD:
    case RdKafka::ERR_INVALID_TIMESTAMP:
    case RdKafka::ERR_INVALID_PARTITIONS:
    case RdKafka::ERR_INVALID_REPLICATION_FACTOR:
    case RdKafka::ERR_INVALID_REPLICA_ASSIGNMENT:
    case RdKafka::ERR_INVALID_REQUIRED_ACKS:
    case RdKafka::ERR_INVALID_GROUP_ID:
    case RdKafka::ERR_INVALID_SESSION_TIMEOUT:
    case RdKafka::ERR_INVALID_TRANSACTION_TIMEOUT:
    case RdKafka::ERR_INVALID_COMMIT_OFFSET_SIZE:
    case RdKafka::ERR_OFFSET_METADATA_TOO_LARGE:
    case RdKafka::ERR_TOPIC_EXCEPTION:
    case RdKafka::ERR_POLICY_VIOLATION:
    case RdKafka::ERR_UNSUPPORTED_COMPRESSION_TYPE:
      return absl::StatusCode::kInvalidArgument;

    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__TIMED_OUT_QUEUE:
      return absl::StatusCode::kDeadlineExceeded;

    case RdKafka::ERR_TOPIC_ALREADY_EXISTS:
    case RdKafka::ERR_DUPLICATE_RESOURCE:
      return absl::StatusCode::kAlreadyExists;

    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_GROUP_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RdKafka::ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED:
      return absl::StatusCode::kPermissionDenied;

    case RdKafka::ERR__AUTHENTICATION:
    case RdKafka::ERR_SASL_AUTHENTICATION_FAILED:
    case RdKafka::ERR_UNSUPPORTED_SASL_MECHANISM:
    case RdKafka::ERR_ILLEGAL_SASL_STATE:
      return absl::StatusCode::kUnauthenticated;

    case RdKafka::ERR_OFFSET_OUT_OF_RANGE:
    case RdKafka::ERR__PARTITION_EOF:
      return absl::StatusCode::kOutOfRange;

    case RdKafka::ERR__STATE:
    case RdKafka::ERR__NOT_CONFIGURED:
    case RdKafka::ERR__CONFLICT:
    case RdKafka::ERR__EXISTING_SUBSCRIPTION:
    case RdKafka::ERR_INVALID_TXN_STATE:
    case RdKafka::ERR_NON_EMPTY_GROUP:
      return absl::StatusCode::kFailedPrecondition;

    // A rebalance or a fencing took the work away from this member: redo it elsewhere.
    case RdKafka::ERR_ILLEGAL_GENERATION:
    case RdKafka::ERR_UNKNOWN_MEMBER_ID:
    case RdKafka::ERR__ASSIGNMENT_LOST:
      return absl::StatusCode::kAborted;

    // Fenced producers and lost idempotence state are fatal in librdkafka.
    case RdKafka::ERR__FENCED:
    case RdKafka::ERR_PRODUCER_FENCED:
    case RdKafka::ERR_INVALID_PRODUCER_EPOCH:
    case RdKafka::ERR__GAPLESS_GUARANTEE:
    case RdKafka::ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case RdKafka::ERR__INCONSISTENT:
    case RdKafka::ERR__CRIT_SYS_RESOURCE:
    case RdKafka::ERR__FS:
      return absl::StatusCode::kInternal;

    case RdKafka::ERR__DESTROY:
    case RdKafka::ERR__PURGE_QUEUE:
    case RdKafka::ERR__PURGE_INFLIGHT:
    case RdKafka::ERR__INTR:
      return absl::StatusCode::kCancelled;

    case RdKafka::ERR__NOT_IMPLEMENTED:
    case RdKafka::ERR__UNSUPPORTED_FEATURE:
    case RdKafka::ERR_UNSUPPORTED_VERSION:
    case RdKafka::ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RdKafka::ERR_SECURITY_DISABLED:
    case RdKafka::ERR_TOPIC_DELETION_DISABLED:
      return absl::StatusCode::kUnimplemented;

    default:
      break;
  }
  if (IsRetriableCode(error.code)) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

std::string ErrorName(RdKafka::ErrorCode code) {
  return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
}

absl::Status ToStatus(const ErrorInfo& error, absl::string_view operation) {
  absl::StatusCode code = CanonicalCode(error);
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  std::string text =
      error.message.empty() ? RdKafka::err2str(error.code) : std::string(error.message);
  std::string flags;
  if (error.fatal) flags += ", fatal";
  if (error.txn_requires_abort) flags += ", transaction must be aborted";
  if (error.retriable) flags += ", retriable";
  return absl::Status(code,
                      absl::StrCat(operation, ": ", text, " (", ErrorName(error.code), flags, ")"));
}

absl::Status ToStatus(RdKafka::ErrorCode code, absl::string_view operation) {
  return ToStatus(ErrorInfo{.code = code}, operation);
}

absl::Status ToStatus(const RdKafka::Error* error, absl::string_view operation) {
  if (error == nullptr) return absl::OkStatus();
  std::string text = error->str();
  return ToStatus(ErrorInfo{.code = error->code(),
                            .message = text,
                            .fatal = error->is_fatal(),
                            .retriable = error->is_retriable(),
                            .txn_requires_abort = error->txn_requires_abort()},
                  operation);
}

absl::Status ToStatusFromC(int c_error_code, const char* c_message, absl::string_view operation) {
  return ToStatus(ErrorInfo{.code = static_cast<RdKafka::ErrorCode>(c_error_code),
                            .message = c_message != nullptr ? c_message : ""},
                  operation);
}

}  // namespace cdcflow::kafka
