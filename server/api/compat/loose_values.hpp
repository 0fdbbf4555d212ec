// Reading fields of bodies whose formats carry every scalar as text (XML,
// forms) or whose vendors send numbers as strings ("port": "5432").
// Problems are appended under the field's own name.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server::api::compat {

// true/false, or the text "true"/"false"/"1"/"0" (any case). nullopt when
// absent, null or "".
std::optional<bool> loose_bool(const boost::json::object& o, std::string_view key,
                               std::vector<FieldProblem>& problems);

// An integer, or its decimal text. nullopt when absent, null or "".
// `port` limits it to 1-65535.
std::optional<std::int64_t> loose_int(const boost::json::object& o, std::string_view key,
                                      std::vector<FieldProblem>& problems, bool port = false);

// A string; nullopt when absent or null, and when "" if `empty_is_absent`.
std::optional<std::string> loose_string(const boost::json::object& o, std::string_view key,
                                        std::vector<FieldProblem>& problems,
                                        bool empty_is_absent = false);

// "message: field: problem; field: problem" for a body without a details array.
std::string with_details(const Failure& f,
                         const std::function<std::string(std::string_view)>& rename = {});

}  // namespace dsb::server::api::compat
