# Generates docs/openapi.yaml (YAML's JSON subset, so the server serves it as /openapi.json).
# Edit the routes here and run: python3 docs/gen_openapi.py
import json
E = {"$ref": "#/components/schemas/Error"}
def resp(desc, schema=None, headers=None):
    r = {"description": desc}
    if schema is not None: r["content"] = {"application/json": {"schema": schema}}
    if headers: r["headers"] = headers
    return r
def err(desc): return resp(desc, E)
ref = lambda n: {"$ref": "#/components/schemas/" + n}
P = lambda n, d, s={"type": "string"}, i="path", req=True: {"name": n, "in": i, "required": req, "description": d, "schema": s}
ID = P("id", "Record id")
ETAG = {"ETag": {"description": "The record version, e.g. \"v3\"", "schema": {"type": "string"}}}
IFM = P("If-Match", "Answer 412 unless the record is at this version (an ETag)", i="header", req=False)
TEST = P("test", "Test the connection and cache the schema first (default true)", {"type": "boolean"}, "query", False)
ASYNC = P("async", "Answer 202 at once with a job (see /v1/jobs and /v1/events) instead of waiting", {"type": "boolean"}, "query", False)
ACCEPTED = resp("Accepted: the work runs as a job", ref("JobAccepted"))
TMO = P("timeout_ms", "Lower the configured deadlines for this request", {"type": "integer", "minimum": 1}, "query", False)
org = [{"bearerAuth": []}]
common_err = {"401": err("Missing or bad token (AUTHENTICATION_ERROR)"), "429": err("RATE_LIMITED: over the org's request rate (Retry-After, RateLimit-* headers)"), "507": err("STORAGE_FULL: a write while the disk is below storage.min_free_mb")}
def op(summary, tag, responses, params=None, body=None, security=org, desc=None):
    merged = dict(responses)
    for code, r in (common_err if security else {}).items(): merged.setdefault(code, r)
    o = {"summary": summary, "tags": [tag], "responses": merged}
    if desc: o["description"] = desc
    if params: o["parameters"] = params
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    o["security"] = security
    return o
