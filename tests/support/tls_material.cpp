#include "tests/support/tls_material.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace dsb::test {

TlsMaterial make_tls_material(const std::string& dir) {
  {
    std::ofstream ext(dir + "/server.ext");
    ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
           "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n";
  }
  const std::string script =
      "set -e; cd '" + dir +
      "'; "
      "openssl req -x509 -new -nodes -newkey rsa:2048 -keyout ca.key -out ca.crt -days 30 "
      "-subj '/CN=dsbroker test CA' -addext 'basicConstraints=critical,CA:TRUE' "
      "-addext 'keyUsage=critical,keyCertSign,cRLSign'; "
      "openssl req -new -nodes -newkey rsa:2048 -keyout server.key -out server.csr "
      "-subj '/CN=localhost'; "
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
      "-days 30 -extfile server.ext; "
      "chmod 600 ca.key server.key";
  const std::string cmd = "sh -c \"" + script + "\" >'" + dir + "/openssl.log' 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "openssl failed; see " << dir << "/openssl.log";
    return {};
  }
  return {dir + "/ca.crt", dir + "/server.crt", dir + "/server.key"};
}

}  // namespace dsb::test
