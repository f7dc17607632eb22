#include "services/cdc-capture/pipeline/delivery_tracker.h"

#include <algorithm>
#include <cassert>

namespace cdcflow::cdc_capture {

DeliveryTracker::Seq DeliveryTracker::Open() {
  std::lock_guard lock(mu_);
  txns_.emplace_back();
  return first_seq_ + txns_.size() - 1;
}

void DeliveryTracker::Add(Seq seq, uint64_t events) {
  std::lock_guard lock(mu_);
  assert(seq >= first_seq_ && seq - first_seq_ < txns_.size());
  txns_[seq - first_seq_].pending += events;
  in_flight_events_ += events;
}

void DeliveryTracker::Seal(Seq seq, Lsn end_lsn) {
  std::lock_guard lock(mu_);
  assert(seq >= first_seq_ && seq - first_seq_ < txns_.size());
  Txn& t = txns_[seq - first_seq_];
  t.sealed = true;
  t.end_lsn = end_lsn;
  Advance();
}

void DeliveryTracker::Ack(Seq seq, uint64_t events) {
  std::lock_guard lock(mu_);
  assert(seq >= first_seq_ && seq - first_seq_ < txns_.size());
  Txn& t = txns_[seq - first_seq_];
  assert(t.pending >= events);
  t.pending -= events;
  in_flight_events_ -= events;
  Advance();
}

void DeliveryTracker::Advance() {
  while (!txns_.empty() && txns_.front().sealed && txns_.front().pending == 0) {
    confirmable_ = std::max(confirmable_, txns_.front().end_lsn);
    txns_.pop_front();
    ++first_seq_;
  }
  while (!idle_marks_.empty() && idle_marks_.front().before <= first_seq_) {
    confirmable_ = std::max(confirmable_, idle_marks_.front().wal_end);
    idle_marks_.pop_front();
  }
}

void DeliveryTracker::Idle(Lsn wal_end) {
  std::lock_guard lock(mu_);
  if (!txns_.empty() && !txns_.back().sealed) return;
  const Seq before = first_seq_ + txns_.size();
  if (!idle_marks_.empty() && idle_marks_.back().before == before) {
    idle_marks_.back().wal_end = std::max(idle_marks_.back().wal_end, wal_end);
  } else {
    idle_marks_.push_back({before, wal_end});
  }
  Advance();
}

Lsn DeliveryTracker::Confirmable() const {
  std::lock_guard lock(mu_);
  return confirmable_;
}

uint64_t DeliveryTracker::InFlightEvents() const {
  std::lock_guard lock(mu_);
  return in_flight_events_;
}

size_t DeliveryTracker::InFlightTransactions() const {
  std::lock_guard lock(mu_);
  return txns_.size();
}

}  // namespace cdcflow::cdc_capture
