#include "ring_buffer.h"

#include <cstring>

namespace hp {

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Explicit little-endian fields: the image means the same on any host that reads it.
static void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = uint8_t(v >> (8 * i));
}
static uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
static void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
static uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

RingBuffer::RingBuffer(size_t capacity, Flash* flash) : capacity_(capacity), flash_(flash), slots_(capacity) {}

void RingBuffer::encodeSlot(const Reading& r, uint8_t* out) {
  std::memset(out, 0, kSlotSize);
  put32(out, r.time);
  for (int i = 0; i < SensorCount; i++) {
    uint32_t bits;
    std::memcpy(&bits, &r.values[i], 4);
    put32(out + 4 + 4 * i, bits);
  }
  put16(out + 40, r.validMask);
  out[42] = uint8_t((r.compressor ? 1 : 0) | (r.fan ? 2 : 0) | (r.defrost ? 4 : 0));
  put32(out + 44, crc32(out, 44));
}

bool RingBuffer::decodeSlot(const uint8_t* in, Reading& r) {
  if (get32(in + 44) != crc32(in, 44)) return false;
  r.time = get32(in);
  for (int i = 0; i < SensorCount; i++) {
    const uint32_t bits = get32(in + 4 + 4 * i);
    std::memcpy(&r.values[i], &bits, 4);
  }
  r.validMask = get16(in + 40);
  r.compressor = in[42] & 1;
  r.fan = in[42] & 2;
  r.defrost = in[42] & 4;
  return r.time != 0;
}

void RingBuffer::writeHeader() {
  if (!flash_) return;
  uint8_t h[kHeaderSize] = {};
  put32(h, kMagic);
  put16(h + 4, kVersion);
  put16(h + 6, uint16_t(kSlotSize));
  put32(h + 8, uint32_t(capacity_));
  put32(h + 12, uint32_t(head_));
  put32(h + 16, uint32_t(count_));
  put32(h + 20, crc32(h, 20));
  flash_->write(0, h, kHeaderSize);
}

void RingBuffer::writeSlot(size_t index) {
  if (!flash_) return;
  uint8_t s[kSlotSize];
  encodeSlot(slots_[index], s);
  flash_->write(kHeaderSize + index * kSlotSize, s, kSlotSize);
}

size_t RingBuffer::restore() {
  head_ = count_ = 0;
  restoreError_ = nullptr;
  if (!flash_) return 0;
  uint8_t h[kHeaderSize];
  if (flash_->size() < imageSize(capacity_) || !flash_->read(0, h, kHeaderSize)) {
    restoreError_ = "no buffer image (first boot)";
    return 0;
  }
  if (get32(h) != kMagic) {
    restoreError_ = "no buffer image (first boot)";
    return 0;
  }
  if (get32(h + 20) != crc32(h, 20)) {
    restoreError_ = "buffer image header is corrupt; starting empty";
    return 0;
  }
  if (get16(h + 4) != kVersion || get16(h + 6) != kSlotSize || get32(h + 8) != capacity_) {
    restoreError_ = "buffer image has another layout or capacity; starting empty";
    return 0;
  }
  const size_t head = get32(h + 12), count = get32(h + 16);
  if (head >= capacity_ || count > capacity_) {
    restoreError_ = "buffer image header is out of range; starting empty";
    return 0;
  }
  // Copy the good slots, oldest first, into a compact ring; a slot torn by a reset mid-write is lost
  // alone rather than taking the rest with it.
  std::vector<Reading> good;
  for (size_t i = 0; i < count; i++) {
    const size_t idx = (head + i) % capacity_;
    uint8_t s[kSlotSize];
    Reading r;
    if (flash_->read(kHeaderSize + idx * kSlotSize, s, kSlotSize) && decodeSlot(s, r)) good.push_back(r);
  }
  if (good.size() != count) restoreError_ = "buffer image had corrupt slots; they were skipped";
  for (size_t i = 0; i < good.size(); i++) slots_[(head + i) % capacity_] = good[i];
  head_ = head;
  count_ = good.size();
  if (count_ != count) {
    for (size_t i = 0; i < count_; i++) writeSlot((head_ + i) % capacity_);
    writeHeader();
  }
  return count_;
}

void RingBuffer::push(const Reading& r) {
  size_t idx;
  if (count_ < capacity_) {
    idx = (head_ + count_) % capacity_;
    count_++;
  } else {
    // Full: the oldest goes (the newest readings matter most after a long outage).
    idx = head_;
    head_ = (head_ + 1) % capacity_;
    overwritten_++;
  }
  slots_[idx] = r;
  writeSlot(idx);
  writeHeader();
}

std::vector<Reading> RingBuffer::peek(size_t n) const {
  std::vector<Reading> out;
  for (size_t i = 0; i < n && i < count_; i++) out.push_back(slots_[(head_ + i) % capacity_]);
  return out;
}

void RingBuffer::drop(size_t n) {
  if (n > count_) n = count_;
  head_ = (head_ + n) % capacity_;
  count_ -= n;
  writeHeader();
}

}  // namespace hp
