#include "drivers/csv/csv_source.hpp"

#include "drivers/driver.hpp"

namespace dsb::drivers::csv {

Result<CsvSource> open_source(const std::string& root, std::string_view relative,
                              std::string_view stage) {
  auto opened = open_under_root(root, relative, stage);
  if (!opened) return opened.error();
  CsvSource source;
  source.kind = opened->kind;
  source.relative = std::string(relative);
  if (opened->kind == PathKind::file) {
    source.files.push_back(opened->relative);
    return source;
  }
  auto files = list_csv_files(root, *opened, kMaxFiles, stage);
  if (!files) return files.error();
  source.files = std::move(*files);
  return source;
}

std::string table_name(std::string_view file) {
  const std::size_t slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  if (file.size() > 4) {
    const std::string_view ext = file.substr(file.size() - 4);
    if (ext.size() == 4 && ext[0] == '.' && (ext[1] | 0x20) == 'c' && (ext[2] | 0x20) == 's' &&
        (ext[3] | 0x20) == 'v') {
      file.remove_suffix(4);
    }
  }
  return std::string(file);
}

Result<Table> read_table(const std::string& root, const std::string& file,
                         const CsvOptions& options, const SampleLimits& limits, Deadline deadline,
                         std::string_view stage) {
  auto opened = open_under_root(root, file, stage);
  if (!opened) return opened.error();
  if (opened->kind != PathKind::file) {
    return test_failure(std::string(stage), reason::path_denied,
                        "'" + file + "' is not a regular file");
  }
  auto sampled = sample_csv(opened->fd.get(), options, limits, deadline, stage);
  if (!sampled) return sampled.error();
  return Table{kSchemaName, table_name(file), "table", std::move(sampled->columns)};
}

}  // namespace dsb::drivers::csv
