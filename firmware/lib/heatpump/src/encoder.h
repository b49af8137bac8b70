// The wire format of contracts/src/cellular.ts (schemas in contracts/schemas/cellular-*.v1.json).
#pragma once
#include <string>
#include <vector>

#include "reading.h"

namespace hp {

struct SignalInfo {
  int csq = 99;
};

std::string encodeReading(const Reading& r);
std::string encodeBatch(const std::string& device, const std::string& fw, uint32_t seq,
                        const std::vector<Reading>& readings, size_t stillBuffered, const SignalInfo& signal);
std::string encodeSignal(const SignalInfo& s);
std::string encodeOnline(bool online, uint32_t time, const std::string& fw, uint32_t intervalS);

}  // namespace hp
