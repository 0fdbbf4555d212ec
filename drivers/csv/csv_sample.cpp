#include "drivers/csv/csv_sample.hpp"

#include "drivers/csv/csv_reader.hpp"
#include "drivers/csv/csv_types.hpp"
#include "drivers/driver.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace dsb::drivers::csv {

namespace {

struct ColumnStats {
  std::string name;
  CsvType type = CsvType::none;
  bool saw_empty = false;
};

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string generated_name(std::size_t index) {
  return "col" + std::to_string(index + 1);
}

std::vector<ColumnStats> columns_from_header(const std::vector<std::string>& header) {
  std::vector<ColumnStats> out;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = trimmed(header[i]);
    if (name.empty()) name = generated_name(i);
    while (!seen.insert(name).second) name += "_" + std::to_string(i + 1);
    out.push_back(ColumnStats{std::move(name), CsvType::none, false});
  }
  return out;
}

// Adds colN columns up to `count`. Columns added after rows were sampled
// were missing in those rows, so they are nullable.
void grow(std::vector<ColumnStats>& columns, std::size_t count, bool rows_before) {
  while (columns.size() < count) {
    columns.push_back(ColumnStats{generated_name(columns.size()), CsvType::none, rows_before});
  }
}

void observe(std::vector<ColumnStats>& columns, const std::vector<std::string>& row) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i >= row.size()) {
      columns[i].saw_empty = true;
      continue;
    }
    const CsvType type = classify(row[i]);
    if (type == CsvType::none) {
      columns[i].saw_empty = true;
    } else {
      columns[i].type = widen(columns[i].type, type);
    }
  }
}

}  // namespace

Result<SampledTable> sample_csv(int fd, const CsvOptions& options, const SampleLimits& limits,
                                Deadline deadline, std::string_view stage) {
  CsvReader reader(fd, options.delimiter, limits.bytes, deadline);
  std::vector<std::string> fields;
  std::vector<ColumnStats> columns;
  SampledTable out;
  bool header_pending = options.has_header;
  CsvReader::Status status = CsvReader::Status::record;
  while (out.rows_sampled < limits.rows) {
    status = reader.next(fields);
    if (status != CsvReader::Status::record) break;
    if (header_pending) {
      columns = columns_from_header(fields);
      header_pending = false;
      continue;
    }
    grow(columns, fields.size(), out.rows_sampled > 0);
    observe(columns, fields);
    ++out.rows_sampled;
  }
  if (status == CsvReader::Status::timed_out) {
    return test_failure(std::string(stage), reason::timeout,
                        "reading the file took longer than the deadline");
  }
  if (status == CsvReader::Status::failed) {
    return test_failure(std::string(stage), reason::protocol_error,
                        std::string("the file cannot be read: ") + std::strerror(reader.error()));
  }
  out.whole_file = status == CsvReader::Status::end && !reader.truncated();
  int ordinal = 0;
  for (ColumnStats& c : columns) {
    const bool nullable = c.saw_empty || out.rows_sampled == 0;
    out.columns.push_back(Column{std::move(c.name), type_name(c.type), nullable, false, ++ordinal});
  }
  return out;
}

}  // namespace dsb::drivers::csv
