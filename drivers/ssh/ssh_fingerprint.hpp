// SSH host key fingerprints in the form `ssh-keygen -lf` prints them:
// "SHA256:" followed by the unpadded base64 of the SHA-256 of the key blob.
#pragma once

#include <string>
#include <string_view>

namespace dsb::drivers::ssh {

// The fingerprint of a 32-byte SHA-256 digest (libssh2_hostkey_hash).
std::string fingerprint_from_sha256(const unsigned char* digest);

// True when `pin` (as a user wrote it: surrounding spaces and base64 padding
// tolerated) names `fingerprint`.
bool fingerprint_matches(std::string_view pin, std::string_view fingerprint);

}  // namespace dsb::drivers::ssh
