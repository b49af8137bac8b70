// STATUS, RESET (and SET_INTERVAL over MQTT) from SMS or from heatpump/<id>/cmd.
#pragma once
#include <string>
#include <vector>

namespace hp {

enum class CommandKind { Status, Reset, SetInterval, Unknown };

struct Command {
  CommandKind kind = CommandKind::Unknown;
  std::string id;    // MQTT command id, empty for SMS
  std::string name;  // as received (upper-cased for SMS)
  int seconds = 0;   // SET_INTERVAL
  std::string error;  // why it is Unknown
};

/** "+49 151 2345-678" / "0049151…" → "+49151…"; other national forms are left as digits. */
std::string normalizeNumber(const std::string& number);

enum class SmsVerdict { Accepted, Unauthorised };
/** Only numbers in `authorised` (normalized on both sides) may command the device; the text is
 *  trimmed and case-insensitive. Unauthorised senders get no reply: an SMS costs money and would
 *  confirm to a stranger that the number is a device. */
SmsVerdict parseSms(const std::string& from, const std::string& text, const std::vector<std::string>& authorised,
                    Command& out);

/** {"id":"…","command":"STATUS"|"RESET"|"SET_INTERVAL","args":{"seconds":60}} */
Command parseMqttCommand(const std::string& payload);

}  // namespace hp
