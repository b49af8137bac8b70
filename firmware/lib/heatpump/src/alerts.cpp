#include "alerts.h"

#include "json.h"

namespace hp {

const AlertRule kAlertRules[] = {
    {"voltage_high", Voltage, true, 245, 250, "Voltage", "V"},
    {"voltage_low", Voltage, false, 215, 210, "Voltage", "V"},
    {"compressor_temp_high", CompressorTemp, true, 85, 95, "Compressor temp", "C"},
    {"high_pressure_high", PressureHigh, true, 400, 450, "High pressure", "PSI"},
    {"low_pressure_low", PressureLow, false, 40, 20, "Low pressure", "PSI"},
    {"current_high", Current, true, 12, 15, "Current", "A"},
};
const size_t kAlertRuleCount = sizeof kAlertRules / sizeof kAlertRules[0];

const char* levelName(Level l) { return l == Level::Critical ? "critical" : l == Level::Warning ? "warning" : "none"; }

static Level levelOf(const AlertRule& rule, float v) {
  if (rule.above) return v > rule.critical ? Level::Critical : v > rule.warning ? Level::Warning : Level::None;
  return v < rule.critical ? Level::Critical : v < rule.warning ? Level::Warning : Level::None;
}

std::vector<AlertEvent> AlertEvaluator::evaluate(const Reading& r, uint32_t nowMs, const std::string& device) {
  std::vector<AlertEvent> events;
  for (size_t i = 0; i < kAlertRuleCount; i++) {
    const AlertRule& rule = kAlertRules[i];
    if (!r.valid(rule.sensor)) continue;
    const float v = r.values[rule.sensor];
    const Level next = levelOf(rule, v);
    State& st = state_[i];
    if (next == st.level) continue;
    const char* dir = rule.above ? ">" : "<";
    if (st.level != Level::None) {
      const float th = st.level == Level::Critical ? rule.critical : rule.warning;
      events.push_back({&rule, st.level, false, v, th, r.time, false,
                        device + " OK " + rule.label + " " + jsonNumber(v, 1) + rule.unit + " (was " +
                            levelName(st.level) + ")"});
    }
    if (next != Level::None) {
      const int li = int(next);
      const float th = next == Level::Critical ? rule.critical : rule.warning;
      const bool sms = !st.smsSent[li] || nowMs - st.lastSmsMs[li] >= kCooldownMs;
      if (sms) {
        st.smsSent[li] = true;
        st.lastSmsMs[li] = nowMs;
      }
      std::string upper = levelName(next);
      for (auto& c : upper) c = char(c - 32);
      events.push_back({&rule, next, true, v, th, r.time, sms,
                        device + " " + upper + " " + rule.label + " " + jsonNumber(v, 1) + rule.unit + " " + dir +
                            " " + jsonNumber(th, 0) + rule.unit});
    }
    st.level = next;
  }
  return events;
}

std::vector<std::string> AlertEvaluator::active() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < kAlertRuleCount; i++)
    if (state_[i].level != Level::None) out.push_back(std::string(kAlertRules[i].name) + ":" + levelName(state_[i].level));
  return out;
}

}  // namespace hp
