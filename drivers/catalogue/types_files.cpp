// File-backed types: awss3 (objects in a bucket), csv and sqlite (files
// under the server's file root, read by the csv and sqlite drivers).
#include "drivers/catalogue/catalogue_internal.hpp"

namespace dsb::drivers::catalogue {
namespace {

// ---- awss3 ----

void check_awss3(const json::object& body, const ValidationContext&, Problems& p) {
  check_aws_region(body, "options.region", p);
  check_s3_bucket(body, "options.bucket", p);
}

TypeDef awss3() {
  TypeEntry e;
  e.name = "awss3";
  e.label = "Amazon S3";
  e.default_port = 443;
  e.fields = {option("region", "AWS region of the bucket, e.g. us-east-1", true),
              option("bucket", "Bucket name", true),
              option("path", "Object key or key prefix inside the bucket"),
              option("access_key_id", "AWS access key id", true),
              secret_option("secret_access_key", "AWS secret access key", true),
              enum_option("object_type", {"File", "Folder"},
                          "Whether options.path names one object (File) or a prefix (Folder)")};
  return {std::move(e), plain_rules(check_awss3)};
}

// ---- csv and sqlite: relative paths, checked again by the driver when opening ----

void check_csv(const json::object& body, const ValidationContext& ctx, Problems& p) {
  check_relative_path(body, "options.path", ctx, p);
  check_single_char(body, "options.delimiter", p);
}

void check_sqlite(const json::object& body, const ValidationContext& ctx, Problems& p) {
  check_relative_path(body, "options.path", ctx, p);
}

TypeDef csv() {
  TypeEntry e;
  e.name = "csv";
  e.label = "CSV files";
  e.family = "csv";
  e.connectable = true;
  e.fields = {option("path", "File or folder relative to the server's file root", true),
              option("delimiter", "Field separator, one character"),
              bool_option("has_header", "Whether the first line holds column names", true)};
  e.fields[1].default_value = "\",\"";
  return {std::move(e), plain_rules(check_csv)};
}

TypeDef sqlite() {
  TypeEntry e;
  e.name = "sqlite";
  e.label = "SQLite";
  e.family = "sqlite";
  e.connectable = true;
  e.fields = {option("path", "Database file relative to the server's file root", true)};
  return {std::move(e), sql_rules(check_sqlite)};
}

}  // namespace

std::vector<TypeDef> file_types() {
  std::vector<TypeDef> t;
  t.push_back(awss3());
  t.push_back(csv());
  t.push_back(sqlite());
  return t;
}

}  // namespace dsb::drivers::catalogue
