// hark.toml: the configuration file, read with toml++ (Debian libtomlplusplus-dev). Every key
// is known here; an unknown key, a value of the wrong type or out of range is one error line
// naming the file, the line and the key, and `hark run` refuses to start.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "cli/config.h"
#include "signaling/phone_number.h"
#include "cli/option_values.h"
#include "control/api/auth.h"

namespace hark::control {

namespace {

using signaling::Trunk;

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "true/false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

/// True when `s` is HOST:PORT with a port in 1..65535 (HOST may be empty only if `host_optional`).
bool is_hostport(const std::string& s) {
  const auto colon = s.rfind(':');
  int port = 0;
  return colon != std::string::npos && colon > 0 && cli::parse_whole(s.substr(colon + 1), port) && port > 0 &&
         port < 65536;
}

/// Whether the file can be opened for reading; the reason when not.
std::string unreadable(const std::string& path) {
  std::ifstream f(path);
  if (f) return "";
  return "cannot read " + path;
}

class Reader {
 public:
  Reader(std::string file, std::vector<std::string>& errors) : file_(std::move(file)), errors_(errors) {}

  void fail(const toml::node& n, const std::string& key, const std::string& why) {
    errors_.push_back(file_ + ":" + std::to_string(n.source().begin.line) + ": " + key + ": " + why);
  }

  using Handler = std::function<void(const toml::node&, const std::string& key)>;
  /// Hands every key of `t` to its handler; a key without one is refused.
  void each(const toml::table& t, const std::string& prefix, const std::map<std::string, Handler>& keys) {
    for (auto&& [k, v] : t) {
      const std::string name(k.str());
      const std::string full = prefix.empty() ? name : prefix + "." + name;
      auto it = keys.find(name);
      if (it == keys.end()) fail(v, full, "unknown key");
      else it->second(v, full);
    }
  }
  /// A section: a table whose keys each have a handler.
  Handler section(std::map<std::string, Handler> keys) {
    return [this, keys = std::move(keys)](const toml::node& n, const std::string& key) {
      if (auto t = n.as_table()) each(*t, key, keys);
      else fail(n, key, "expected a table, got " + type_name(n));
    };
  }

  Handler str(std::string& out, std::function<std::string(const std::string&)> check = {}) {
    return [this, &out, check](const toml::node& n, const std::string& key) {
      auto v = n.value_exact<std::string>();
      if (!v) return fail(n, key, "expected a string, got " + type_name(n));
      if (check) {
        if (auto why = check(*v); !why.empty()) return fail(n, key, why);
      }
      out = *v;
    };
  }
  Handler integer(int& out, long long lo, long long hi) {
    return [this, &out, lo, hi](const toml::node& n, const std::string& key) {
      auto v = n.value_exact<int64_t>();
      if (!v) return fail(n, key, "expected an integer, got " + type_name(n));
      if (*v < lo || *v > hi) return fail(n, key, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
      out = int(*v);
    };
  }
  Handler number(double& out, double lo, double hi, bool zero_ok = false) {
    return [this, &out, lo, hi, zero_ok](const toml::node& n, const std::string& key) {
      auto v = n.value<double>();  // an integer is a number too
      if (!v || !(n.is_integer() || n.is_floating_point())) return fail(n, key, "expected a number, got " + type_name(n));
      if (!(zero_ok && *v == 0) && (*v <= lo || *v > hi)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "must be more than %g and at most %g%s", lo, hi, zero_ok ? " (or 0)" : "");
        return fail(n, key, buf);
      }
      out = *v;
    };
  }
  Handler boolean(bool& out) {
    return [this, &out](const toml::node& n, const std::string& key) {
      auto v = n.value_exact<bool>();
      if (!v) return fail(n, key, "expected true or false, got " + type_name(n));
      out = *v;
    };
  }

 private:
  std::string file_;
  std::vector<std::string>& errors_;
};

std::string check_hostport(const std::string& s) { return is_hostport(s) ? "" : "must be HOST:PORT"; }
std::string check_readable(const std::string& s) { return s.empty() ? "" : unreadable(s); }
std::string check_sip_uri(const std::string& s) {
  return s.empty() || s.rfind("sip:", 0) == 0 || s.rfind("sips:", 0) == 0 ? "" : "must be a sip: or sips: URI";
}
std::string check_name(const std::string& s) {
  const bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
  return ok ? "" : "must be 1 to 64 letters, digits, '-', '_' or '.'";
}
std::string check_user(const std::string& s) {
  const bool ok = s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char ch) {
    return ch > ' ' && ch < 127 && ch != '@' && ch != ':' && ch != '<' && ch != '>' && ch != '"';
  });
  return ok ? "" : "must be printable, without spaces, '@', ':', '<', '>' or '\"'";
}

