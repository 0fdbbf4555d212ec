// The example requests and responses of the vendor documents in
// shared/reference/, verbatim: the tests replay the requests (pointed at
// the test servers) and compare each answer's shape with the response.
#pragma once

namespace dsb::test::doc {

// 000_d69ce7fd423d10b3.txt: POST /datasources, request (with the audit fields).
inline constexpr const char* kMaiascore000Request = R"({
  "driver": "mysql",
  "host": "string",
  "username": "string",
  "password": "string",
  "database": "string",
  "port": "string",
  "ssl": true,
  "keyfile": "string",
  "certificate": "string",
  "sslCA": "string",
  "ssh": true,
  "sshHost": "string",
  "sshUsername": "string",
  "sshPassword": "string",
  "sshPort": "string",
  "sshIdentity": "string",
  "sshTunneling": true,
  "published_at": "2019-08-24T14:15:22Z",
  "created_by": "string",
  "updated_by": "string"
})";

// 000: the 200 response (no created_by/updated_by there).
inline constexpr const char* kMaiascore000Response = R"({
  "id": "string",
  "driver": "mysql",
  "host": "string",
  "username": "string",
  "password": "string",
  "database": "string",
  "port": "string",
  "ssl": true,
  "keyfile": "string",
  "certificate": "string",
  "sslCA": "string",
  "ssh": true,
  "sshHost": "string",
  "sshUsername": "string",
  "sshPassword": "string",
  "sshPort": "string",
  "sshIdentity": "string",
  "sshTunneling": true,
  "published_at": "2019-08-24T14:15:22Z"
})";

// 001 (POST) and 003 (PUT): the application/json and x-www-form-urlencoded request.
inline constexpr const char* kMaiascoreRequest = R"({
  "driver": "mysql",
  "host": "string",
  "username": "string",
  "password": "string",
  "database": "string",
  "port": "string",
  "ssl": true,
  "keyfile": "string",
  "certificate": "string",
  "sslCA": "string",
  "ssh": true,
  "sshHost": "string",
  "sshUsername": "string",
  "sshPassword": "string",
  "sshPort": "string",
  "sshIdentity": "string",
  "sshTunneling": true
})";

// 001 and 003: the application/xml request.
inline constexpr const char* kMaiascoreXmlRequest = R"(<?xml version="1.0" encoding="utf-8"?>
<item>
  <driver>mysql</driver>
  <host>string</host>
  <username>string</username>
  <password>string</password>
  <database>string</database>
  <port>string</port>
  <ssl>true</ssl>
  <keyfile>string</keyfile>
  <certificate>string</certificate>
  <sslCA>string</sslCA>
  <ssh>true</ssh>
  <sshHost>string</sshHost>
  <sshUsername>string</sshUsername>
  <sshPassword>string</sshPassword>
  <sshPort>string</sshPort>
  <sshIdentity>string</sshIdentity>
  <sshTunneling>true</sshTunneling>
</item>)";

// 001 and 003: the curl --data, sent with content-type application/x-www-form-urlencoded.
inline constexpr const char* kMaiascoreCurlData =
    R"({"driver":"mysql","host":"string","username":"string","password":"string","database":"string","port":"string","ssl":true,"keyfile":"string","certificate":"string","sslCA":"string","ssh":true,"sshHost":"string","sshUsername":"string","sshPassword":"string","sshPort":"string","sshIdentity":"string","sshTunneling":true})";

// 001 and 003: the 200 response.
inline constexpr const char* kMaiascoreResponse = R"({
  "id": "string",
  "driver": "mysql",
  "host": "string",
  "username": "string",
  "password": "string",
  "database": "string",
  "port": "string",
  "ssl": true,
  "keyfile": "string",
  "certificate": "string",
  "sslCA": "string",
  "ssh": true,
  "sshHost": "string",
  "sshUsername": "string",
  "sshPassword": "string",
  "sshPort": "string",
  "sshIdentity": "string",
  "sshTunneling": true,
  "published_at": "2019-08-24T14:15:22Z",
  "created_by": "string",
  "updated_by": "string"
})";

// 001 and 003: the 403, 404 and default error bodies.
inline constexpr const char* kMaiascoreError = R"({
  "code": 500,
  "message": "Error - Server Error"
})";

