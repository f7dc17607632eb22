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
}

void DeliveryTracker::Idle(Lsn wal_end) {
  std::lock_guard lock(mu_);
  if (txns_.empty()) confirmable_ = std::max(confirmable_, wal_end);
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
