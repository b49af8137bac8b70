#include "commands.h"

#include <cctype>

#include "json.h"

namespace hp {

std::string normalizeNumber(const std::string& number) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < number.size(); i++) {
    const char c = number[i];
    if (c == '+' && digits.empty()) plus = true;
    else if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (!plus && digits.compare(0, 2, "00") == 0) {
    plus = true;
    digits = digits.substr(2);
  }
  return (plus ? "+" : "") + digits;
}

static CommandKind kindOf(const std::string& name) {
  if (name == "STATUS") return CommandKind::Status;
  if (name == "RESET") return CommandKind::Reset;
  if (name == "SET_INTERVAL") return CommandKind::SetInterval;
  return CommandKind::Unknown;
}

SmsVerdict parseSms(const std::string& from, const std::string& text, const std::vector<std::string>& authorised,
                    Command& out) {
  const std::string sender = normalizeNumber(from);
  bool ok = false;
  for (const auto& a : authorised)
    if (!sender.empty() && normalizeNumber(a) == sender) ok = true;
  if (!ok) return SmsVerdict::Unauthorised;
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) b++;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) e--;
  out = Command{};
  for (size_t i = b; i < e; i++) out.name += char(std::toupper(static_cast<unsigned char>(text[i])));
  out.kind = kindOf(out.name);
  // SET_INTERVAL needs an argument; by SMS only the two commands are offered.
  if (out.kind == CommandKind::SetInterval) out.kind = CommandKind::Unknown;
  if (out.kind == CommandKind::Unknown) out.error = "unknown command; send STATUS or RESET";
  return SmsVerdict::Accepted;
}

Command parseMqttCommand(const std::string& payload) {
  Command c;
  JsonObject o;
  std::string err;
  if (!parseJsonObject(payload, o, err)) {
    c.error = "malformed command: " + err;
    return c;
  }
  if (o.strings.count("id")) c.id = o.strings["id"];
  if (!o.strings.count("command")) {
    c.error = "command missing";
    return c;
  }
  c.name = o.strings["command"];
  c.kind = kindOf(c.name);
  if (c.kind == CommandKind::Unknown) {
    c.error = "unknown command " + c.name + "; STATUS, RESET or SET_INTERVAL";
  } else if (c.id.empty()) {
    c.kind = CommandKind::Unknown;
    c.error = "id missing";
  } else if (c.kind == CommandKind::SetInterval) {
    const auto it = o.numbers.find("args.seconds");
    if (it == o.numbers.end() || it->second < 10 || it->second > 3600 || it->second != int(it->second)) {
      c.kind = CommandKind::Unknown;
      c.error = "SET_INTERVAL needs args.seconds, a whole number 10…3600";
    } else {
      c.seconds = int(it->second);
    }
  }
  return c;
}

}  // namespace hp
