#include "services/mysql-sink/sql/table_router.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink::sql {
namespace {

TableRouter Router(std::string format, std::string regex = "", std::string replacement = "") {
  absl::StatusOr<TableRouter> r = TableRouter::Create(format, regex, replacement);
  EXPECT_TRUE(r.ok()) << r.status();
  return *std::move(r);
}

TEST(TableRouter, DefaultFormatReplacesDots) {
  const TableRouter r = Router("${topic}");
  EXPECT_EQ(r.Route("dev.public.orders"), "dev_public_orders");
  EXPECT_EQ(r.Route("orders"), "orders");
  EXPECT_EQ(r.Route("a.b.c"), "a_b_c");
}

TEST(TableRouter, FormatAroundTopic) {
  const TableRouter r = Router("sink_${topic}_v1");
  EXPECT_EQ(r.Route("dev.public.orders"), "sink_dev_public_orders_v1");
  EXPECT_EQ(Router("${topic}.${topic}").Route("x"), "x_x");
  EXPECT_EQ(Router("fixed.table").Route("anything"), "fixed_table");
}

TEST(TableRouter, RegexRouteOnWholeMatch) {
  const TableRouter r = Router("${topic}", "([^.]+)\\.([^.]+)\\.([^.]+)", "$3");
  EXPECT_EQ(r.Route("dev.public.orders"), "orders");
  EXPECT_EQ(r.Route("dev.public.order_lines"), "order_lines");
  // Not a whole match: the topic is kept, dots replaced.
  EXPECT_EQ(r.Route("dev.orders"), "dev_orders");
  EXPECT_EQ(r.Route("a.b.c.d"), "a_b_c_d");
}

TEST(TableRouter, ReplacementGroupsThenFormat) {
  const TableRouter r = Router("mirror_${topic}", "dev\\.(\\w+)\\.(\\w+)", "$1.$2_$0");
  // $0 is the whole match; the dots it brings are replaced too.
  EXPECT_EQ(r.Route("dev.public.orders"), "mirror_public_orders_dev_public_orders");
}

TEST(TableRouter, PartialMatchDoesNotRoute) {
  const TableRouter r = Router("${topic}", "orders", "o");
  EXPECT_EQ(r.Route("orders"), "o");
  EXPECT_EQ(r.Route("dev.orders"), "dev_orders");
  EXPECT_EQ(r.Route("orders2"), "orders2");
}

TEST(TableRouter, UnmatchedGroupIsEmptyAndEscapesAreLiteral) {
  const TableRouter r = Router("${topic}", "(a)|(b)", "[$1|$2]\\$1\\\\");
  EXPECT_EQ(r.Route("a"), "[a|]$1\\");
  EXPECT_EQ(r.Route("b"), "[|b]$1\\");
}

TEST(TableRouter, CachedResultsStayCorrect) {
  const TableRouter r = Router("${topic}", "x\\.(.*)", "$1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.Route("x.y.z"), "y_z");
    EXPECT_EQ(r.Route("w.y"), "w_y");
  }
  // Copies route alike.
  const TableRouter copy = r;
  EXPECT_EQ(copy.Route("x.q"), "q");
}

TEST(TableRouter, ManyTopicsBeyondTheCacheBound) {
  const TableRouter r = Router("t_${topic}");
  for (int i = 0; i < 25000; ++i) {
    const std::string topic = absl::StrCat("topic.", i);
    ASSERT_EQ(r.Route(topic), absl::StrCat("t_topic_", i));
  }
  EXPECT_EQ(r.Route("topic.7"), "t_topic_7");
}

TEST(TableRouter, Errors) {
  auto code = [](const absl::StatusOr<TableRouter>& r) { return r.status().code(); };
  auto message = [](const absl::StatusOr<TableRouter>& r) {
    return std::string(r.status().message());
  };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

  auto r = TableRouter::Create("", "", "");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r), "table.name.format must not be empty");

  r = TableRouter::Create("${source.table}", "", "");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r), "table.name.format \"${source.table}\": ${topic} is the only placeholder");
  EXPECT_EQ(code(TableRouter::Create("x_${topic", "", "")), kInvalid);

  r = TableRouter::Create("${topic}", "(unclosed", "$1");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_TRUE(
      message(r).starts_with("route.regex \"(unclosed\" is not a valid regular expression: "))
      << message(r);

  r = TableRouter::Create("${topic}", "(a)", "$2");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r), "route.replacement \"$2\" refers to group 2 but route.regex has 1");

  r = TableRouter::Create("${topic}", "(a)", "x$");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r),
            "route.replacement \"x$\": $ must be followed by a group number 0-9 "
            "(write \\$ for a dollar)");
  EXPECT_EQ(code(TableRouter::Create("${topic}", "(a)", "$x")), kInvalid);
  EXPECT_EQ(code(TableRouter::Create("${topic}", "(a)", "x\\")), kInvalid);

  r = TableRouter::Create("${topic}", "", "x");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r), "route.replacement is set but route.regex is empty");
  r = TableRouter::Create("${topic}", "a", "");
  EXPECT_EQ(code(r), kInvalid);
  EXPECT_EQ(message(r), "route.regex is set but route.replacement is empty");
}

}  // namespace
}  // namespace cdcflow::mysql_sink::sql
