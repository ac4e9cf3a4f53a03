// Fused recurrent kernels: one call runs a whole sequence forward or backward (BPTT) for a batch slice.
// The same source is compiled twice (baseline x86-64 and AVX2+FMA) into separate namespaces; the
// addon picks one at load time from the CPU's features, so the binary runs on any x86-64 machine.
#pragma once
#include <cstdint>

namespace rnnk {

enum Cell : int { kSimple = 0, kLstm = 1, kGru = 2, kGruResetAfter = 3 };

inline int gatesOf(int cell) { return cell == kSimple ? 1 : cell == kLstm ? 4 : 3; }

// Shapes: x [B,T,I], W [I,G*H], U [H,G*H], bias [G*H] (kGruResetAfter: [2,G*H], input then recurrent),
// mask [B,T] (1 keep / 0 masked) or null, rdrop [B,H] recurrent-dropout multiplier or null.
struct Problem {
  int cell, B, T, I, H;
  const float* x;
  const float* W;
  const float* U;
  const float* bias;
  const float* mask;
  const float* rdrop;
  // Forward results kept for the backward pass (null when hLast is set):
  float* hs;    // [B,T,H] h after each step (masked steps carry the previous h)
  float* cs;    // [B,T,H] LSTM cell state, else null
  float* act;   // [B,T,G*H] gate activations
  float* inner; // [B,T,H] GRU reset_after: recurrent part of the candidate, else null
  // Inference (no backward pass follows): [B,H] the state after the last step, the only result kept; the
  // steps' values live in per-slice rings of a few steps instead of the arrays above.
  float* hLast;
};

struct Grads {
  const float* dhs; // [B,T,H] gradient of hs, or [B,H] of the last step only when lastOnly
  bool lastOnly;
  float* dx;        // [B,T,I]
  float* dW;        // [I,G*H] accumulated (+=) so each thread can own a copy
  float* dU;        // [H,G*H]
  float* db;        // bias shape
};

// Multiply-adds of one iteration of peakLoop: 12 independent chains of 8 lanes.
constexpr int kPeakChains = 12;
constexpr long kPeakMacsPerIteration = kPeakChains * 8;

#define RNNK_DECLARE(ns)                                                              \
  namespace ns {                                                                      \
  void forwardSlice(const Problem& p, int b0, int b1);                                \
  float peakLoop(long iterations);                                                    \
  void backwardSlice(const Problem& p, const Grads& g, const float* UT, const float* WT, int b0, int b1); \
  }
RNNK_DECLARE(base)
RNNK_DECLARE(avx2)

}  // namespace rnnk