void read_trunk(Reader& r, const toml::node& node, const std::string& key, Config& c) {
  auto table = node.as_table();
  if (!table) return r.fail(node, key, "expected a table ([[trunk]]), got " + type_name(node));
  Trunk t;
  t.name.clear();
  t.host.clear();
  t.port = 5060;
  std::string transport = "udp", srtp = "off";
  bool has_registrar = false, do_register = true;
  std::string registrar_uri;
  std::vector<std::string> codecs = t.codecs;
  auto codec_list = [&](const toml::node& n, const std::string& k) {
    auto arr = n.as_array();
    if (!arr) return r.fail(n, k, "expected an array of codec names, got " + type_name(n));
    std::vector<std::string> out;
    for (auto&& e : *arr) {
      auto v = e.value_exact<std::string>();
      if (!v || (*v != "PCMA" && *v != "PCMU")) return r.fail(e, k, "codecs are PCMA and PCMU");
      if (std::find(out.begin(), out.end(), *v) != out.end()) return r.fail(e, k, *v + " is named twice");
      out.push_back(*v);
    }
    if (out.empty()) return r.fail(n, k, "name at least one codec");
    codecs = std::move(out);
  };
  r.each(*table, key,
         {{"name", r.str(t.name, check_name)},
          {"host", r.str(t.host, [](const std::string& s) { return s.empty() || s.find_first_of(" :;@<>") != std::string::npos ? std::string("must be a host name or address") : std::string(); })},
          {"port", r.integer(t.port, 1, 65535)},
          {"transport", r.str(transport, [](const std::string& s) { signaling::Transport x; return signaling::parse_transport(s, x) ? "" : "must be udp, tcp or tls"; })},
          {"outbound_proxy", r.str(t.proxy, check_sip_uri)},
          {"caller_id", r.str(t.caller_id, check_user)},
          {"dial_prefix", r.str(t.dial_prefix, [](const std::string& s) { return s.size() <= 16 && s.find_first_not_of("0123456789*#+") == std::string::npos ? "" : "must be up to 16 of 0-9 * # +"; })},
          {"codecs", codec_list},
          {"srtp", r.str(srtp, [](const std::string& s) { signaling::SrtpMode x; return signaling::parse_srtp_mode(s, x) ? "" : "must be off, offer or require"; })},
          {"max_channels", r.integer(t.max_channels, 1, 100000)},
          {"calls_per_second", r.number(t.calls_per_second, 0, 2000)},
          {"options_interval", r.integer(t.options_interval_s, 0, 3600)},
          {"options_timeout", r.integer(t.options_timeout_s, 1, 60)},
          {"registrar", [&](const toml::node& n, const std::string& k) {
             has_registrar = true;
             r.section({{"uri", r.str(registrar_uri, check_sip_uri)},
                        {"register", r.boolean(do_register)},
                        {"user", r.str(t.username, check_user)},
                        {"password", r.str(t.password)},
                        {"realm", r.str(t.realm)},
                        {"expiry", r.integer(t.register_expires_s, 60, 86400)}})(n, k);
           }}});
  if (t.name.empty()) return r.fail(node, key, "a trunk needs a name");
  if (t.host.empty()) return r.fail(node, key, "trunk " + t.name + " needs a host");
  signaling::parse_transport(transport, t.transport);
  signaling::parse_srtp_mode(srtp, t.srtp);
  t.codecs = codecs;
  if (has_registrar && do_register) t.registrar = registrar_uri.empty() ? t.uri("") : registrar_uri;
  if (has_registrar && t.username.empty() && !t.password.empty()) return r.fail(node, key + ".registrar", "a password needs a user");
  if (t.srtp != signaling::SrtpMode::off && t.transport != signaling::Transport::tls)
    return r.fail(node, key + ".srtp", "SRTP keys (SDES) travel in the SDP: use transport = \"tls\"");
  for (const auto& other : c.trunks)
    if (other.name == t.name) return r.fail(node, key, "a second trunk named '" + t.name + "'");
  c.trunks.push_back(std::move(t));
}

}  // namespace

