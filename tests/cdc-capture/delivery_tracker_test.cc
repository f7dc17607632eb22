#include "services/cdc-capture/pipeline/delivery_tracker.h"

#include <gtest/gtest.h>

namespace cdcflow::cdc_capture {
namespace {

TEST(DeliveryTracker, ConfirmsOnlyFullyAcknowledgedPrefixes) {
  DeliveryTracker t(/*start=*/100);
  auto a = t.Open();
  t.Add(a, 2);
  t.Seal(a, 200);
  auto b = t.Open();
  t.Add(b, 1);
  t.Seal(b, 300);
  EXPECT_EQ(t.Confirmable(), 100u);
  EXPECT_EQ(t.InFlightEvents(), 3u);

  t.Ack(b);  // b is done, but a is not: nothing may be confirmed yet
  EXPECT_EQ(t.Confirmable(), 100u);
  t.Ack(a);
  EXPECT_EQ(t.Confirmable(), 100u);
  t.Ack(a);  // a done -> a and b confirmable at once
  EXPECT_EQ(t.Confirmable(), 300u);
  EXPECT_EQ(t.InFlightEvents(), 0u);
  EXPECT_EQ(t.InFlightTransactions(), 0u);
}

TEST(DeliveryTracker, AnUnsealedTransactionHoldsConfirmationEvenWhenAcked) {
  DeliveryTracker t;
  auto a = t.Open();
  t.Add(a);
  t.Ack(a);  // acked before its commit was seen: more events may still come
  EXPECT_EQ(t.Confirmable(), 0u);
  t.Seal(a, 50);
  EXPECT_EQ(t.Confirmable(), 50u);
}

TEST(DeliveryTracker, EmptyTransactionsAreConfirmedAtSeal) {
  DeliveryTracker t(10);
  auto a = t.Open();  // e.g. a transaction on a table outside the publication
  t.Seal(a, 20);
  EXPECT_EQ(t.Confirmable(), 20u);
}

TEST(DeliveryTracker, IdleConfirmsTheKeepalivePositionOnlyWhenNothingIsInFlight) {
  DeliveryTracker t(10);
  t.Idle(40);
  EXPECT_EQ(t.Confirmable(), 40u);
  auto a = t.Open();
  t.Add(a);
  t.Idle(90);  // an open transaction: the keepalive position must not be confirmed
  EXPECT_EQ(t.Confirmable(), 40u);
  t.Seal(a, 60);
  t.Ack(a);
  EXPECT_EQ(t.Confirmable(), 60u);
  t.Idle(30);  // never moves backwards
  EXPECT_EQ(t.Confirmable(), 60u);
}

// PostgreSQL sends one keepalive when it has sent everything, and no further one once the
// reported write position reached it: a keepalive that arrives while the last events are still
// in flight must be confirmed when they are acknowledged, not when new WAL comes.
TEST(DeliveryTracker, AKeepaliveWhileEventsAreInFlightIsConfirmedWithTheirLastAck) {
  DeliveryTracker t(10);
  auto a = t.Open();
  t.Add(a, 2);
  t.Seal(a, 50);
  t.Idle(70);  // between transactions, a still in flight
  EXPECT_EQ(t.Confirmable(), 10u);
  t.Ack(a);
  EXPECT_EQ(t.Confirmable(), 10u);
  t.Ack(a);
  EXPECT_EQ(t.Confirmable(), 70u);
}

TEST(DeliveryTracker, AKeepaliveWaitsOnlyForTheTransactionsOpenedBeforeIt) {
  DeliveryTracker t(10);
  auto a = t.Open();
  t.Add(a);
  t.Seal(a, 50);
  t.Idle(70);
  t.Idle(75);         // no transaction in between: the same mark, moved
  auto b = t.Open();  // after the keepalive
  t.Add(b);
  t.Seal(b, 90);
  t.Idle(95);
  t.Ack(a);  // everything before the first keepalive is done, b is not
  EXPECT_EQ(t.Confirmable(), 75u);
  t.Ack(b);
  EXPECT_EQ(t.Confirmable(), 95u);
}

}  // namespace
}  // namespace cdcflow::cdc_capture
