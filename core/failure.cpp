#include "core/failure.hpp"

#include <stdexcept>

namespace dsb {

void throw_exception_from_error(const Failure& f, const boost::source_location& loc) {
  throw std::logic_error("unchecked failure " + f.code + ": " + f.message + " at " +
                         loc.file_name() + ":" + std::to_string(loc.line()));
}

}  // namespace dsb
