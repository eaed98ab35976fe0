// Result<T>: the error channel of every function that touches the system.
//
// Exceptions are reserved for the CLI boundary; everything below it returns a Result, so a
// failure carries what failed and what to do about it up to the one place that prints it.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace aurora {

// What kind of failure this is decides the process exit code at the CLI boundary:
// bad input (a malformed file, an unknown pid or cgroup) exits 2, everything else exits 1.
enum class ErrorKind {
  kRuntime,      // the system refused or failed something that should have worked
  kBadInput,     // the user or a file gave us something malformed
  kNotFound,     // a pid, cgroup, container or file named by the user does not exist
  kPermission,   // missing root or a capability
  kUnsupported,  // the kernel or machine lacks a feature
};

struct Error {
  ErrorKind kind = ErrorKind::kRuntime;
  std::string message;  // names the thing that failed and, where possible, what to do
};

template <class T>
using Result = tl::expected<T, Error>;

// Shorthand: `return fail(ErrorKind::kBadInput, "...")` from a function returning Result<T>.
inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

// Exit code the CLI uses for an error of this kind: 2 for bad usage or bad input, else 1.
int exit_code_for(ErrorKind kind);

}  // namespace aurora
