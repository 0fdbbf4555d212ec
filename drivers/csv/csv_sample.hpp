// The columns of one CSV file, from its header and a bounded sample of rows.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/schema.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace dsb::drivers::csv {

struct CsvOptions {
  char delimiter = ',';
  bool has_header = true;
};

// How much of a file type inference reads: the first `rows` data rows, and
// never more than `bytes` bytes, so a file of any size is sampled quickly.
struct SampleLimits {
  std::size_t rows = 1000;
  std::size_t bytes = 8 * 1024 * 1024;
};

struct SampledTable {
  std::vector<Column> columns;
  std::size_t rows_sampled = 0;
  bool whole_file = false;  // every row was read
};

// Reads the header and sample of the file open at `fd` (from its current
// offset). Columns are named from the header (blank names become colN, a
// repeated name gets _N appended, N the 1-based position) or col1..colN
// without one; fields beyond the header add colN columns. Each column's type
// is the narrowest that all its non-empty sampled values fit (text when there
// are none); it is nullable when a sampled row leaves it empty or has no
// value for it, or when no row was sampled. An empty file has no columns.
// Fails with `timeout` at the deadline and `protocol_error` when reading fails.
Result<SampledTable> sample_csv(int fd, const CsvOptions& options, const SampleLimits& limits,
                                Deadline deadline, std::string_view stage);

}  // namespace dsb::drivers::csv
