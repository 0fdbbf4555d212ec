// UTF-8 validation for decoded form and XML text: JSON strings must be UTF-8.
#pragma once

#include <string_view>

namespace dsb::server::codecs {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace dsb::server::codecs
