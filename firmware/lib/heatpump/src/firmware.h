// The main loop: sample every 10 s, buffer (in flash), evaluate alerts (SMS + MQTT), publish the
// backlog every 5 minutes (and at once after a reconnect), answer commands, keep the link up.
// Both the ESP32 build and the host build call step() from their loop.
#pragma once
#include <deque>
#include <string>
#include <vector>

#include "alerts.h"
#include "commands.h"
#include "encoder.h"
#include "hal.h"
#include "link_policy.h"
#include "ring_buffer.h"

namespace hp {

constexpr const char* kFirmwareVersion = "1.0.0";

struct FirmwareConfig {
  std::string device;  // topic id: heatpump/<device>/…
  std::string mqttUser, mqttPassword;
  std::string adminNumber;                  // alert SMS go here
  std::vector<std::string> authorised;      // may send commands (the admin is always one)
  uint32_t sampleIntervalMs = 10000;
  uint32_t publishIntervalMs = 300000;
  size_t bufferCapacity = 720;  // 2 h of readings
  size_t maxBatch = 60;         // readings per message; a longer backlog goes as several
};

struct Hardware {
  Adc& adc;
  DigitalIn& din;
  Clock& clock;
  Modem& modem;
  MqttTransport& mqtt;
  Flash* flash;
  System& sys;
};

class Firmware : public MqttHandler {
 public:
  Firmware(const FirmwareConfig& cfg, const Hardware& hw);
  void setup();
  void step();
  /** A RESET was answered and the buffer is on flash: the loop restarts the device. */
  bool rebootRequested() const { return reboot_; }

  // For tests and STATUS.
  const RingBuffer& buffer() const { return buffer_; }
  const LinkPolicy& link() const { return link_; }
  std::string statusText();
  std::string statusJson();
  void onMessage(const std::string& topic, const std::string& payload) override;
  std::string topic(const char* leaf) const { return "heatpump/" + cfg_.device + "/" + leaf; }

 private:
  uint32_t now() const;  // network time, 0 while unknown
  void sample();
  void maintainLink();
  void publishBacklog();
  void flushAlerts();
  void handleSms();
  std::string run(const Command& c, bool& ok);

  FirmwareConfig cfg_;
  Hardware hw_;
  RingBuffer buffer_;
  AlertEvaluator alerts_;
  LinkPolicy link_;
  std::deque<std::string> pendingAlerts_;  // published when MQTT is up; RAM only, at most 32
  bool haveTime_ = false;
  uint32_t timeBase_ = 0, timeBaseMs_ = 0;  // network time at millis() timeBaseMs_
  uint32_t lastTimeSyncMs_ = 0;
  bool sampled_ = false;
  uint32_t lastSampleMs_ = 0, lastPublishMs_ = 0;
  bool publishNow_ = true;
  bool delivered_ = false;  // a batch has gone out since boot
  bool wasConnected_ = false;
  uint32_t seq_ = 0;
  uint32_t untimed_ = 0;
  int csq_ = 99;
  bool reboot_ = false;
  bool haveLast_ = false;
  Reading last_;
};

}  // namespace hp
