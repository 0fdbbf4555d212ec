// Reading an SQLite database's tables, views and columns (blocks: run it on
// the blocking pool).
#pragma once

#include "core/failure.hpp"
#include "drivers/schema.hpp"
#include "drivers/sqlite/sqlite_db.hpp"

#include <vector>

namespace dsb::drivers::sqlite {

// The schema every object is listed under (SQLite's name for the main file).
inline constexpr const char* kSchemaName = "main";

// Tables and views from sqlite_schema (sqlite_master before 3.33), internal
// sqlite_* tables left out, with their columns from pragma_table_info in one
// joined query: declared type as written, nullable unless declared NOT NULL
// (an INTEGER PRIMARY KEY, the rowid, is never null), primary key from the
// pk position. When that query fails (a view whose tables are gone), columns
// are read object by object and a broken view is listed without columns.
Result<std::vector<Table>> read_catalog(SqliteDb& db, Deadline deadline);

}  // namespace dsb::drivers::sqlite
