#pragma once
// How the SQLite store reports trouble with the database itself, as opposed to the input.

#include "bot/error.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

namespace scribe::storage {

// Rethrows `e` (the exception being handled) as bot::storage_unavailable when its result code
// says the database cannot work for now (full disk, read-only file, a lock held elsewhere, I/O
// errors), which callers answer with "try again later"; anything else (a constraint, a bug in
// a statement) is rethrown as it is. Call it only inside a catch handler.
[[noreturn]] inline void rethrow_storage_error(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOTADB: throw bot::storage_unavailable(std::string("the database: ") + e.what());
    default: throw;
  }
}

}  // namespace scribe::storage
