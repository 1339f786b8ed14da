#pragma once

#include <cstdint>

// Small helpers shared by the policy units. Pure functions: safe from any thread.
namespace meshlb::lb {

// The interface promises weight >= 1 but config or discovery may still hand us 0; treating 0
// as 1 keeps every usable host pickable instead of silently draining it.
inline uint64_t effectiveWeight(uint32_t weight) {
  return weight == 0 ? 1 : weight;
}

// Maps a uniform 64-bit value onto [0, bound) with one multiply (Lemire's method) instead of a
// division; the bias is at most bound / 2^64, far below anything a balancer can observe.
// Precondition: bound > 0.
inline uint64_t scaleToRange(uint64_t random, uint64_t bound) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(random) * bound) >> 64);
}

}  // namespace meshlb::lb
