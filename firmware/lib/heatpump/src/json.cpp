#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "json.h"

namespace hp {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string jsonNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string isoTime(uint32_t t) {
  // Days → civil date (H. Hinnant's algorithm), valid for every uint32 second.
  const int64_t days = t / 86400;
  const uint32_t secs = t % 86400;
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", int(y), int(m), int(d), int(secs / 3600),
                int(secs / 60 % 60), int(secs % 60));
  return buf;
}

namespace {
struct Parser {
  const std::string& s;
  size_t i = 0;
  std::string error;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  }
  bool fail(const char* what) {
    if (error.empty()) error = std::string(what) + " at offset " + std::to_string(i);
    return false;
  }
  bool str(std::string& out) {
    if (i >= s.size() || s[i] != '"') return fail("expected a string");
    i++;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c == '\\') {
        if (i >= s.size()) return fail("unterminated escape");
        const char e = s[i++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            if (i + 4 > s.size()) return fail("short \\u escape");
            const unsigned long cp = std::strtoul(s.substr(i, 4).c_str(), nullptr, 16);
            i += 4;
            // Commands are ASCII; anything else keeps a marker rather than failing.
            out += cp < 0x80 ? char(cp) : '?';
            break;
          }
          default: out += e;
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail("control character in string");
      } else {
        out += c;
      }
    }
    if (i >= s.size()) return fail("unterminated string");
    i++;
    return true;
  }
  bool object(const std::string& prefix, JsonObject& out, int depth) {
    if (depth > 4) return fail("nested too deeply");
    ws();
    if (i >= s.size() || s[i] != '{') return fail("expected an object");
    i++;
    ws();
    if (i < s.size() && s[i] == '}') {
      i++;
      return true;
    }
    for (;;) {
      ws();
      std::string key;
      if (!str(key)) return false;
      ws();
      if (i >= s.size() || s[i] != ':') return fail("expected ':'");
      i++;
      ws();
      const std::string name = prefix.empty() ? key : prefix + "." + key;
      if (i >= s.size()) return fail("expected a value");
      const char c = s[i];
      if (c == '"') {
        std::string v;
        if (!str(v)) return false;
        out.strings[name] = v;
      } else if (c == '{') {
        if (!object(name, out, depth + 1)) return false;
      } else if (s.compare(i, 4, "true") == 0) {
        out.bools[name] = true;
        i += 4;
      } else if (s.compare(i, 5, "false") == 0) {
        out.bools[name] = false;
        i += 5;
      } else if (s.compare(i, 4, "null") == 0) {
        i += 4;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        const char* begin = s.c_str() + i;
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (end == begin) return fail("bad number");
        i += size_t(end - begin);
        out.numbers[name] = v;
      } else {
        return fail("unexpected value");
      }
      ws();
      if (i < s.size() && s[i] == ',') {
        i++;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        i++;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }
};
}  // namespace

bool parseJsonObject(const std::string& text, JsonObject& out, std::string& error) {
  Parser p{text};
  if (!p.object("", out, 0)) {
    error = p.error;
    return false;
  }
  p.ws();
  if (p.i != text.size()) {
    error = "trailing characters at offset " + std::to_string(p.i);
    return false;
  }
  return true;
}

}  // namespace hp
