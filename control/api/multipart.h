// multipart/form-data bodies (RFC 7578), as browsers and `curl -F` send a file with fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hark::control {

struct FormPart {
  std::string name;          ///< Content-Disposition's name="..."
  std::string filename;      ///< its filename="..." (empty for a plain field)
  std::string content_type;  ///< the part's Content-Type (empty when not sent)
  std::string_view body;     ///< the part's bytes, inside the request body
};

/// The boundary of a `multipart/form-data; boundary=...` Content-Type; nullopt for another type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// The parts of `body` split at `boundary`, in order; nullopt when the body is not a complete
/// multipart body (no opening or closing delimiter, a part without its blank line, a part
/// without a name). The parts' bodies point into `body`.
std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace hark::control
