// Readings waiting to be published, kept in flash so a reboot loses none. The flash image is a
// header (magic, version, capacity, head, count, CRC) followed by fixed-size slots, each with its
// own CRC: a push writes one slot and the header, a drop only the header — a few dozen bytes per
// reading, which LittleFS's wear levelling spreads. When full, the oldest reading is overwritten.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hal.h"
#include "reading.h"

namespace hp {

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);

class RingBuffer {
 public:
  static constexpr uint32_t kMagic = 0x48504246;  // "HPBF"
  static constexpr uint16_t kVersion = 1;
  static constexpr size_t kHeaderSize = 24;
  static constexpr size_t kSlotSize = 48;

  /** capacity readings; flash may be null (RAM only, tests). */
  RingBuffer(size_t capacity, Flash* flash);

  static size_t imageSize(size_t capacity) { return kHeaderSize + capacity * kSlotSize; }

  /** Reads the image back after a boot. Returns how many readings it restored; a bad header or a
   *  capacity change starts empty (and says so through lastRestoreError()), a bad slot is skipped. */
  size_t restore();
  const char* lastRestoreError() const { return restoreError_; }

  void push(const Reading& r);
  /** Up to n of the oldest readings, oldest first (not removed). */
  std::vector<Reading> peek(size_t n) const;
  /** Removes the n oldest (after they were published). */
  void drop(size_t n);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  uint32_t overwritten() const { return overwritten_; }

  static void encodeSlot(const Reading& r, uint8_t* out);
  static bool decodeSlot(const uint8_t* in, Reading& r);

 private:
  void writeHeader();
  void writeSlot(size_t index);

  size_t capacity_;
  Flash* flash_;
  std::vector<Reading> slots_;
  size_t head_ = 0;  // index of the oldest
  size_t count_ = 0;
  uint32_t overwritten_ = 0;
  const char* restoreError_ = nullptr;
};

}  // namespace hp
