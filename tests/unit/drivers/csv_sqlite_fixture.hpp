// Shared by the csv and sqlite driver unit tests: a private file root (and a
// folder beside it, outside the root) in a fresh temp directory, files
// written into it, and running driver coroutines to completion.
#pragma once

#include "drivers/driver.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace dsb::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs `task` on a fresh io_context (this thread) until it finishes.
template <class T>
T run_task(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// One line per table ("schema.name kind") and per column
// ("  ordinal name type [not null] [pk]").
inline std::string describe(const std::vector<drivers::Table>& tables) {
  std::string out;
  for (const auto& t : tables) {
    out += t.schema + "." + t.name + " " + t.kind + "\n";
    for (const auto& c : t.columns) {
      out += "  " + std::to_string(c.ordinal) + " " + c.name + " " + c.type;
      if (!c.nullable) out += " not null";
      if (c.primary_key) out += " pk";
      out += "\n";
    }
  }
  return out;
}

class FileRootTest : public ::testing::Test {
 protected:
  using Session = std::unique_ptr<drivers::DriverSession>;

  FileRootTest() {
    std::string pattern = (fs::temp_directory_path() / "dsb-files-XXXXXX").string();
    base_ = mkdtemp(pattern.data());
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    fs::create_directories(root_);
    fs::create_directories(outside_);
  }
  ~FileRootTest() override {
    std::error_code ignored;
    fs::remove_all(base_, ignored);
  }

  // Writes `content` to root/relative (folders made as needed).
  fs::path write(const std::string& relative, const std::string& content) const {
    return write_at(root_ / relative, content);
  }
  static fs::path write_at(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  drivers::ConnectionSpec spec(const std::string& type, const std::string& path) const {
    drivers::ConnectionSpec s;
    s.type = type;
    s.file_root = root_.string();
    s.options["path"] = path;
    return s;
  }

  static drivers::ConnectTarget target(drivers::ConnectionSpec s) {
    const auto now = drivers::Clock::now();
    return drivers::ConnectTarget{std::move(s), {}, 0, now + 10s, now + 20s};
  }

  static drivers::Deadline soon() { return drivers::Clock::now() + 20s; }

  static std::vector<std::string> trail(const drivers::StageReporter& reporter) {
    std::vector<std::string> out;
    for (const auto& s : reporter.stages()) out.push_back(s.stage + ":" + s.status);
    return out;
  }

  Result<Session> connect(drivers::Driver& driver, const drivers::ConnectionSpec& s,
                          drivers::StageReporter& reporter) {
    return run_task(driver.connect(target(s), reporter));
  }
  Result<Session> connect(drivers::Driver& driver, const drivers::ConnectionSpec& s) {
    drivers::StageReporter reporter;
    return connect(driver, s, reporter);
  }

  Result<drivers::SchemaSnapshot> schema(drivers::DriverSession& session,
                                         drivers::SchemaFilter filter = {}) {
    drivers::StageReporter reporter;
    return run_task(session.fetch_schema(filter, reporter, soon()));
  }

  fs::path base_;
  fs::path root_;
  fs::path outside_;
};

}  // namespace dsb::test