paths = {
 "/healthz": {"get": op("Liveness", "system", {"200": resp("Alive")}, security=[])},
 "/readyz": {"get": op("Readiness: the store is open and the server is not draining", "system", {"200": resp("Ready"), "503": resp("Not ready")}, security=[])},
 "/metrics": {"get": op("Prometheus metrics", "system", {"200": {"description": "Text exposition format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}, security=[])},
 "/openapi.json": {"get": op("This document", "system", {"200": resp("OpenAPI 3.1", {"type": "object"})}, security=[])},
 "/v1/orgs": {
   "post": op("Create an organization and its first API token (admin)", "orgs", {"201": resp("Created; the token is shown only here", ref("OrgCreated")), "400": err("Bad body"), "409": err("ORG_NAME_ERROR")}, body=ref("OrgInput")),
   "get": op("List organizations (admin)", "orgs", {"200": resp("Organizations", {"type": "object", "properties": {"items": {"type": "array", "items": ref("Org")}}})})},
 "/v1/orgs/{id}": {
   "get": op("Get an organization (admin)", "orgs", {"200": resp("The org", ref("Org")), "404": err("NOT_FOUND")}, [ID]),
   "patch": op("Change an organization's limits (admin)", "orgs", {"200": resp("The org", ref("Org")), "400": err("INVALID_REQUEST_BODY naming the limit"), "404": err("NOT_FOUND")}, [ID], {"type": "object", "required": ["limits"], "properties": {"limits": ref("Limits")}}),
   "delete": op("Delete an organization and every record of it (admin)", "orgs", {"204": resp("Deleted"), "404": err("NOT_FOUND")}, [ID])},
 "/v1/tokens": {
   "post": op("Issue an API token of the caller's org", "tokens", {"201": resp("Created; the token is shown only here", ref("TokenCreated"))}, body={"type": "object", "properties": {"name": {"type": "string"}}}),
   "get": op("List the org's tokens (never their values)", "tokens", {"200": resp("Tokens", {"type": "object", "properties": {"items": {"type": "array", "items": ref("Token")}}})})},
 "/v1/tokens/{id}": {"delete": op("Revoke a token; it stops working at once", "tokens", {"204": resp("Revoked"), "404": err("NOT_FOUND")}, [ID])},
 "/v1/types": {"get": op("The type catalogue: fields, secrets, defaults, connectable", "types", {"200": resp("Types", {"type": "object", "properties": {"items": {"type": "array", "items": ref("TypeEntry")}}})})},
 "/v1/datasources": {
   "post": op("Create a datasource: validate, test, fetch and cache the schema, store", "datasources",
      {"201": resp("Created", ref("DatasourceWithTest"), ETAG), "400": err("INVALID_REQUEST_BODY or CREDENTIAL_TEST_FAILED (with stage, reason, stages)"), "409": err("DATASOURCE_NAME_ERROR"), "500": err("SCHEMA_CACHE_FAILED"), "501": err("DRIVER_UNAVAILABLE")},
      [TEST, TMO, ASYNC], ref("DatasourceInput")),
   "get": op("List datasources (cursor pagination)", "datasources", {"200": resp("A page", ref("DatasourcePage")), "400": err("Bad limit")},
      [P("limit", "Page size, 1-500 (default 50)", {"type": "integer"}, "query", False), P("cursor", "next_cursor of the previous page", i="query", req=False), P("type", "Only this type", i="query", req=False)])},
 "/v1/datasources/test": {"post": op("Test an unsaved datasource body; stores nothing", "connection tests",
      {"200": resp("Passed", ref("TestReport")), "202": ACCEPTED, "400": err("CREDENTIAL_TEST_FAILED"), "501": err("DRIVER_UNAVAILABLE")},
      [TMO, ASYNC, P("schema", "Also fetch the schema", {"type": "boolean"}, "query", False)], ref("DatasourceInput"))},
 "/v1/datasources/{id}": {
   "get": op("Get a datasource", "datasources", {"200": resp("The datasource", ref("Datasource"), ETAG), "404": err("NOT_FOUND")}, [ID]),
   "put": op("Replace a datasource (secrets left out are kept, null clears)", "datasources", {"200": resp("Replaced", ref("DatasourceWithTest"), ETAG), "400": err("Bad body or failed test"), "404": err("NOT_FOUND"), "409": err("DATASOURCE_NAME_ERROR"), "412": err("PRECONDITION_FAILED")}, [ID, IFM, TEST, TMO], ref("DatasourceInput")),
   "patch": op("Change a datasource by JSON merge patch (RFC 7386)", "datasources", {"200": resp("Patched", ref("DatasourceWithTest"), ETAG), "400": err("Bad body or failed test"), "404": err("NOT_FOUND"), "412": err("PRECONDITION_FAILED")}, [ID, IFM, TEST, TMO], {"type": "object"}),
   "delete": op("Delete a datasource and its cached schemas", "datasources", {"204": resp("Deleted"), "404": err("NOT_FOUND"), "412": err("PRECONDITION_FAILED")}, [ID, IFM])},
 "/v1/datasources/{id}/test": {"post": op("Test a saved datasource; records status, last_tested_at, last_error", "connection tests", {"200": resp("Passed", ref("TestReport")), "202": ACCEPTED, "400": err("CREDENTIAL_TEST_FAILED"), "404": err("NOT_FOUND"), "429": err("TOO_MANY_TESTS"), "501": err("DRIVER_UNAVAILABLE")}, [ID, TMO, ASYNC])},
 "/v1/datasources/{id}/schema": {"get": op("The cached schema", "schema", {"200": resp("Schema", ref("Schema"), {"ETag": {"description": "Content hash", "schema": {"type": "string"}}}), "304": resp("Not modified (If-None-Match)"), "404": err("NOT_FOUND or SCHEMA_NOT_CACHED")}, [ID, P("schema", "Only this database schema", i="query", req=False), P("If-None-Match", "A previous ETag", i="header", req=False)])},
 "/v1/datasources/{id}/schema/refresh": {"post": op("Fetch the schema again and cache it", "schema", {"200": resp("Refreshed", ref("DatasourceWithTest")), "202": ACCEPTED, "400": err("CREDENTIAL_TEST_FAILED"), "404": err("NOT_FOUND"), "500": err("SCHEMA_CACHE_FAILED")}, [ID, TMO, ASYNC])},
 "/v1/logins": {
   "post": op("Create a reusable login", "logins", {"201": resp("Created", ref("Login")), "400": err("Bad body"), "409": err("LOGIN_NAME_ERROR")}, body=ref("LoginInput")),
   "get": op("List logins", "logins", {"200": resp("Logins", {"type": "object", "properties": {"items": {"type": "array", "items": ref("Login")}}})})},
 "/v1/logins/{id}": {
   "get": op("Get a login", "logins", {"200": resp("The login", ref("Login")), "404": err("NOT_FOUND")}, [ID]),
   "put": op("Replace a login (password left out is kept, null clears)", "logins", {"200": resp("Replaced", ref("Login")), "404": err("NOT_FOUND"), "409": err("LOGIN_NAME_ERROR")}, [ID], ref("LoginInput")),
   "patch": op("Change some fields of a login", "logins", {"200": resp("Patched", ref("Login")), "404": err("NOT_FOUND")}, [ID], ref("LoginInput")),
   "delete": op("Delete a login no datasource uses", "logins", {"204": resp("Deleted"), "404": err("NOT_FOUND"), "409": err("LOGIN_IN_USE")}, [ID])},
 "/v1/datasources/{id}/clients": {"get": op("The end customers of a tenancy datasource: TABLE rows of the mapping table, or DATABASE databases matching the pattern", "tenancy",
      {"200": resp("A page of clients", {"type": "object", "properties": {"level": {"type": "string", "enum": ["TABLE", "DATABASE"]}, "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "database": {"type": "string"}}}}, "next_offset": {"type": ["integer", "null"]}}}),
       "400": err("TENANCY_NOT_CONFIGURED or bad limit/offset"), "404": err("NOT_FOUND")},
      [ID, P("limit", "Page size (default 100)", {"type": "integer"}, "query", False), P("offset", "Rows to skip", {"type": "integer"}, "query", False)])},
 "/v1/datasources/{id}/clients/{client}/schema": {"get": op("One client's schema: its own database (DATABASE, cached per client) or the tables carrying the client column (TABLE)", "tenancy",
      {"200": resp("Schema", ref("Schema")), "404": err("NOT_FOUND, CLIENT_NOT_FOUND (also for an id of the wrong kind) or SCHEMA_NOT_CACHED")}, [ID, P("client", "Client id"), P("refresh", "Fetch again instead of serving the cache", {"type": "boolean"}, "query", False)])},
 "/v1/datasources/{id}/clients/{client}/test": {"post": op("Test the connection as this client is routed (its database, or the client-column check)", "tenancy",
      {"200": resp("Passed", ref("TestReport")), "400": err("CREDENTIAL_TEST_FAILED"), "404": err("NOT_FOUND or CLIENT_NOT_FOUND")}, [ID, P("client", "Client id"), TMO])},
 "/v1/jobs": {"get": op("The org's jobs (connection tests and schema refreshes), newest first, without their events", "jobs",
      {"200": resp("Jobs", {"type": "object", "properties": {"items": {"type": "array", "items": ref("Job")}}}), "400": err("Bad state")},
      [P("datasource", "Only this datasource's jobs", i="query", req=False), P("state", "queued, running, succeeded, failed or cancelled", i="query", req=False)])},
 "/v1/jobs/{id}": {
   "get": op("A job: state, events so far, result", "jobs", {"200": resp("The job", ref("Job")), "404": err("NOT_FOUND")}, [ID]),
   "delete": op("Cancel a running job: its driver work stops, its connections and tunnels close, the last event says cancelled", "jobs", {"200": resp("The job, cancelled", ref("Job")), "404": err("NOT_FOUND"), "409": err("JOB_FINISHED")}, [ID])},
 "/v1/events": {"get": op("WebSocket of live job events (upgrade). Send {\"subscribe\": {\"job\": ID}} | {\"datasource\": ID} | {\"org\": true}, or unsubscribe likewise. Receives event messages {job, datasource, seq, stage, status, elapsed_ms, at, detail}, then {job, state, result}; a job subscription first replays the events so far. A slow client gets {\"overflow\": true, \"job\": ID, \"missed_from_seq\": N}.", "jobs",
      {"101": resp("Switching to WebSocket"), "426": resp("Not a WebSocket upgrade")},
      [P("access_token", "The org token, for browsers (or Sec-WebSocket-Protocol: bearer.TOKEN)", i="query", req=False), P("job", "Subscribe to this job at once", i="query", req=False)])},
}


# The vendor-compatible surfaces take the shapes of ../shared/reference (maiascore,
# Databrain, MicroStrategy); their bodies are the vendors', so they are described, not
# re-specified, here.
def compat(summary, tag, codes, params=None, auth=org):
    return op(summary, tag, {k: resp(v) for k, v in codes.items()}, params, security=auth)
MS, DB, MSTR = "compat: maiascore", "compat: Databrain", "compat: MicroStrategy"
mstr = [{"mstrSession": []}]
paths.update({
 "/datasources": {"post": compat("maiascore: create a datasource (flat fields, sshTunneling, ...)", MS, {"200": "Created", "400": "Bad body"}),
                  "get": compat("maiascore: list datasources", MS, {"200": "A page"})},
 "/datasources/count": {"get": compat("maiascore: count datasources", MS, {"200": "The count"})},
 "/datasources/{id}": {"get": compat("maiascore: get one", MS, {"200": "The datasource", "404": "Not found"}, [ID]),
                       "put": compat("maiascore: update", MS, {"200": "Updated", "404": "Not found"}, [ID]),
                       "delete": compat("maiascore: delete", MS, {"200": "Deleted", "404": "Not found"}, [ID])},
 "/api/v2/datasource": {"post": compat("Databrain: create (test, fetch schema, store)", DB, {"200": "Created", "400": "CREDENTIAL_TEST_FAILED and the like"}),
                        "put": compat("Databrain: update", DB, {"200": "Updated"}),
                        "get": compat("Databrain: list", DB, {"200": "Datasources"}),
                        "delete": compat("Databrain: delete", DB, {"200": "Deleted"})},
 "/api/v2/datasource/sync": {"post": compat("Databrain: fetch the schema again", DB, {"200": "Synced"})},
 "/api/auth/login": {"post": compat("MicroStrategy: log in; answers X-MSTR-AuthToken (the org token as password)", MSTR, {"204": "Logged in", "401": "Refused"}, auth=[])},
 "/api/auth/logout": {"post": compat("MicroStrategy: end the session", MSTR, {"204": "Logged out"}, auth=mstr)},
})
for base, what in [("/api/datasources", "datasource"), ("/api/datasources/connections", "connection"), ("/api/datasources/logins", "login")]:
    paths[base] = {"post": compat("MicroStrategy: create a " + what, MSTR, {"201": "Created"}, auth=mstr),
                   "get": compat("MicroStrategy: list " + what + "s", MSTR, {"200": "Items"}, auth=mstr)}
    paths[base + "/{id}"] = {"get": compat("MicroStrategy: get a " + what, MSTR, {"200": "The " + what}, [ID], mstr),
                             "patch": compat("MicroStrategy: change a " + what + " (JSON patch operations)", MSTR, {"200": "Changed"}, [ID], mstr),
                             "delete": compat("MicroStrategy: delete a " + what, MSTR, {"204": "Deleted"}, [ID], mstr)}
paths["/api/datasources/connections/{id}/test"] = {"post": compat("MicroStrategy: test a connection", MSTR, {"204": "Passed", "400": "Failed"}, [ID], mstr)}
secret = {"type": "object", "description": "A secret is write-only: responses show only whether it is set", "properties": {"set": {"type": "boolean"}}}
schemas = {
 "Error": {"type": "object", "required": ["code", "message", "details", "request_id"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "request_id": {"type": "string"},
    "details": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "problem": {"type": "string"}}}},
    "stage": {"type": "string", "description": "Connection tests: the stage that failed"},
    "reason": {"type": "string", "enum": ["dns_failed", "connection_refused", "timeout", "tls_failed", "auth_failed", "database_not_found", "permission_denied", "egress_denied", "protocol_error", "path_denied"]},
    "stages": {"type": "array", "items": ref("Stage")}}},
 "OrgInput": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
 "Org": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "limits": {"type": "object"}}},
 "Token": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
 "TokenCreated": {"allOf": [ref("Token"), {"type": "object", "properties": {"token": {"type": "string", "description": "dsb_ + 40 characters; shown once"}}}]},
 "OrgCreated": {"type": "object", "properties": {"org": ref("Org"), "token": ref("TokenCreated")}},
 "TypeEntry": {"type": "object", "properties": {"name": {"type": "string"}, "label": {"type": "string"}, "aliases": {"type": "array", "items": {"type": "string"}}, "default_port": {"type": "integer"}, "connectable": {"type": "boolean"}, "fields": {"type": "array", "items": {"type": "object"}}}},
 "Tls": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["disable", "require", "verify-ca", "verify-full"]}, "ca": {"type": "string", "description": "PEM"}, "cert": {"type": "string", "description": "PEM"}, "key": {"description": "PEM; secret", "oneOf": [{"type": "string"}, {"type": "null"}]}}},
 "Ssh": {"type": "object", "properties": {"enabled": {"type": "boolean"}, "host": {"type": "string"}, "port": {"type": "integer"}, "username": {"type": "string"}, "password": {"type": ["string", "null"]}, "private_key": {"type": ["string", "null"]}, "passphrase": {"type": ["string", "null"]}, "host_key_fingerprint": {"type": "string", "description": "SHA256:... as ssh-keygen -lf prints it"}}},
 "Tenancy": {"type": "object", "properties": {"level": {"type": "string", "enum": ["TABLE", "DATABASE"]}, "client_column_type": {"type": "string", "enum": ["NUMBER", "STRING"]}, "schema_name": {"type": "string"}, "table_name": {"type": "string"}, "client_name_column": {"type": "string"}, "primary_key_column": {"type": "string"}, "client_column": {"type": "string"}, "database_pattern": {"type": "string"}, "client_allow_pattern": {"type": "string"}}},
 "DatasourceInput": {"type": "object", "required": ["name", "type"], "description": "Fields by type: see GET /v1/types. Unknown fields are rejected.", "properties": {
    "name": {"type": "string"}, "type": {"type": "string"}, "host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "database": {"type": "string"}, "schema": {"type": "string"}, "username": {"type": "string"}, "password": {"type": ["string", "null"]}, "login_id": {"type": "string"},
    "options": {"type": "object", "description": "Type-specific fields; options.schemas = \"public,sales,!audit\" filters the schema fetch"}, "tls": ref("Tls"), "ssh": ref("Ssh"), "tenancy": ref("Tenancy")}},
 "Datasource": {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"}, "host": {"type": "string"}, "port": {"type": "integer"}, "database": {"type": "string"}, "username": {"type": "string"},
    "password": secret, "options": {"type": "object"}, "tls": {"type": "object"}, "ssh": {"type": "object"}, "tenancy": ref("Tenancy"),
    "status": {"type": "string", "enum": ["untested", "ok", "failed"]}, "last_tested_at": {"type": ["string", "null"]}, "last_error": {"type": ["object", "null"]},
    "schema_info": {"type": ["object", "null"], "properties": {"fetched_at": {"type": "string"}, "hash": {"type": "string"}, "tables": {"type": "integer"}}},
    "version": {"type": "integer"}, "created_at": {"type": "string"}, "created_by": {"type": "string"}, "updated_at": {"type": "string"}, "updated_by": {"type": "string"}, "published_at": {"type": "string"}}},
 "Stage": {"type": "object", "properties": {"stage": {"type": "string", "enum": ["validate", "resolve", "ssh_connect", "ssh_auth", "tunnel_open", "tcp_connect", "tls_handshake", "authenticate", "probe_query", "fetch_schema", "cache_schema", "done"]}, "status": {"type": "string", "enum": ["ok", "failed", "skipped"]}, "duration_ms": {"type": "number"}, "reason": {"type": "string"}, "message": {"type": "string"}, "detail": {"type": "object"}}},
 "TestReport": {"type": "object", "properties": {"ok": {"type": "boolean"}, "duration_ms": {"type": "number"}, "stages": {"type": "array", "items": ref("Stage")}, "tables": {"type": "integer"}, "ssh_host_key_fingerprint": {"type": "string", "description": "The bastion key seen (SHA256:...), when the test went through SSH"}}},
 "DatasourceWithTest": {"allOf": [ref("Datasource"), {"type": "object", "properties": {"test": ref("TestReport")}}]},
 "DatasourcePage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Datasource")}, "next_cursor": {"type": ["string", "null"]}}},
 "Schema": {"type": "object", "properties": {"datasource_id": {"type": "string"}, "fetched_at": {"type": "string"}, "hash": {"type": "string"}, "tables": {"type": "integer"},
    "schemas": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "tables": {"type": "array", "items": {"type": "object", "properties": {
       "name": {"type": "string"}, "kind": {"type": "string", "enum": ["table", "view"]}, "columns": {"type": "array", "items": {"type": "object", "properties": {
         "name": {"type": "string"}, "type": {"type": "string"}, "nullable": {"type": "boolean"}, "primary_key": {"type": "boolean"}, "ordinal": {"type": "integer"}}}}}}}}}}}},
 "Limits": {"type": "object", "properties": {"requests_per_window": {"type": "integer", "minimum": 1}, "window_s": {"type": "integer", "minimum": 1}, "concurrent_tests": {"type": "integer", "minimum": 1}, "queued_tests": {"type": "integer", "minimum": 0}}},
 "Job": {"type": "object", "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "datasource": {"type": ["string", "null"]}, "state": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]}, "created_at": {"type": "string"}, "finished_at": {"type": ["string", "null"]}, "events": {"type": "array", "items": {"type": "object"}}, "result": {}}},
 "JobAccepted": {"type": "object", "properties": {"job": ref("Job"), "job_url": {"type": "string"}, "events_url": {"type": "string"}}},
 "LoginInput": {"type": "object", "properties": {"name": {"type": "string"}, "username": {"type": "string"}, "password": {"type": ["string", "null"]}, "description": {"type": "string"}}},
 "Login": {"type": "object", "properties": {"id": {"type": "string", "description": "32 upper-case hex characters"}, "name": {"type": "string"}, "username": {"type": "string"}, "description": {"type": "string"}, "password": secret, "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
}
doc = {"openapi": "3.1.0",
 "info": {"title": "dsbroker", "version": "0.1.0", "description": "Datasource broker for multi-tenant SaaS backends: datasources per organization, connection tests, schema cache. Organization routes take an org API token (Bearer dsb_...); /v1/orgs takes the admin token."},
 "servers": [{"url": "http://127.0.0.1:8080"}],
 "paths": paths,
 "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}, "mstrSession": {"type": "apiKey", "in": "header", "name": "X-MSTR-AuthToken"}}}}
open(__import__('os').path.join(__import__('os').path.dirname(__file__), 'openapi.yaml'), 'w').write(json.dumps(doc, indent=2) + "\n")
