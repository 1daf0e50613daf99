#include "control/api/multipart.h"

#include <algorithm>
#include <cctype>

namespace hark::control {

namespace {
std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The value of `key` among `; key=value` or `; key="value"` parameters of a header value.
std::optional<std::string> parameter(std::string_view header, std::string_view key) {
  size_t i = header.find(';');
  while (i != std::string_view::npos) {
    ++i;
    const size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const auto name = lower(trim(header.substr(i, eq - i)));
    size_t v = eq + 1;
    while (v < header.size() && header[v] == ' ') ++v;
    std::string value;
    size_t next;
    if (v < header.size() && header[v] == '"') {  // quoted: \" and \\ are escapes
      size_t k = v + 1;
      for (; k < header.size() && header[k] != '"'; ++k) {
        if (header[k] == '\\' && k + 1 < header.size()) ++k;
        value += header[k];
      }
      next = header.find(';', k);
    } else {
      next = header.find(';', v);
      value = std::string(trim(header.substr(v, next == std::string_view::npos ? std::string_view::npos : next - v)));
    }
    if (name == key) return value;
    i = next;
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  auto b = parameter(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70) return std::nullopt;  // RFC 2046: 1 to 70 characters
  return b;
}

std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary) {
  const std::string delim = "--" + std::string(boundary);
  std::vector<FormPart> parts;
  // The first delimiter may follow a preamble; every later one follows a CRLF.
  size_t at = body.substr(0, delim.size()) == delim ? 0 : body.find("\r\n" + delim);
  if (at == std::string_view::npos) return std::nullopt;
  at += at == 0 ? delim.size() : delim.size() + 2;
  const std::string next_delim = "\r\n" + delim;
  for (;;) {
    if (body.substr(at, 2) == "--") return parts;  // the closing delimiter
    at = body.find("\r\n", at);  // rest of the delimiter line (transport padding)
    if (at == std::string_view::npos) return std::nullopt;
    at += 2;
    const size_t head_end = body.find("\r\n\r\n", at);
    const size_t end = body.find(next_delim, at);
    if (end == std::string_view::npos) return std::nullopt;
    FormPart part;
    if (head_end == std::string_view::npos || head_end > end) {
      if (body.substr(at, 2) != "\r\n") return std::nullopt;  // a part without headers has only the blank line
      part.body = body.substr(at + 2, end - at - 2);
    } else {
      if (head_end + 4 > end) return std::nullopt;  // headers run into the next delimiter
      part.body = body.substr(head_end + 4, end - head_end - 4);
      for (size_t line = at; line < head_end;) {
        size_t eol = body.find("\r\n", line);
        if (eol == std::string_view::npos || eol > head_end) eol = head_end;
        const auto h = body.substr(line, eol - line);
        const auto colon = h.find(':');
        if (colon != std::string_view::npos) {
          const auto key = lower(trim(h.substr(0, colon)));
          const auto value = trim(h.substr(colon + 1));
          if (key == "content-disposition") {
            part.name = parameter(value, "name").value_or("");
            part.filename = parameter(value, "filename").value_or("");
          } else if (key == "content-type") {
            part.content_type = std::string(value);
          }
        }
        line = eol + 2;
      }
    }
    if (part.name.empty()) return std::nullopt;
    parts.push_back(std::move(part));
    at = end + next_delim.size();
  }
}

}  // namespace hark::control
