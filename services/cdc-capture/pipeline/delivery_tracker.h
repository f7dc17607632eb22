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
//   tracker.Idle(keepalive.wal_end);    // at a keepalive between transactions
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

  // A keepalive between transactions: every transaction that ends at or before `wal_end` has
  // been opened, so `wal_end` becomes confirmable as soon as the transactions open now are all
  // acknowledged (at once when none is in flight), and an idle or filtered-out database never
  // pins WAL. Remembered rather than dropped while events are in flight: PostgreSQL sends no
  // further keepalive once the reported write position has reached its WAL end, so the last
  // acknowledgement of a burst would otherwise leave the slot behind until new WAL arrives.
  // Ignored while a transaction is open (its end is not known yet).
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
  // An Idle() position waiting for the transactions opened before it.
  struct IdleMark {
    Seq before;  // confirmable once every transaction with a lower sequence number is done
    Lsn wal_end;
  };
  void Advance();  // pops finished transactions and reached idle marks; mu_ held

  mutable std::mutex mu_;
  std::deque<Txn> txns_;  // txns_[i] has sequence number first_seq_ + i
  // Ascending in both fields; at most one per transaction in flight (a keepalive with no new
  // transaction since the last mark moves that mark).
  std::deque<IdleMark> idle_marks_;
  Seq first_seq_ = 0;
  Lsn confirmable_;
  uint64_t in_flight_events_ = 0;
};

}  // namespace cdcflow::cdc_capture
