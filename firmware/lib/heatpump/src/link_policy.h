// When to (re)connect GPRS and MQTT, and when to power-cycle the modem. SIM800-class modems drop
// MQTT sessions often, sometimes loop connect/disconnect every few seconds, and some only recover
// after a power-cycle (field notes §11): so retries back off (5 s doubling to 2 min), 5 failed
// attempts in a row power-cycle the modem, and so do 4 dropped sessions within 15 minutes.
#pragma once
#include <cstdint>

namespace hp {

enum class LinkAction { None, ConnectGprs, ConnectMqtt, PowerCycle };

class LinkPolicy {
 public:
  static constexpr uint32_t kBaseBackoffMs = 5000;
  static constexpr uint32_t kMaxBackoffMs = 120000;
  static constexpr unsigned kFailuresBeforePowerCycle = 5;
  static constexpr unsigned kDropsBeforePowerCycle = 4;
  static constexpr uint32_t kDropWindowMs = 15 * 60 * 1000;
  static constexpr uint32_t kModemBootMs = 10000;

  /** What to do now, given what is up. */
  LinkAction next(uint32_t nowMs, bool gprsUp, bool mqttUp);
  /** The outcome of the action next() asked for. */
  void report(LinkAction action, bool ok, uint32_t nowMs);
  /** An established MQTT session was lost. */
  void sessionLost(uint32_t nowMs);

  unsigned failures() const { return failures_; }
  unsigned powerCycles() const { return powerCycles_; }
  uint32_t backoffMs() const;

 private:
  unsigned failures_ = 0;
  unsigned powerCycles_ = 0;
  bool waiting_ = false;
  uint32_t retryAtMs_ = 0;
  bool forceCycle_ = false;
  uint32_t drops_[kDropsBeforePowerCycle] = {};
  unsigned dropCount_ = 0;
};

}  // namespace hp
