#include "link_policy.h"

namespace hp {

uint32_t LinkPolicy::backoffMs() const {
  if (failures_ == 0) return 0;
  uint32_t b = kBaseBackoffMs;
  for (unsigned i = 1; i < failures_ && b < kMaxBackoffMs; i++) b *= 2;
  return b > kMaxBackoffMs ? kMaxBackoffMs : b;
}

LinkAction LinkPolicy::next(uint32_t nowMs, bool gprsUp, bool mqttUp) {
  if (mqttUp && !forceCycle_) return LinkAction::None;
  // Signed difference: correct across the millis() wrap.
  if (waiting_ && int32_t(nowMs - retryAtMs_) < 0) return LinkAction::None;
  waiting_ = false;
  if (forceCycle_ || failures_ >= kFailuresBeforePowerCycle) return LinkAction::PowerCycle;
  return gprsUp ? LinkAction::ConnectMqtt : LinkAction::ConnectGprs;
}

void LinkPolicy::report(LinkAction action, bool ok, uint32_t nowMs) {
  if (action == LinkAction::PowerCycle) {
    powerCycles_++;
    failures_ = 0;
    forceCycle_ = false;
    dropCount_ = 0;
    waiting_ = true;
    retryAtMs_ = nowMs + kModemBootMs;
    return;
  }
  if (ok) {
    // GPRS up is half-way: go on to MQTT at once; only a working session clears the count.
    if (action == LinkAction::ConnectMqtt) failures_ = 0;
    return;
  }
  failures_++;
  waiting_ = true;
  retryAtMs_ = nowMs + backoffMs();
}

void LinkPolicy::sessionLost(uint32_t nowMs) {
  // Keep the times of the last few drops; the oldest still inside the window decides.
  if (dropCount_ < kDropsBeforePowerCycle) {
    drops_[dropCount_++] = nowMs;
  } else {
    for (unsigned i = 1; i < kDropsBeforePowerCycle; i++) drops_[i - 1] = drops_[i];
    drops_[kDropsBeforePowerCycle - 1] = nowMs;
  }
  if (dropCount_ == kDropsBeforePowerCycle && nowMs - drops_[0] <= kDropWindowMs) forceCycle_ = true;
}

}  // namespace hp
