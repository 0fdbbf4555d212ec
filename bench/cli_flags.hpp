// The command line of a bench tool: "--flag value" pairs, --help, and the
// usage text with every mistake (exit status 2).
#pragma once

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace dsb::bench {

class CliFlags {
 public:
  CliFlags(const char* program, const char* usage) : program_(program), usage_(usage) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::cerr << program_ << ": " << what << "\n\n" << usage_;
    std::exit(2);
  }

  // A non-negative decimal number (durations may be fractional).
  double number(const std::string& flag, const std::string& v) const {
    try {
      std::size_t used = 0;
      const double d = std::stod(v, &used);
      if (used != v.size() || d < 0) throw std::invalid_argument(v);
      return d;
    } catch (const std::exception&) {
      fail(flag + " needs a non-negative number, not '" + v + "'");
    }
  }

  // A non-negative integer.
  long integer(const std::string& flag, const std::string& v) const {
    try {
      std::size_t used = 0;
      const long n = std::stol(v, &used);
      if (used != v.size() || n < 0) throw std::invalid_argument(v);
      return n;
    } catch (const std::exception&) {
      fail(flag + " needs a non-negative integer, not '" + v + "'");
    }
  }

  // Hands each "--flag value" pair to `apply(flag, value)`, which returns
  // false for a flag it does not know. --help / -h prints the usage, exit 0.
  template <class Apply>
  void parse(int argc, char** argv, Apply apply) const {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--help" || flag == "-h") {
        std::cout << usage_;
        std::exit(0);
      }
      if (i + 1 >= argc) fail(flag + " needs a value");
      if (!apply(flag, std::string(argv[++i]))) fail("unknown option " + flag);
    }
  }

 private:
  const char* program_;
  const char* usage_;
};

}  // namespace dsb::bench
