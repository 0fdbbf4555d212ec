#include "drivers/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace dsb::drivers::sqlite {

namespace {

// Virtual machine steps between deadline checks.
constexpr int kProgressSteps = 1000;

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

const char* reason_of(int code) {
  switch (code & 0xff) {
    case SQLITE_INTERRUPT:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return reason::timeout;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return reason::permission_denied;
    default:
      return reason::protocol_error;  // NOTADB, CORRUPT, SQL errors, ...
  }
}

int busy_ms(Deadline deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

bool only_blanks(const char* text) {
  for (; text != nullptr && *text != '\0'; ++text) {
    if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r' && *text != ';')
      return false;
  }
  return true;
}

std::optional<std::string> column_value(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
  const void* data = sqlite3_column_type(stmt, i) == SQLITE_BLOB ? sqlite3_column_blob(stmt, i)
                                                                 : sqlite3_column_text(stmt, i);
  const int size = sqlite3_column_bytes(stmt, i);
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

SqliteDb::SqliteDb(sqlite3* db, std::string shown_path)
    : db_(db), shown_path_(std::move(shown_path)) {
  sqlite3_progress_handler(db_, kProgressSteps, &SqliteDb::on_progress, this);
}

SqliteDb::~SqliteDb() {
  sqlite3_close_v2(db_);
}

int SqliteDb::on_progress(void* self) {
  return Clock::now() >= static_cast<SqliteDb*>(self)->deadline_ ? 1 : 0;
}

Failure SqliteDb::failure(std::string_view stage, int code) const {
  std::string message = "'" + shown_path_ + "': ";
  if ((code & 0xff) == SQLITE_INTERRUPT) {
    message += "the statement ran past the deadline";
  } else if ((code & 0xff) == SQLITE_NOTADB) {
    message += "is not an SQLite database (" + std::string(sqlite3_errmsg(db_)) + ")";
  } else {
    message += sqlite3_errmsg(db_);
  }
  return test_failure(std::string(stage), reason_of(code), std::move(message));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& real_path,
                                                 std::string shown_path, Deadline deadline,
                                                 std::string_view stage) {
  sqlite3* raw = nullptr;
  // READONLY without CREATE: a missing file is an error, never created.
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX;
#ifdef SQLITE_OPEN_NOFOLLOW
  flags |= SQLITE_OPEN_NOFOLLOW;  // the path has no symlinks left; none may appear
#endif
  const int rc = sqlite3_open_v2(real_path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, std::move(shown_path)));
  if (rc != SQLITE_OK) return db->failure(stage, rc);
  // The file is untrusted: no extensions, no schema-defined side effects.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  auto checked = db->query("SELECT count(*) FROM sqlite_master", {}, deadline, stage);
  if (!checked) return checked.error();
  return db;
}

Result<Rows> SqliteDb::query(std::string_view sql, const Params& params, Deadline deadline,
                             std::string_view stage) {
  std::lock_guard lock(mutex_);
  deadline_ = deadline;
  if (Clock::now() >= deadline) return failure(stage, SQLITE_INTERRUPT);
  sqlite3_busy_timeout(db_, busy_ms(deadline));
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return failure(stage, rc);
  if (!stmt) return test_failure(std::string(stage), reason::protocol_error, "the query is empty");
  if (tail != nullptr && tail < sql.data() + sql.size() &&
      !only_blanks(std::string(tail, sql.data() + sql.size()).c_str())) {
    return test_failure(std::string(stage), reason::protocol_error,
                        "one statement per query: the text after the first is not run");
  }
  if (sqlite3_bind_parameter_count(stmt.get()) != static_cast<int>(params.size())) {
    return test_failure(
        std::string(stage), reason::protocol_error,
        "the query has " + std::to_string(sqlite3_bind_parameter_count(stmt.get())) +
            " placeholders but " + std::to_string(params.size()) + " parameters were given");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    rc = params[i] ? sqlite3_bind_text(stmt.get(), index, params[i]->data(),
                                       static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt.get(), index);
    if (rc != SQLITE_OK) return failure(stage, rc);
  }
  Rows out;
  const int columns = sqlite3_column_count(stmt.get());
  for (int i = 0; i < columns; ++i) out.columns.emplace_back(sqlite3_column_name(stmt.get(), i));
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    Row row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) row.push_back(column_value(stmt.get(), i));
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return failure(stage, rc);
  return out;
}

}  // namespace dsb::drivers::sqlite
