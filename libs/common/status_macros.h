#pragma once

// RETURN_IF_ERROR / ASSIGN_OR_RETURN: the two macros every cdcflow function that returns
// absl::Status or absl::StatusOr<T> uses to propagate errors. Defined here once.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CDCFLOW_CONCAT_INNER_(a, b) a##b
#define CDCFLOW_CONCAT_(a, b) CDCFLOW_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): evaluates expr (an absl::Status); returns it from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    if (::absl::Status cdcflow_status_ = (expr); !cdcflow_status_.ok()) { \
      return cdcflow_status_;                                             \
    }                                                                     \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates expr (an absl::StatusOr<T>); returns its status
// when not OK, otherwise moves the value into lhs (which may be a declaration: `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  CDCFLOW_ASSIGN_OR_RETURN_IMPL_(CDCFLOW_CONCAT_(cdcflow_statusor_, __LINE__), lhs, expr)

#define CDCFLOW_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) {                                     \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = std::move(statusor).value()
