// Threshold alerts with a warning and a critical level per rule. A rule's level is the highest one
// whose threshold the value crosses; a change of level resolves the old one and raises the new.
// Every raise and resolve is published; only raises send an SMS, at most one per (rule, level)
// every 5 minutes, so a value dancing on a threshold does not flood the admin's phone.
#pragma once
#include <string>
#include <vector>

#include "reading.h"

namespace hp {

enum class Level : uint8_t { None, Warning, Critical };

struct AlertRule {
  const char* name;  // contracts CellularAlertRule
  Sensor sensor;
  bool above;  // true: value > threshold alerts; false: value < threshold
  float warning, critical;
  const char* label;  // for the SMS
  const char* unit;
};

/** The thresholds. */
extern const AlertRule kAlertRules[];
extern const size_t kAlertRuleCount;

struct AlertEvent {
  const AlertRule* rule;
  Level level;
  bool raised;  // false: resolved
  float value, threshold;
  uint32_t time;  // the reading's time
  bool sms;       // an SMS goes out for it
  std::string message;
};

const char* levelName(Level l);

class AlertEvaluator {
 public:
  static constexpr uint32_t kCooldownMs = 5 * 60 * 1000;

  /** Evaluates one reading at monotonic time nowMs. An invalid sensor keeps its rule's level:
   *  a broken sensor is neither an alarm nor an all-clear. */
  std::vector<AlertEvent> evaluate(const Reading& r, uint32_t nowMs, const std::string& device);
  Level level(size_t rule) const { return state_[rule].level; }
  /** Active alerts as "<rule>:<severity>". */
  std::vector<std::string> active() const;

 private:
  struct State {
    Level level = Level::None;
    bool smsSent[3] = {false, false, false};
    uint32_t lastSmsMs[3] = {0, 0, 0};
  };
  State state_[8];
};

}  // namespace hp
