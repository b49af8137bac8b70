// A minimal MQTT 3.1.1 client over a host TCP socket, behind the firmware's MqttTransport: CONNECT
// with a last will and credentials, SUBSCRIBE, PUBLISH at QoS 1 (a batch counts as delivered
// only on PUBACK), PINGREQ keep-alive. When the simulated modem's link is cut it drops the socket
// without DISCONNECT, as a dead cell link would, so the broker publishes the last will.
#pragma once
#include <deque>
#include <functional>
#include <string>

#include "hal.h"

namespace hp::host {

class MqttClient : public MqttTransport {
 public:
  MqttClient(std::string host, int port, std::function<bool()> linkUp, std::function<void(const std::string&)> log);
  ~MqttClient() override;
  bool connect(const std::string& clientId, const std::string& user, const std::string& password,
               const std::string& willTopic, const std::string& willPayload) override;
  bool connected() override;
  void disconnect() override;
  /** A clean DISCONNECT (no last will), for an orderly stop. */
  void disconnectCleanly();
  bool publish(const std::string& topic, const std::string& payload, bool retain) override;
  bool subscribe(const std::string& topic) override;
  void loop(MqttHandler& handler) override;

 private:
  bool sendPacket(uint8_t header, const std::string& body);
  /** Reads until a whole packet is there (or timeoutMs passes); false on error/timeout. */
  bool readPacket(uint8_t& header, std::string& body, int timeoutMs);
  /** Waits for a packet of `type` (and packet id), queueing PUBLISHes that arrive meanwhile. */
  bool await(uint8_t type, int packetId, int timeoutMs, std::string* body = nullptr);
  void handleIncoming(uint8_t header, const std::string& body);
  void drop(const char* why);

  std::string host_;
  int port_;
  std::function<bool()> linkUp_;
  std::function<void(const std::string&)> log_;
  int fd_ = -1;
  std::string rx_;
  uint16_t nextId_ = 1;
  uint16_t keepAliveS_ = 30;
  long long lastSendMs_ = 0, pingSentMs_ = 0;
  std::deque<std::pair<std::string, std::string>> inbox_;
};

}  // namespace hp::host
