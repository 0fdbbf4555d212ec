#include "drivers/csv/csv_types.hpp"

#include <charconv>
#include <cstdint>

namespace dsb::drivers::csv {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Consumes `count` digits from the front of v into `out`.
bool take_digits(std::string_view& v, std::size_t count, int& out) {
  if (v.size() < count) return false;
  out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_digit(v[i])) return false;
    out = out * 10 + (v[i] - '0');
  }
  v.remove_prefix(count);
  return true;
}

bool take(std::string_view& v, char c) {
  if (v.empty() || v.front() != c) return false;
  v.remove_prefix(1);
  return true;
}

std::size_t digit_run(std::string_view v, std::size_t at) {
  std::size_t end = at;
  while (end < v.size() && is_digit(v[end])) ++end;
  return end - at;
}

bool is_whole_number(std::string_view v) {
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  return !v.empty() && digit_run(v, 0) == v.size();
}

// A whole number that fits in 64 bits.
bool fits_integer(std::string_view v) {
  if (v.front() == '+') v.remove_prefix(1);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  return ec == std::errc() && ptr == v.data() + v.size();
}

bool is_float(std::string_view v) {
  std::size_t at = 0;
  if (at < v.size() && (v[at] == '+' || v[at] == '-')) ++at;
  const std::size_t whole = digit_run(v, at);
  at += whole;
  std::size_t fraction = 0;
  if (at < v.size() && v[at] == '.') {
    fraction = digit_run(v, at + 1);
    at += 1 + fraction;
  }
  if (whole == 0 && fraction == 0) return false;
  if (at < v.size() && (v[at] == 'e' || v[at] == 'E')) {
    ++at;
    if (at < v.size() && (v[at] == '+' || v[at] == '-')) ++at;
    const std::size_t exponent = digit_run(v, at);
    if (exponent == 0) return false;
    at += exponent;
  }
  return at == v.size();
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// YYYY-MM-DD at the front of v.
bool take_date(std::string_view& v) {
  int year = 0, month = 0, day = 0;
  if (!take_digits(v, 4, year) || !take(v, '-') || !take_digits(v, 2, month) || !take(v, '-') ||
      !take_digits(v, 2, day)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int last = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  return day <= last;
}

// HH:MM[:SS[.fraction]]
bool take_time(std::string_view& v) {
  int hour = 0, minute = 0, second = 0;
  if (!take_digits(v, 2, hour) || !take(v, ':') || !take_digits(v, 2, minute)) return false;
  if (hour > 23 || minute > 59) return false;
  if (!take(v, ':')) return true;
  if (!take_digits(v, 2, second) || second > 60) return false;  // 60: a leap second
  if (take(v, '.')) {
    const std::size_t n = digit_run(v, 0);
    if (n == 0) return false;
    v.remove_prefix(n);
  }
  return true;
}

// Z, +HH, +HHMM or +HH:MM (or -).
bool is_zone(std::string_view v) {
  if (v.empty()) return true;
  if (v == "Z" || v == "z") return true;
  if (v.front() != '+' && v.front() != '-') return false;
  v.remove_prefix(1);
  int hours = 0, minutes = 0;
  if (!take_digits(v, 2, hours) || hours > 23) return false;
  take(v, ':');
  if (v.empty()) return true;
  return take_digits(v, 2, minutes) && minutes <= 59 && v.empty();
}

}  // namespace

CsvType classify(std::string_view value) {
  const std::string_view v = trim(value);
  if (v.empty()) return CsvType::none;
  if (iequals(v, "true") || iequals(v, "false")) return CsvType::boolean;
  // Longer whole numbers are identifiers more often than quantities: text.
  if (is_whole_number(v)) return fits_integer(v) ? CsvType::integer : CsvType::text;
  if (is_float(v)) return CsvType::floating;
  std::string_view rest = v;
  if (take_date(rest)) {
    if (rest.empty()) return CsvType::date;
    if ((rest.front() == 'T' || rest.front() == ' ') && (rest.remove_prefix(1), take_time(rest)) &&
        is_zone(rest)) {
      return CsvType::timestamp;
    }
  }
  return CsvType::text;
}

CsvType widen(CsvType a, CsvType b) {
  if (a == CsvType::none) return b;
  if (b == CsvType::none || a == b) return a;
  const auto is = [&](CsvType x, CsvType y) { return (a == x && b == y) || (a == y && b == x); };
  if (is(CsvType::integer, CsvType::floating)) return CsvType::floating;
  if (is(CsvType::date, CsvType::timestamp)) return CsvType::timestamp;
  return CsvType::text;
}

const char* type_name(CsvType type) {
  switch (type) {
    case CsvType::boolean:
      return "boolean";
    case CsvType::integer:
      return "integer";
    case CsvType::floating:
      return "float";
    case CsvType::date:
      return "date";
    case CsvType::timestamp:
      return "timestamp";
    case CsvType::none:
    case CsvType::text:
      return "text";
  }
  return "text";
}

}  // namespace dsb::drivers::csv
