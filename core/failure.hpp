// Expected failures travel as values: a Failure carries the HTTP status, a
// stable code, a message safe to show, and the fields at fault.
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <utility>
#include <vector>

namespace dsb {

struct FieldProblem {
  std::string field;
  std::string problem;
};

struct Failure {
  int status = 500;
  std::string code;
  std::string message;
  std::vector<FieldProblem> details;
  // Connection tests say where and why they failed.
  std::string stage;
  std::string reason;
  // More members for the error body (e.g. the stages a failed test ran).
  boost::json::object extra;
};

template <class T>
using Result = boost::system::result<T, Failure>;

// Wraps a value whose type converts ambiguously (bool) into a Result.
template <class T>
Result<T> ok(T value) {
  return Result<T>(boost::system::in_place_value, std::move(value));
}

inline Failure fail(int status, std::string code, std::string message) {
  return Failure{status, std::move(code), std::move(message), {}, {}, {}, {}};
}

inline Failure invalid_body(std::vector<FieldProblem> details,
                            std::string message = "the request body is invalid") {
  Failure f = fail(400, "INVALID_REQUEST_BODY", std::move(message));
  f.details = std::move(details);
  return f;
}

inline Failure internal_error(std::string message) {
  return fail(500, "INTERNAL_SERVER_ERROR", std::move(message));
}

// Called by Result::value() on a failure; a bug, so it throws.
[[noreturn]] void throw_exception_from_error(const Failure& f, const boost::source_location& loc);

}  // namespace dsb