void read_config_file(const std::string& path, Config& c, std::vector<std::string>& errors) {
  c.config_file = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    errors.push_back(path + ":" + std::to_string(line ? line : 1) + ": " + std::string(e.description()));
    return;
  }
  Reader r(path, errors);
  std::string rtp_ports, log_level;
  const toml::node* groups_node = nullptr;
  r.each(root, "",
         {{"database", r.section({{"url", r.str(c.database_url)}})},
          {"http", r.section({{"listen", r.str(c.http_listen, check_hostport)},
                              {"threads", r.integer(c.http_threads, 1, 64)},
                              {"max_connections", r.integer(c.http_max_connections, 16, 1000000)},
                              {"tls_cert", r.str(c.tls_cert, check_readable)},
                              {"tls_key", r.str(c.tls_key, check_readable)},
                              {"metrics_token", r.str(c.metrics_token, [](const std::string& t) {
                                 const bool printable = std::all_of(t.begin(), t.end(), [](char ch) { return ch > ' ' && ch < 127; });
                                 return t.empty() || (t.size() >= 16 && t.size() <= 1024 && printable) ? "" : "must be 16 to 1024 printable characters without spaces";
                               })}})},
          {"sip", r.section({{"listen", r.str(c.sip_listen, check_hostport)},
                             {"advertised_address", r.str(c.sip_advertised)},
                             {"media_address", r.str(c.media_address)},
                             {"calls_per_second", r.number(c.calls_per_second, 0, 2000)},
                             {"max_calls", r.integer(c.max_calls, 1, 10000)},
                             {"ring_timeout", r.integer(c.ring_timeout_s, 15, 120)},
                             {"tls_listen", r.str(c.sip_tls_listen, check_hostport)},
                             {"tls_cert", r.str(c.sip_tls_cert, check_readable)},
                             {"tls_key", r.str(c.sip_tls_key, check_readable)},
                             {"tls_ca", r.str(c.sip_tls_ca, check_readable)},
                             {"tls_verify", r.boolean(c.sip_tls_verify)}})},
          {"media", r.section({{"rtp_ports", r.str(rtp_ports, [&](const std::string& s) {
                                 return cli::parse_port_range(s, c.rtp_port_min, c.rtp_port_max) ? "" : "must look like 20000-29999 (1024..65535)";
                               })},
                               {"workers", r.integer(c.media_workers, 0, 256)},
                               {"music_on_hold", r.str(c.music_on_hold, check_readable)}})},
          {"runner", r.section({{"enabled", r.boolean(c.runner)},
                                {"retry_unit_ms", r.integer(c.retry_unit_ms, 10, 60000)},
                                {"prompts_dir", r.str(c.prompts_dir)},
                                {"recordings_dir", r.str(c.recordings_dir)},
                                {"dnc_ca_file", r.str(c.dnc_ca_file, check_readable)}})},
          {"inbound", r.section({{"default_route", r.str(c.inbound_default_route, [](const std::string& s) {
                                   return s.size() <= 256 && s.find_first_of(" <>\"\r\n") == std::string::npos ? "" : "must be a number or a sip: URI";
                                 })},
                                 {"default_region", r.str(c.inbound_default_region, [](const std::string& s) {
                                   return signaling::known_region(s) ? "" : "must be a region code such as US or GB";
                                 })},
                                 {"internal_length", r.integer(c.inbound_internal_length, 0, 15)}})},
          {"admin", r.section({{"user", r.str(c.admin_user, check_name)},
                               {"password", r.str(c.admin_password, [](const std::string& p) { return p.empty() ? "" : password_problem(p); })}})},
          {"log", r.section({{"level", r.str(c.log_level, [](const std::string& s) {
                               static const std::set<std::string> ok{"trace", "debug", "info", "warn", "warning", "error", "err", "critical", "off"};
                               return ok.count(s) ? "" : "must be trace, debug, info, warn, error, critical or off";
                             })},
                             {"file", r.str(c.log_file)},
                             {"file_max_mb", r.integer(c.log_file_max_mb, 1, 1024)},
                             {"file_count", r.integer(c.log_file_count, 1, 100)}})},
          {"trunk", [&](const toml::node& n, const std::string& key) {
             auto arr = n.as_array();
             if (!arr || !arr->is_array_of_tables()) return r.fail(n, key, "expected [[trunk]] tables, got " + type_name(n));
             for (auto&& t : *arr) read_trunk(r, t, key, c);
           }},
          {"trunk_groups", [&](const toml::node& n, const std::string& key) {
             if (!n.is_table()) return r.fail(n, key, "expected a table of NAME = [\"trunk\", ...], got " + type_name(n));
             groups_node = &n;
           }}});
  if (c.tls_cert.empty() != c.tls_key.empty())
    errors.push_back(path + ":1: http.tls_cert: tls_cert and tls_key go together");
  if (!c.sip_tls_listen.empty() && (c.sip_tls_cert.empty() || c.sip_tls_key.empty()))
    errors.push_back(path + ":1: sip.tls_listen: SIP over TLS needs sip.tls_cert and sip.tls_key");
  // Groups last: they name trunks, wherever in the file those are.
  if (groups_node) {
    for (auto&& [k, v] : *groups_node->as_table()) {
      const std::string key = "trunk_groups." + std::string(k.str());
      if (auto why = check_name(std::string(k.str())); !why.empty()) {
        r.fail(v, key, why);
        continue;
      }
      auto arr = v.as_array();
      if (!arr || arr->empty()) {
        r.fail(v, key, "expected a non-empty array of trunk names");
        continue;
      }
      std::vector<std::string> members;
      for (auto&& e : *arr) {
        auto name = e.value_exact<std::string>();
        if (!name) {
          r.fail(e, key, "expected trunk names, got " + type_name(e));
          continue;
        }
        const bool known = std::any_of(c.trunks.begin(), c.trunks.end(), [&](const Trunk& t) { return t.name == *name; });
        if (!known) r.fail(e, key, "unknown trunk '" + *name + "'");
        else members.push_back(*name);
      }
      c.trunk_groups.emplace_back(std::string(k.str()), std::move(members));
    }
  }
  for (const auto& t : c.trunks)
    if (t.transport == signaling::Transport::tls && c.sip_tls_listen.empty())
      errors.push_back(path + ":1: trunk " + t.name + ": transport tls needs [sip] tls_listen, tls_cert and tls_key");
}

}  // namespace hark::control