// 002_a9fc282d46e25705.txt: POST /api/v2/datasource.
inline constexpr const char* kDatabrainRequest = R"({
"datasourceType": "postgres",
"credentials": {
"name": "production-postgres",
"host": "db.example.com",
"port": 5432,
"username": "dbuser",
"password": "securepassword",
"database": "analytics",
"schema": "public"
}
})";
inline constexpr const char* kDatabrainResponse = R"({
"name": "production-postgres"
})";

// 004_d16060a2464fea39.txt: the three steps.
inline constexpr const char* kMstrLoginRequest = R"({
  "name": "Test_Snow_Login",
  "password": "mstr",
  "username": "mstr",
  "description": ""
})";
inline constexpr const char* kMstrLoginResponse = R"({
  "name": "Test_Snow_Login",
  "id": "34B407AA6B43C17B8286A3AEEA775DB3",
  "description": "",
  "dateCreated": "2021-08-04T15:44:35.000+0000",
  "dateModified": "2021-08-04T15:44:35.000+0000",
  "acg": 255,
  "username": "mstr"
})";
inline constexpr const char* kMstrConnectionRequest = R"({
    "name": "Test_Snow_Connection",
    "description": "",
    "executionMode": "synchronous",
    "maxCancelAttemptTime": 60,
    "maxQueryExeTime": 0,
    "maxConnectionAttemptTime": 60,
    "connectionLifetime": 36000,
    "connectionIdleTimeout": 60000,
    "charEncodingWindows": "multibyte",
    "charEncodingUnix": "utf8",
    "tablePrefix": "",
    "connectionString": "DSN=SNOWFLAKE_DSN",
    "parameterizedQueries": true,
    "extendedFetch": false,
    "database": {
        "login": {
            "id": "34B407AA6B43C17B8286A3AEEA775DB3",
            "name": "Test_snow_login"
        },
        "type": "snow_flake",
        "version": "snowflake_1x"

    },
    "driverType": "odbc",
    "oauthParameter": ""
})";
inline constexpr const char* kMstrConnectionResponse = R"({
  "name": "Test_Snow_Connection",
  "id": "CDCBE48C1342CBC68FCE4393AF33A1CC",
  "description": "",
  "acg": 0,
  "executionMode": "synchronous",
  "maxCancelAttemptTime": 60,
  "maxQueryExeTime": 0,
  "maxConnectionAttemptTime": 60,
  "connectionLifetime": 36000,
  "connectionIdleTimeout": 60000,
  "charEncodingWindows": "multibyte",
  "charEncodingUnix": "utf8",
  "tablePrefix": "",
  "connectionString": "DSN=SNOWFLAKE_DSN",
  "parameterizedQueries": true,
  "extendedFetch": false,
  "database": {
    "login": {
      "id": "34B407AA6B43C17B8286A3AEEA775DB3",
      "name": "Test_Snow_Login"
    },
    "type": "snow_flake",
    "version": "snowflake_1x"
  },
  "driverType": "odbc",
  "oauthParameter": ""
})";
inline constexpr const char* kMstrDatasourceRequest = R"({
    "name": "Test_Snow_Source",
    "description": "",
    "datasourceType": "normal",
    "database": {
        "connection": {
            "id": "{{connectionId}}"
        }
    },
    "tablePrefix": "",
    "odbcVersion": "version3x",
    "intermediateStoreDbName": "",
    "intermediateStoreTableSpaceName": "",
    "dbms": {
        "id": "86AC7FD44D2B4B0FB65AE948EF19BDD0"
    }
})";
inline constexpr const char* kMstrDatasourceResponse = R"({
  "id": "604F7EB2AF4E8CCB93F0C48071A3F466",
  "name": "Test_Snow_Source",
  "description": "",
  "dateCreated": "2021-08-03T20:58:56.000+0000",
  "dateModified": "2021-08-03T20:58:56.000+0000",
  "acg": 255,
  "datasourceType": "normal",
  "database": {
    "type": "snow_flake",
    "version": "snowflake_1x",
    "connection": {
      "name": "Test_Snow_Connection",
      "id": "1E6897CFC14887C5A1B7D19E0D023DDF",
      "isEmbedded": false
    }
  },
  "tablePrefix": "",
  "odbcVersion": "version3x",
  "intermediateStoreDbName": "",
  "intermediateStoreTableSpaceName": "",
  "dbms": {
    "name": "Snowflake",
    "id": "86AC7FD44D2B4B0FB65AE948EF19BDD0"
  },
  "owner": {
    "name": "MSTR User",
    "id": "7FC05A65473CE2FD845CE6A1D3F13233"
  }
})";

}  // namespace dsb::test::doc
