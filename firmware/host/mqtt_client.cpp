#include "mqtt_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace hp::host {

static long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

static std::string u16(uint16_t v) { return std::string{char(v >> 8), char(v & 0xFF)}; }
static std::string str(const std::string& s) { return u16(uint16_t(s.size())) + s; }

MqttClient::MqttClient(std::string host, int port, std::function<bool()> linkUp,
                       std::function<void(const std::string&)> log)
    : host_(std::move(host)), port_(port), linkUp_(std::move(linkUp)), log_(std::move(log)) {}

MqttClient::~MqttClient() {
  if (fd_ >= 0) ::close(fd_);
}

void MqttClient::drop(const char* why) {
  if (fd_ < 0) return;
  log_(std::string("mqtt: connection dropped: ") + why);
  ::close(fd_);
  fd_ = -1;
  rx_.clear();
  inbox_.clear();
}

bool MqttClient::sendPacket(uint8_t header, const std::string& body) {
  if (fd_ < 0) return false;
  std::string pkt(1, char(header));
  size_t len = body.size();
  do {  // remaining length: 7 bits per byte, high bit = more
    uint8_t b = len % 128;
    len /= 128;
    if (len) b |= 0x80;
    pkt += char(b);
  } while (len);
  pkt += body;
  size_t off = 0;
  while (off < pkt.size()) {
    const ssize_t n = ::send(fd_, pkt.data() + off, pkt.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      drop("send failed");
      return false;
    }
    off += size_t(n);
  }
  lastSendMs_ = nowMs();
  return true;
}

bool MqttClient::readPacket(uint8_t& header, std::string& body, int timeoutMs) {
  const long long deadline = nowMs() + timeoutMs;
  for (;;) {
    if (rx_.size() >= 2) {
      size_t len = 0, mult = 1, i = 1;
      bool complete = false;
      for (; i < rx_.size() && i < 5; i++) {
        const uint8_t b = uint8_t(rx_[i]);
        len += (b & 0x7F) * mult;
        mult *= 128;
        if (!(b & 0x80)) {
          complete = true;
          break;
        }
      }
      if (complete && rx_.size() >= i + 1 + len) {
        header = uint8_t(rx_[0]);
        body = rx_.substr(i + 1, len);
        rx_.erase(0, i + 1 + len);
        return true;
      }
    }
    if (fd_ < 0) return false;
    const long long left = deadline - nowMs();
    if (left < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      drop(n == 0 ? "closed by the broker" : "receive failed");
      return false;
    }
    rx_.append(buf, size_t(n));
  }
}

void MqttClient::handleIncoming(uint8_t header, const std::string& body) {
  const uint8_t type = header >> 4;
  if (type == 3) {  // PUBLISH
    if (body.size() < 2) return;
    const size_t tl = size_t(uint8_t(body[0])) << 8 | uint8_t(body[1]);
    size_t off = 2 + tl;
    const int qos = (header >> 1) & 3;
    if (off > body.size()) return;
    if (qos > 0) {
      if (off + 2 > body.size()) return;
      const std::string id = body.substr(off, 2);
      off += 2;
      sendPacket(0x40, id);  // PUBACK
    }
    inbox_.emplace_back(body.substr(2, tl), body.substr(off));
  } else if (type == 13) {  // PINGRESP
    pingSentMs_ = 0;
  }
}

bool MqttClient::await(uint8_t type, int packetId, int timeoutMs, std::string* out) {
  const long long deadline = nowMs() + timeoutMs;
  for (;;) {
    const long long left = deadline - nowMs();
    uint8_t h;
    std::string body;
    if (left <= 0 || !readPacket(h, body, int(left))) return false;
    if ((h >> 4) == type) {
      if (packetId < 0 || (body.size() >= 2 && ((uint8_t(body[0]) << 8) | uint8_t(body[1])) == packetId)) {
        if (out) *out = body;
        return true;
      }
    }
    handleIncoming(h, body);
  }
}

bool MqttClient::connect(const std::string& clientId, const std::string& user, const std::string& password,
                         const std::string& willTopic, const std::string& willPayload) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  rx_.clear();
  if (!linkUp_()) return false;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res) != 0 || !res) {
    log_("mqtt: cannot resolve " + host_);
    return false;
  }
  for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) fd_ = fd;
    else ::close(fd);
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) {
    log_("mqtt: cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + std::strerror(errno));
    return false;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  uint8_t flags = 0x02 | 0x04 | 0x20;  // clean session, will, will retained (QoS 0)
  if (!user.empty()) flags |= 0x80;
  if (!password.empty()) flags |= 0x40;
  std::string body = str("MQTT") + char(4) + char(flags) + u16(keepAliveS_) + str(clientId) + str(willTopic) +
                     str(willPayload);
  if (!user.empty()) body += str(user);
  if (!password.empty()) body += str(password);
  std::string ack;
  if (!sendPacket(0x10, body) || !await(2, -1, 5000, &ack) || ack.size() < 2) {
    drop("no CONNACK");
    return false;
  }
  if (ack[1] != 0) {
    static const char* const reasons[] = {"", "bad protocol", "client id rejected", "server unavailable",
                                          "bad user name or password", "not authorised"};
    const int rc = uint8_t(ack[1]);
    log_(std::string("mqtt: connection refused: ") + (rc < 6 ? reasons[rc] : "unknown reason"));
    drop("refused");
    return false;
  }
  pingSentMs_ = 0;
  return true;
}

bool MqttClient::connected() {
  if (fd_ >= 0 && !linkUp_()) drop("the cellular link is down");
  return fd_ >= 0;
}

void MqttClient::disconnect() { drop("disconnect"); }

void MqttClient::disconnectCleanly() {
  if (fd_ < 0) return;
  sendPacket(0xE0, "");
  ::close(fd_);
  fd_ = -1;
}

bool MqttClient::publish(const std::string& topic, const std::string& payload, bool retain) {
  if (!connected()) return false;
  const uint16_t id = nextId_++;
  if (nextId_ == 0) nextId_ = 1;
  if (!sendPacket(uint8_t(0x32 | (retain ? 1 : 0)), str(topic) + u16(id) + payload)) return false;
  if (!await(4, id, 10000)) {
    drop("no PUBACK");
    return false;
  }
  return true;
}

bool MqttClient::subscribe(const std::string& topic) {
  if (!connected()) return false;
  const uint16_t id = nextId_++;
  if (nextId_ == 0) nextId_ = 1;
  std::string ack;
  if (!sendPacket(0x82, u16(id) + str(topic) + char(1)) || !await(9, id, 5000, &ack)) return false;
  // SUBACK return code 0x80: the ACL refused it.
  return ack.size() >= 3 && uint8_t(ack[2]) != 0x80;
}

void MqttClient::loop(MqttHandler& handler) {
  if (!connected()) return;
  uint8_t h;
  std::string body;
  while (readPacket(h, body, 0)) handleIncoming(h, body);
  const long long now = nowMs();
  if (pingSentMs_ && now - pingSentMs_ > keepAliveS_ * 1000LL) {
    drop("no PINGRESP");
    return;
  }
  if (!pingSentMs_ && now - lastSendMs_ >= keepAliveS_ * 500LL) {
    if (sendPacket(0xC0, "")) pingSentMs_ = now;
  }
  while (!inbox_.empty()) {
    const auto m = inbox_.front();
    inbox_.pop_front();
    handler.onMessage(m.first, m.second);
  }
}

}  // namespace hp::host
