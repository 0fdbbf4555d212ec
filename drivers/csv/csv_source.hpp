// What a csv datasource points at: one file, or a folder whose *.csv files
// are its tables. Resolved under the file root on every use, so a file
// replaced by an escaping symlink later is still refused.
#pragma once

#include "core/failure.hpp"
#include "drivers/csv/csv_sample.hpp"
#include "drivers/file_root.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::csv {

// The schema every csv table is listed under.
inline constexpr const char* kSchemaName = "main";
// Files of a folder read at most.
inline constexpr std::size_t kMaxFiles = 10000;

struct CsvSource {
  PathKind kind = PathKind::file;
  std::string relative;            // options.path
  std::vector<std::string> files;  // relative to the root, sorted
};

// Opens options.path (`relative`) under `root` and lists its files (blocks).
Result<CsvSource> open_source(const std::string& root, std::string_view relative,
                              std::string_view stage);

// The table name of a file: its name without the folder and the .csv ending.
std::string table_name(std::string_view file);

// The table of one file (blocks): opens it again under the root and samples it.
Result<Table> read_table(const std::string& root, const std::string& file,
                         const CsvOptions& options, const SampleLimits& limits, Deadline deadline,
                         std::string_view stage);

}  // namespace dsb::drivers::csv
