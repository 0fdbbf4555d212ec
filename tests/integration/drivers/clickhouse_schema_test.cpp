// Reading the catalog of the real ClickHouse 18.16: several engines, every
// kind of type it has (Nullable, LowCardinality, arrays, Nested, Decimal,
// dates, enums, tuples), primary keys, filters, and a fixed number of
// requests whatever the number of tables.
#include "drivers/clickhouse/ch_catalog.hpp"
#include "tests/integration/drivers/clickhouse_admin.hpp"
#include "tests/integration/drivers/clickhouse_test_fixture.hpp"
#include "tests/integration/drivers/clickhouse_tls_proxy.hpp"
#include "tests/integration/drivers/schema_expect.hpp"

namespace dsb::test {
namespace {

class ClickHouseSchemaTest : public ClickHouseDriverTest {
 protected:
  Result<drivers::SchemaSnapshot> fetch(drivers::DriverSession& session,
                                        const drivers::SchemaFilter& filter = {}) {
    drivers::StageReporter reporter;
    return run_task(session.fetch_schema(filter, reporter, soon()));
  }

  drivers::ConnectionSpec in(const std::string& database) const {
    auto s = spec();
    s.database = database;
    return s;
  }
};

void create_fixture(const std::string& db) {
  ch_admin("CREATE TABLE " + db +
           ".events (day Date, at DateTime, user_id UInt64, kind Enum8('view' = 1, 'click' = 2),"
           " country LowCardinality(String), referrer LowCardinality(Nullable(String)),"
           " amount Decimal(18, 4), tags Array(String), scores Array(Nullable(Float64)),"
           " note Nullable(String), point Tuple(Float32, Float32), code FixedString(2),"
           " id UUID, attrs Nested(key String, value Int32), total MATERIALIZED amount * 2)"
           " ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, user_id, at)"
           " PRIMARY KEY (day, user_id)");
  ch_admin("CREATE TABLE " + db + ".log_table (msg String, level Int8) ENGINE = Log");
  ch_admin("CREATE TABLE " + db + ".tiny (x UInt8, y Nullable(Int64)) ENGINE = TinyLog");
  ch_admin("CREATE TABLE " + db + ".mem (k String, v Float32) ENGINE = Memory");
  ch_admin("CREATE TABLE " + db +
           ".`odd name` (`weird col` String, `back``tick` UInt16) ENGINE = StripeLog");
  ch_admin("CREATE TABLE " + db +
           ".replacing (id UInt32, version UInt32, body String) ENGINE = "
           "ReplacingMergeTree(version) ORDER BY id");
  ch_admin("CREATE VIEW " + db + ".clicks AS SELECT day, user_id FROM " + db +
           ".events WHERE kind = 'click'");
  ch_admin("CREATE MATERIALIZED VIEW " + db +
           ".daily ENGINE = SummingMergeTree ORDER BY day"
           " AS SELECT day, count() AS n FROM " +
           db + ".events GROUP BY day");
}

TEST_F(ClickHouseSchemaTest, EveryEngineAndTypeExactly) {
  ScratchChDatabase db("dsb_ch_schema_");
  create_fixture(db.name());
  auto session = open(in(db.name()));
  ASSERT_TRUE(session);
  auto snapshot = fetch(*session);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  const std::string d = db.name();
  // Nullable: only Nullable(...) (also inside LowCardinality). Primary key:
  // is_in_primary_key, so the PRIMARY KEY prefix, not every ORDER BY column.
  // The materialized view's .inner table is left out.
  EXPECT_EQ(describe(snapshot->tables), d +
                                            ".clicks view\n"
                                            "  1 day Date not null\n"
                                            "  2 user_id UInt64 not null\n" +
                                            d +
                                            ".daily view\n"
                                            "  1 day Date not null\n"
                                            "  2 n UInt64 not null\n" +
                                            d +
                                            ".events table\n"
                                            "  1 day Date not null pk\n"
                                            "  2 at DateTime not null\n"
                                            "  3 user_id UInt64 not null pk\n"
                                            "  4 kind Enum8('view' = 1, 'click' = 2) not null\n"
                                            "  5 country LowCardinality(String) not null\n"
                                            "  6 referrer LowCardinality(Nullable(String))\n"
                                            "  7 amount Decimal(18, 4) not null\n"
                                            "  8 tags Array(String) not null\n"
                                            "  9 scores Array(Nullable(Float64)) not null\n"
                                            "  10 note Nullable(String)\n"
                                            "  11 point Tuple(Float32, Float32) not null\n"
                                            "  12 code FixedString(2) not null\n"
                                            "  13 id UUID not null\n"
                                            "  14 attrs.key Array(String) not null\n"
                                            "  15 attrs.value Array(Int32) not null\n"
                                            "  16 total Decimal(18, 4) not null\n" +
                                            d +
                                            ".log_table table\n"
                                            "  1 msg String not null\n"
                                            "  2 level Int8 not null\n" +
                                            d +
                                            ".mem table\n"
                                            "  1 k String not null\n"
                                            "  2 v Float32 not null\n" +
                                            d +
                                            ".odd name table\n"
                                            "  1 weird col String not null\n"
                                            "  2 back`tick UInt16 not null\n" +
                                            d +
                                            ".replacing table\n"
                                            "  1 id UInt32 not null pk\n"
                                            "  2 version UInt32 not null\n"
                                            "  3 body String not null\n" +
                                            d +
                                            ".tiny table\n"
                                            "  1 x UInt8 not null\n"
                                            "  2 y Nullable(Int64)\n");
  EXPECT_GT(snapshot->fetched_at_ms, 0);
}

TEST_F(ClickHouseSchemaTest, FiltersChooseDatabases) {
  ScratchChDatabase a("dsb_ch_a_");
  ScratchChDatabase b("dsb_ch_b_");
  ch_admin("CREATE TABLE " + a.name() + ".t (x UInt8) ENGINE = Memory");
  ch_admin("CREATE TABLE " + b.name() + ".u (y UInt8) ENGINE = Memory");
  auto any = spec();
  any.database.clear();
  auto session = open(any);
  ASSERT_TRUE(session);
  // No database and no filter: every database but the system ones.
  auto all = fetch(*session);
  ASSERT_TRUE(all) << all.error().message;
  const auto names = table_names(*all);
  EXPECT_NE(std::find(names.begin(), names.end(), a.name() + ".t"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), b.name() + ".u"), names.end());
  for (const auto& t : all->tables) EXPECT_NE(t.schema, "system");

