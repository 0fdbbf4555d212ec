#include "drivers/csv/csv_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace dsb::drivers::csv {

CsvReader::CsvReader(int fd, char delimiter, std::size_t max_bytes, Deadline deadline)
    : fd_(fd), delimiter_(delimiter), budget_(max_bytes), deadline_(deadline), buf_(kChunk) {}

bool CsvReader::fill() {
  if (eof_) return false;
  if (Clock::now() >= deadline_) {
    timed_out_ = eof_ = true;
    return false;
  }
  if (budget_ == 0) {
    // One byte more tells whether the file really ends here.
    char probe = 0;
    ssize_t n = 0;
    do n = ::read(fd_, &probe, 1);
    while (n < 0 && errno == EINTR);
    truncated_ = n > 0;
    eof_ = true;
    return false;
  }
  const std::size_t want = std::min(buf_.size(), budget_);
  ssize_t n = 0;
  do n = ::read(fd_, buf_.data(), want);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (n < 0) error_ = errno;
    eof_ = true;
    return false;
  }
  pos_ = 0;
  len_ = static_cast<std::size_t>(n);
  budget_ -= len_;
  return true;
}

int CsvReader::peek() {
  if (pos_ == len_ && !fill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

int CsvReader::get() {
  const int c = peek();
  if (c >= 0) ++pos_;
  return c;
}

// After the opening quote: up to the closing one ("" is a quote), then any
// stray characters up to the delimiter or line end, kept as they are.
void CsvReader::read_quoted(std::string& field) {
  for (;;) {
    const int c = get();
    if (c < 0) return;  // unterminated: the field runs to the end
    if (c != '"') {
      field += static_cast<char>(c);
      continue;
    }
    if (peek() == '"') {
      field += static_cast<char>(get());
      continue;
    }
    break;
  }
  for (int c = peek(); c >= 0 && c != delimiter_ && c != '\n' && c != '\r'; c = peek()) {
    field += static_cast<char>(get());
  }
}

// One record; false when the input ended before it began.
bool CsvReader::read_record(std::vector<std::string>& fields) {
  fields.clear();
  int c = peek();
  while (c == '\n' || c == '\r') {  // blank lines
    get();
    c = peek();
  }
  if (c < 0) return false;
  std::string field;
  for (;;) {
    c = peek();
    if (c == '"' && field.empty()) {
      get();
      read_quoted(field);
      continue;
    }
    if (c < 0 || c == '\n' || c == '\r') {
      get();
      if (c == '\r' && peek() == '\n') get();
      fields.push_back(std::move(field));
      return true;
    }
    get();
    if (c == delimiter_) {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += static_cast<char>(c);
    }
  }
}

CsvReader::Status CsvReader::next(std::vector<std::string>& fields) {
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark.
    if (peek() == 0xEF && len_ - pos_ >= 3 && static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
        static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
      pos_ += 3;
    }
  }
  const bool got = read_record(fields);
  if (timed_out_) return Status::timed_out;
  if (error_ != 0) return Status::failed;
  // A record the byte budget cut short is incomplete: drop it.
  if (got && eof_ && truncated_) return Status::end;
  if (!got) return Status::end;
  return Status::record;
}

}  // namespace dsb::drivers::csv
