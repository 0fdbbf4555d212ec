// The CSV record reader and type inference on their own: every quirk of the
// format, the byte budget, and each inferred type.
#include "drivers/csv/csv_reader.hpp"
#include "drivers/csv/csv_types.hpp"
#include "drivers/file_root.hpp"
#include "tests/unit/drivers/csv_sqlite_fixture.hpp"

#include <fcntl.h>

namespace dsb::test {
namespace {

using drivers::csv::classify;
using drivers::csv::CsvReader;
using drivers::csv::CsvType;
using drivers::csv::widen;
using Records = std::vector<std::vector<std::string>>;

class CsvReaderTest : public FileRootTest {
 protected:
  // Every record of `content`, read with `delimiter` and `budget` bytes.
  Records read_all(const std::string& content, char delimiter = ',', std::size_t budget = 1 << 20,
                   bool* truncated = nullptr) {
    const fs::path path = write("r.csv", content);
    drivers::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd);
    CsvReader reader(fd.get(), delimiter, budget, soon());
    Records out;
    std::vector<std::string> fields;
    CsvReader::Status status;
    while ((status = reader.next(fields)) == CsvReader::Status::record) out.push_back(fields);
    EXPECT_EQ(status, CsvReader::Status::end);
    if (truncated != nullptr) *truncated = reader.truncated();
    return out;
  }
};

TEST_F(CsvReaderTest, QuotedFieldsKeepDelimitersLineBreaksAndDoubledQuotes) {
  EXPECT_EQ(read_all("a,\"b,c\",\"d\ne\",\"f\"\"g\"\nh,\"\",i\n"),
            (Records{{"a", "b,c", "d\ne", "f\"g"}, {"h", "", "i"}}));
}

TEST_F(CsvReaderTest, CrlfLoneCrAndAMissingLastLineEndAllEndRecords) {
  EXPECT_EQ(read_all("a,b\r\nc,d\re,f"), (Records{{"a", "b"}, {"c", "d"}, {"e", "f"}}));
  // CRLF inside quotes is data.
  EXPECT_EQ(read_all("\"x\r\ny\",z\r\n"), (Records{{"x\r\ny", "z"}}));
}

TEST_F(CsvReaderTest, ByteOrderMarkIsDropped) {
  EXPECT_EQ(read_all("\xEF\xBB\xBFid,name\n1,a\n"), (Records{{"id", "name"}, {"1", "a"}}));
  // Only at the very start.
  EXPECT_EQ(read_all("id\n\xEF\xBB\xBFx\n"), (Records{{"id"}, {"\xEF\xBB\xBFx"}}));
}

TEST_F(CsvReaderTest, OtherDelimiters) {
  EXPECT_EQ(read_all("a;b;\"c;d\"\n", ';'), (Records{{"a", "b", "c;d"}}));
  EXPECT_EQ(read_all("a\tb,c\t\n", '\t'), (Records{{"a", "b,c", ""}}));
  EXPECT_EQ(read_all("a|b\n", '|'), (Records{{"a", "b"}}));
}

TEST_F(CsvReaderTest, BlankLinesAreSkippedAndEmptyFieldsKept) {
  EXPECT_EQ(read_all("\n\na,b\n\r\n\n,\n"), (Records{{"a", "b"}, {"", ""}}));
  EXPECT_EQ(read_all(""), Records{});
}

TEST_F(CsvReaderTest, StrayQuotesAndUnterminatedQuotesAreLenient) {
  EXPECT_EQ(read_all("ab\"c,\"x\"y,z\n"), (Records{{"ab\"c", "xy", "z"}}));
  EXPECT_EQ(read_all("a,\"never closed\nb,c\n"), (Records{{"a", "never closed\nb,c\n"}}));
}

TEST_F(CsvReaderTest, TheByteBudgetDropsTheRecordItCuts) {
  bool truncated = false;
  // "a,b\n" is 4 bytes; the budget ends inside "cc,dd".
  EXPECT_EQ(read_all("a,b\ncc,dd\n", ',', 6, &truncated), (Records{{"a", "b"}}));
  EXPECT_TRUE(truncated);
  EXPECT_EQ(read_all("a,b\ncc,dd\n", ',', 10, &truncated), (Records{{"a", "b"}, {"cc", "dd"}}));
  EXPECT_FALSE(truncated);
  // A budget ending exactly at a line end: complete, but more follows.
  EXPECT_EQ(read_all("a,b\ncc,dd\n", ',', 4, &truncated), (Records{{"a", "b"}}));
  EXPECT_TRUE(truncated);
}

TEST_F(CsvReaderTest, APassedDeadlineStopsReading) {
  const fs::path path = write("r.csv", "a,b\n");
  drivers::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  CsvReader reader(fd.get(), ',', 1 << 20, drivers::Clock::now() - 1s);
  std::vector<std::string> fields;
  EXPECT_EQ(reader.next(fields), CsvReader::Status::timed_out);
}

TEST(CsvTypesTest, ClassifiesEachKindOfValue) {
  EXPECT_EQ(classify(""), CsvType::none);
  EXPECT_EQ(classify("  "), CsvType::none);
  for (const char* v : {"0", "42", "-7", "+3", " 12 ", "9223372036854775807"})
    EXPECT_EQ(classify(v), CsvType::integer) << v;
  for (const char* v : {"3.14", "-0.5", ".5", "5.", "1e10", "2.5E-3"})
    EXPECT_EQ(classify(v), CsvType::floating) << v;
  for (const char* v : {"true", "FALSE", "True"}) EXPECT_EQ(classify(v), CsvType::boolean) << v;
  for (const char* v : {"2024-02-29", "1999-12-31"}) EXPECT_EQ(classify(v), CsvType::date) << v;
  for (const char* v : {"2024-01-02T03:04:05Z", "2024-01-02 03:04", "2024-01-02T03:04:05.123+02:00",
                        "2024-01-02 23:59:59-0530", "2024-01-02T00:00:00+01"})
    EXPECT_EQ(classify(v), CsvType::timestamp) << v;
  for (const char* v : {"abc", "2023-02-29", "2024-13-01", "2024-01-02T25:00", "1,5", "0x1F", "e5",
                        "99999999999999999999", "--1", "yes", "2024-01-02T03:04:05 Z"})
    EXPECT_EQ(classify(v), CsvType::text) << v;
}

TEST(CsvTypesTest, WideningKeepsTheNarrowestCommonType) {
  EXPECT_EQ(widen(CsvType::none, CsvType::integer), CsvType::integer);
  EXPECT_EQ(widen(CsvType::integer, CsvType::none), CsvType::integer);
  EXPECT_EQ(widen(CsvType::integer, CsvType::floating), CsvType::floating);
  EXPECT_EQ(widen(CsvType::floating, CsvType::integer), CsvType::floating);
  EXPECT_EQ(widen(CsvType::date, CsvType::timestamp), CsvType::timestamp);
  EXPECT_EQ(widen(CsvType::boolean, CsvType::integer), CsvType::text);
  EXPECT_EQ(widen(CsvType::date, CsvType::integer), CsvType::text);
  EXPECT_EQ(widen(CsvType::text, CsvType::integer), CsvType::text);
}

}  // namespace
}  // namespace dsb::test