  drivers::SchemaFilter only_a;
  only_a.include = {a.name()};
  auto just_a = fetch(*session, only_a);
  ASSERT_TRUE(just_a);
  EXPECT_EQ(table_names(*just_a), std::vector<std::string>{a.name() + ".t"});

  drivers::SchemaFilter not_a;
  not_a.include = {a.name(), b.name()};
  not_a.exclude = {a.name()};
  auto just_b = fetch(*session, not_a);
  ASSERT_TRUE(just_b);
  EXPECT_EQ(table_names(*just_b), std::vector<std::string>{b.name() + ".u"});

  // A datasource with a database reads that one only.
  auto in_b = open(in(b.name()));
  ASSERT_TRUE(in_b);
  auto b_only = fetch(*in_b);
  ASSERT_TRUE(b_only);
  EXPECT_EQ(table_names(*b_only), std::vector<std::string>{b.name() + ".u"});
}

TEST_F(ClickHouseSchemaTest, NamesThatNeedQuotingStayValues) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  drivers::SchemaFilter filter;
  filter.include = {"x') OR 1 = 1 OR ('", "back\\slash"};
  auto snapshot = fetch(*session, filter);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_TRUE(snapshot->tables.empty());
}

TEST_F(ClickHouseSchemaTest, TheCatalogIsReadInAFixedNumberOfRequests) {
  ScratchChDatabase db("dsb_ch_many_");
  for (int i = 0; i < 40; ++i) {
    ch_admin("CREATE TABLE " + db.name() + ".t" + std::to_string(i) +
             " (a UInt8, b String) ENGINE = Memory");
  }
  ClickHouseTlsProxy proxy(port_);
  auto s = in(db.name());
  s.tls = test_ca_tls("verify-full");
  auto session = open(s, proxy.port());
  ASSERT_TRUE(session);
  const int before = proxy.requests();
  drivers::StageReporter reporter;
  auto snapshot = run_task(session->fetch_schema({}, reporter, soon()));
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(snapshot->tables.size(), 40u);
  // Which key columns the server has, system.tables, system.columns.
  EXPECT_EQ(proxy.requests() - before, 3);
}

TEST(ClickHousePrimaryKeyExpression, NamesOnlyPlainColumns) {
  using drivers::clickhouse::primary_key_columns;
  EXPECT_EQ(primary_key_columns("day, user_id"), (std::vector<std::string>{"day", "user_id"}));
  EXPECT_EQ(primary_key_columns("`odd name`, toDate(at), intHash32(id), x"),
            (std::vector<std::string>{"odd name", "x"}));
  EXPECT_EQ(primary_key_columns(""), std::vector<std::string>{});
  EXPECT_EQ(primary_key_columns("tuple()"), std::vector<std::string>{});
}

}  // namespace
}  // namespace dsb::test
