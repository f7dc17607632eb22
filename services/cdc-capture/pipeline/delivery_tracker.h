#pragma once

// Decides which LSN may be confirmed to PostgreSQL: the end LSN of the newest transaction
// such that it and every transaction before it had all of its events acknowledged by Kafka.
// Confirming more would let PostgreSQL discard WAL whose events might still be lost;
// confirming less only costs WAL space. Pure and thread-safe (acks arrive on the producer's
// delivery thread).
//
//   seq = tracker.Open();            // at Begin
//   tracker.Add(seq); …              // per event handed to the producer
//   tracker.Seal(seq, commit.end_lsn);  // at Commit
//   tracker.Ack(seq);                // per delivery report
//   tracker.Confirmable();           // what to send as the flush LSN

#include <cstdint>
#include <deque>
#include <mutex>

#include "services/cdc-capture/pgoutput/lsn.h"

namespace cdcflow::cdc_capture {

class DeliveryTracker {
 public:
  using Seq = uint64_t;

  // `start` is the position already confirmed (the slot's confirmed_flush_lsn).
  explicit DeliveryTracker(Lsn start = 0) : confirmable_(start) {}

  Seq Open();
  void Add(Seq seq, uint64_t events = 1);
  void Seal(Seq seq, Lsn end_lsn);
  void Ack(Seq seq, uint64_t events = 1);

  // With nothing open or unacknowledged, a keepalive's WAL end may be confirmed: every
  // transaction before it has been seen and delivered (so an idle or filtered-out database
  // never pins WAL).
  void Idle(Lsn wal_end);

  Lsn Confirmable() const;
  uint64_t InFlightEvents() const;
  size_t InFlightTransactions() const;

 private:
  struct Txn {
    uint64_t pending = 0;
    bool sealed = false;
    Lsn end_lsn = 0;
  };
  void Advance();  // pops finished transactions from the front; mu_ held

  mutable std::mutex mu_;
  std::deque<Txn> txns_;  // txns_[i] has sequence number first_seq_ + i
  Seq first_seq_ = 0;
  Lsn confirmable_;
  uint64_t in_flight_events_ = 0;
};

}  // namespace cdcflow::cdc_capture
