// Dotted paths into nested JSON objects: "ssh.private_key".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace dsb {

// The value at `path`, or nullptr when any part is absent or not an object.
const boost::json::value* find_path(const boost::json::object& root, std::string_view path);

// Sets `path`, creating intermediate objects (replacing non-objects).
void set_path(boost::json::object& root, std::string_view path, boost::json::value v);

// Removes `path`; true when something was removed.
bool erase_path(boost::json::object& root, std::string_view path);

// RFC 7386 JSON merge patch applied to `target`.
void merge_patch(boost::json::object& target, const boost::json::object& patch);

}  // namespace dsb
