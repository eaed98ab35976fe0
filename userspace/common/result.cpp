#include "aurora/result.hpp"

namespace aurora {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadInput:
    case ErrorKind::kNotFound:
      return 2;
    case ErrorKind::kRuntime:
    case ErrorKind::kPermission:
    case ErrorKind::kUnsupported:
      return 1;
  }
  return 1;
}

}  // namespace aurora
