// Inferring a column type from sampled CSV values: integer, float, boolean,
// date, timestamp or text, the narrowest that every non-empty value fits.
#pragma once

#include <string_view>

namespace dsb::drivers::csv {

enum class CsvType { none, boolean, integer, floating, date, timestamp, text };

// The narrowest type of one value (ASCII blanks around it ignored); none for
// an empty value.
//   boolean    true / false (any case)
//   integer    [+-]digits, fitting in 64 bits (longer ones: text)
//   floating   [+-]digits[.digits][e[+-]digits], or .digits
//   date       YYYY-MM-DD (a real calendar day)
//   timestamp  a date, then T or a space, HH:MM[:SS[.fraction]], then
//              optionally Z or +HH[:MM] / -HH[:MM]
CsvType classify(std::string_view value);

// The type both values fit: integer and floating widen to floating, date and
// timestamp to timestamp, anything else mixed to text.
CsvType widen(CsvType a, CsvType b);

// "integer", "float", "boolean", "date", "timestamp" or "text" (none: text).
const char* type_name(CsvType type);

}  // namespace dsb::drivers::csv
