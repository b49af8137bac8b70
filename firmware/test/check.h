// The host suite's tiny test framework: TEST registers a case, CHECK records a failure.
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& cases() {
  static std::vector<Case> c;
  return c;
}
inline std::vector<std::string> failures;
struct Reg {
  Reg(const char* n, std::function<void()> f) { cases().push_back({n, std::move(f)}); }
};

#define TEST(name)                         \
  static void name();                      \
  static Reg reg_##name(#name, name);      \
  static void name()
#define CHECK(cond)                                                                                  \
  do {                                                                                               \
    if (!(cond)) failures.push_back(std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " #cond); \
  } while (0)
#define CHECK_EQ(a, b)                                                                                       \
  do {                                                                                                       \
    const auto va = (a);                                                                                     \
    const auto vb = (b);                                                                                     \
    if (!(va == vb))                                                                                         \
      failures.push_back(std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " #a " == " #b " (got " + \
                         show(va) + " vs " + show(vb) + ")");                                                \
  } while (0)
#define CHECK_NEAR(a, b, tol) CHECK(std::fabs(double(a) - double(b)) <= (tol))

inline std::string show(const std::string& s) { return "\"" + s + "\""; }
inline std::string show(const char* s) { return show(std::string(s)); }
template <typename T>
inline std::string show(const T& v) {
  return std::to_string(v);
}
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

