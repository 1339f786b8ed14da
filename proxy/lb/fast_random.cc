#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

namespace {

// splitmix64 (Steele, Lea, Flood): spreads any seed, including 0 and small integers, into a
// well-mixed xoshiro state, which must not be all zeros.
uint64_t splitMix64(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

FastRandom::FastRandom(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : state_) {
    word = splitMix64(x);
  }
}

// xoshiro256** 1.0 (Blackman, Vigna), as published.
uint64_t FastRandom::next() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

}  // namespace meshlb::lb
