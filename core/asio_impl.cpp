// The one translation unit that compiles Asio, Beast and their SSL parts
// (separate compilation keeps every other file's build short).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
