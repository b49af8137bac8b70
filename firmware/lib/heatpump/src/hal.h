// The hardware behind small interfaces: the ESP32 build (src/main.cpp) implements them with the
// Arduino core, TinyGSM and PubSubClient; the host build (host/) with sockets, files and stdin, so
// every line of logic above them runs unchanged in the host tests and the firmware in the loop.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace hp {

struct Adc {
  virtual ~Adc() = default;
  /** One 12-bit sample (0…4095) of a pin, ratiometric to 3.3 V. */
  virtual uint16_t read(uint8_t pin) = 0;
  /** n samples of a pin, intervalUs apart (AC sensors: RMS over whole mains cycles). */
  virtual void sample(uint8_t pin, uint16_t* out, size_t n, uint32_t intervalUs) = 0;
};

struct DigitalIn {
  virtual ~DigitalIn() = default;
  virtual bool read(uint8_t pin) = 0;
};

struct Clock {
  virtual ~Clock() = default;
  /** Monotonic milliseconds since boot (wraps after 49 days; all arithmetic is unsigned deltas). */
  virtual uint32_t millis() = 0;
};

struct SmsMessage {
  std::string from;
  std::string text;
};

struct Modem {
  virtual ~Modem() = default;
  /** Supply or PWRKEY off and on again, then AT init; false when the modem does not answer. */
  virtual bool powerCycle() = 0;
  virtual bool gprsConnect() = 0;
  virtual bool gprsConnected() = 0;
  /** AT+CSQ rssi: 0…31, 99 unknown. */
  virtual int signalQuality() = 0;
  /** Network time (AT+CCLK after AT+CLTS=1) as Unix seconds, 0 while unknown. */
  virtual uint32_t networkTime() = 0;
  virtual bool sendSms(const std::string& number, const std::string& text) = 0;
  /** The next received SMS, deleted from the SIM once returned. */
  virtual bool pollSms(SmsMessage& out) = 0;
};

struct MqttHandler {
  virtual ~MqttHandler() = default;
  virtual void onMessage(const std::string& topic, const std::string& payload) = 0;
};

struct MqttTransport {
  virtual ~MqttTransport() = default;
  virtual bool connect(const std::string& clientId, const std::string& user, const std::string& password,
                       const std::string& willTopic, const std::string& willPayload) = 0;
  virtual bool connected() = 0;
  virtual void disconnect() = 0;
  /** true once the broker has it (host: QoS 1 PUBACK; PubSubClient: written to the socket, QoS 0). */
  virtual bool publish(const std::string& topic, const std::string& payload, bool retain) = 0;
  virtual bool subscribe(const std::string& topic) = 0;
  /** Reads what arrived, keeps the session alive; calls the handler for each message. */
  virtual void loop(MqttHandler& handler) = 0;
};

/** A flash region (ESP32: a LittleFS file) read and written at offsets. */
struct Flash {
  virtual ~Flash() = default;
  virtual size_t size() = 0;
  virtual bool read(size_t offset, uint8_t* out, size_t n) = 0;
  virtual bool write(size_t offset, const uint8_t* data, size_t n) = 0;
};

struct System {
  virtual ~System() = default;
  virtual void watchdogFeed() = 0;
  virtual void setLed(bool on) = 0;
  virtual void restart() = 0;
  virtual void log(const std::string& line) = 0;
};

}  // namespace hp
