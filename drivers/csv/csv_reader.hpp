// Reading CSV records from a file descriptor (RFC 4180 and the usual
// deviations): quoted fields with doubled quotes, delimiters and line breaks
// inside quotes, LF, CRLF or lone CR line ends, a UTF-8 byte order mark, any
// one-byte delimiter. Blank lines are skipped. Reads block: run it on the
// blocking pool.
#pragma once

#include "drivers/connection_spec.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace dsb::drivers::csv {

class CsvReader {
 public:
  enum class Status {
    record,     // `fields` holds the next record
    end,        // no more records (end of file, or the byte budget is spent)
    timed_out,  // the deadline passed
    failed,     // read() failed; error() says why
  };

  // Reads at most `max_bytes` of `fd` (not owned); a record cut by that
  // budget is not returned.
  CsvReader(int fd, char delimiter, std::size_t max_bytes, Deadline deadline);

  Status next(std::vector<std::string>& fields);

  int error() const { return error_; }
  // Whether reading stopped at the byte budget before the end of the file.
  bool truncated() const { return truncated_; }

 private:
  // The next byte, or -1 at the end of the input (or of the budget).
  int get();
  int peek();
  bool fill();
  bool read_record(std::vector<std::string>& fields);
  void read_quoted(std::string& field);

  static constexpr std::size_t kChunk = 64 * 1024;

  int fd_;
  char delimiter_;
  std::size_t budget_;
  Deadline deadline_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
  bool started_ = false;
  bool truncated_ = false;
  bool timed_out_ = false;
  int error_ = 0;
};

}  // namespace dsb::drivers::csv
