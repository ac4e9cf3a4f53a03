// Compiled once per instruction set (see binding.gyp); RNNK_NS names the namespace of this copy.
// Plain C++ with GCC/Clang vector extensions: the compiler lowers the 8-float vectors to AVX2 FMAs
// in the AVX2 build and to pairs of SSE2 operations in the baseline build.
// Keep every helper in the anonymous namespace or in RNNK_NS: an inline function with a shared (weak)
// symbol could be resolved to the AVX2 copy and then run on a CPU without AVX2.
#include <cmath>
#include <cstring>
#include <memory>

#include "kernels.h"

#ifndef RNNK_NS
#error "RNNK_NS must name the namespace of this build"
#endif

namespace rnnk {
namespace RNNK_NS {
namespace {

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));

inline v8 load8(const float* p) { return *reinterpret_cast<const v8u*>(p); }
inline void store8(float* p, v8 v) { *reinterpret_cast<v8u*>(p) = v; }

// Every lane x, as one broadcast (`v8{} + x` would add 0.0f first: an extra instruction per use, as the
// addition is not an identity for -0.0f).
inline v8 splat(float x) { return v8{x, x, x, x, x, x, x, x}; }

inline int imin(int a, int b) { return a < b ? a : b; }
inline void fillRange(float* from, float* to, float v) {
  for (; from < to; ++from) *from = v;
}
inline void copyRange(const float* from, const float* to, float* dst) {
  for (; from < to; ++from, ++dst) *dst = *from;
}

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

typedef int v8i __attribute__((vector_size(32)));

// exp for 8 floats (Cephes' expf polynomial, ~2 ulp): libm's scalar expf/tanhf would cost more than
// the matrix products at 32 units.
inline v8 vexp(v8 x) {
  x = x > 88.3f ? v8{} + 88.3f : x;
  x = x < -87.3f ? v8{} - 87.3f : x;
  const v8 t = x * 1.44269504088896341f + 0.5f;
  v8 n = __builtin_convertvector(__builtin_convertvector(t, v8i), v8);
  n = n > t ? n - 1.0f : n;  // floor(t): the conversion truncates toward zero
  const v8 r = x - n * 0.693359375f + n * 2.12194440e-4f;
  v8 p = v8{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const v8 y = p * r * r + r + 1.0f;
  const v8i bits = (__builtin_convertvector(n, v8i) + 127) << 23;
  return y * (v8)bits;  // a same-size vector cast reinterprets the bits
}

inline v8 vsigmoid(v8 x) { return 1.0f / (1.0f + vexp(-x)); }
// 1 - 2/(e^2x + 1) saturates cleanly at both ends.
inline v8 vtanh(v8 x) { return 1.0f - 2.0f / (vexp(x + x) + 1.0f); }

inline void sigmoidN(float* p, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) store8(p + i, vsigmoid(load8(p + i)));
  for (; i < n; i++) p[i] = sigmoid(p[i]);
}

inline void tanhN(float* p, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) store8(p + i, vtanh(load8(p + i)));
  for (; i < n; i++) p[i] = std::tanh(p[i]);
}

inline void addN(float* a, const float* b, int n) {
  for (int i = 0; i < n; i++) a[i] += b[i];
}

enum TileInit { kZero, kBias, kAcc };

// C[MR,16] = init + A[MR,K] * B[K,16] with all accumulators in registers; init is C itself (kAcc), the row
// vector bias (the same for every row, kBias), or zero. The init is a template argument: chosen at run time it
// made the compiler keep the accumulators in memory (zeroed with rep stos, spilled and reloaded around the loop).
template <int MR, TileInit INIT>
__attribute__((always_inline)) inline void tile16(int K, const float* A, long ars, long acs, const float* B, long ldb, float* C, long ldc,
                                                  const float* bias) {
  v8 c0[MR], c1[MR];
  for (int r = 0; r < MR; r++) {
    if (INIT == kAcc) {
      c0[r] = load8(C + r * ldc);
      c1[r] = load8(C + r * ldc + 8);
    } else if (INIT == kBias) {
      c0[r] = load8(bias);
      c1[r] = load8(bias + 8);
    } else {
      c0[r] = v8{};
      c1[r] = v8{};
    }
  }
  // One pointer per row of A and one into B, advanced by their strides: no index arithmetic in the loop.
  const float* ap[MR];
  for (int r = 0; r < MR; r++) ap[r] = A + r * ars;
  const float* bp = B;
  for (int k = 0; k < K; k++) {
    const v8 b0 = load8(bp);
    const v8 b1 = load8(bp + 8);
    bp += ldb;
    for (int r = 0; r < MR; r++) {
      const v8 a = splat(*ap[r]);
      ap[r] += acs;
      c0[r] += a * b0;
      c1[r] += a * b1;
    }
  }
  for (int r = 0; r < MR; r++) {
    store8(C + r * ldc, c0[r]);
    store8(C + r * ldc + 8, c1[r]);
  }
}

template <int MR>
void tileRows(int K, const float* A, long ars, long acs, const float* B, long ldb, float* C, long ldc, bool acc, const float* bias) {
  if (acc) {
    tile16<MR, kAcc>(K, A, ars, acs, B, ldb, C, ldc, nullptr);
  } else if (bias) {
    tile16<MR, kBias>(K, A, ars, acs, B, ldb, C, ldc, bias);
  } else {
    tile16<MR, kZero>(K, A, ars, acs, B, ldb, C, ldc, nullptr);
  }
}

// C[M,N] = (C if acc, else bias row if given, else 0) + A[M,K] * B[K,N]; A(r,k) = A[r*ars + k*acs]; B and C
// row-major with leading dims ldb, ldc. Each element's sum runs over k in order, so the result does not depend
// on how M is tiled.
void gemm(int M, int N, int K, const float* A, long ars, long acs, const float* B, long ldb, float* C, long ldc, bool acc,
          const float* bias = nullptr) {
  // K is blocked so a panel of B stays in cache while every tile of C passes over it.
  const int KC = 256;
  // Six rows of two 8-float vectors: 12 accumulators, 2 of B and a broadcast fill 15 of the 16 AVX2 registers.
  const int MR = 6;
  const int N16 = N - N % 16;
  for (int k0 = 0; k0 < K || (k0 == 0 && !acc); k0 += KC) {
    const int kc = imin(KC, K - k0);
    const bool a = acc || k0 > 0;
    const float* bz = a ? nullptr : bias;
    const float* Ak = A + k0 * acs;
    const float* Bk = B + static_cast<long>(k0) * ldb;
    for (int i = 0; i < M; i += MR) {
      const int mr = imin(MR, M - i);
      const float* Ai = Ak + i * ars;
      float* Ci = C + i * ldc;
      for (int j = 0; j < N16; j += 16) {
        const float* bj = bz ? bz + j : nullptr;
        switch (mr) {
          case 6: tileRows<6>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
          case 5: tileRows<5>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
          case 4: tileRows<4>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
          case 3: tileRows<3>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
          case 2: tileRows<2>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
          default: tileRows<1>(kc, Ai, ars, acs, Bk + j, ldb, Ci + j, ldc, a, bj); break;
        }
      }
      for (int r = 0; r < mr; r++) {
        for (int j = N16; j < N; j++) {
          float s = a ? Ci[r * ldc + j] : bz ? bz[j] : 0.0f;
          for (int k = 0; k < kc; k++) s += Ai[r * ars + k * acs] * Bk[static_cast<long>(k) * ldb + j];
          Ci[r * ldc + j] = s;
        }
      }
    }
    if (K == 0) break;
  }
}

inline long at(int b, int t, int T, int width) { return (static_cast<long>(b) * T + t) * width; }

// Where a slice keeps one per-step array: rows of `width` values per step, one run of steps per sequence
// `rowStride` apart; step t at t, or at t % ring in a ring of `ring` steps.
struct StepRows {
  float* base;
  long rowStride;
  int width;
  int ring;
  float* at(int r, int t) const { return base + r * rowStride + static_cast<long>(ring ? t % ring : t) * width; }
};

// hm[r] = h_{t-1} of row b0+r times its recurrent-dropout multiplier, if any (zeros before the first step).
void droppedState(const Problem& p, const StepRows& hs, int b0, int rows, int t, float* hm) {
  const int H = p.H;
  for (int r = 0; r < rows; r++) {
    float* dst = hm + r * H;
    if (t == 0) {
      fillRange(dst, dst + H, 0.0f);
      continue;
    }
    const float* h = hs.at(r, t - 1);
    const float* drop = p.rdrop ? p.rdrop + static_cast<long>(b0 + r) * H : nullptr;
    for (int u = 0; u < H; u++) dst[u] = drop ? h[u] * drop[u] : h[u];
  }
}

inline bool kept(const Problem& p, int b, int t) { return !p.mask || p.mask[static_cast<long>(b) * p.T + t] != 0.0f; }

}  // namespace

void forwardSlice(const Problem& p, int b0, int b1) {
  const int T = p.T, I = p.I, H = p.H, GH = gatesOf(p.cell) * H;
  const int rows = b1 - b0;
  if (rows <= 0) return;
  // The input projection act = bias_in + x W, for a block of kProjectionSteps steps of every sequence at a
  // time, just before the recurrence reaches them: the block's gate rows (16 sequences x 36 steps x 3-4 gates
  // x 32 units, ~0.3 MB) are still in cache when the steps read them back, where a projection of all 500 steps
  // up front (25 MB) would have gone to memory and back. Each element is the same sum either way.
  const int kProjectionSteps = 36;
  // Training keeps every step's values in the caller's arrays for the backward pass; inference (hLast) keeps
  // them in rings of kProjectionSteps steps per sequence, which stay in cache, and returns the last state only.
  const bool inference = p.hLast != nullptr;
  std::unique_ptr<float[]> rings;
  const int ring = inference ? kProjectionSteps : 0;
  auto rowsOf = [&](float* caller, int width, long ringOffset) {
    return inference ? StepRows{rings.get() + ringOffset * rows, static_cast<long>(kProjectionSteps) * width, width, ring}
                     : StepRows{caller ? caller + at(b0, 0, T, width) : nullptr, static_cast<long>(T) * width, width, 0};
  };
  // One block: the gates, then h, c and the GRU's inner part (unused by the cells without them).
  if (inference) rings.reset(new float[static_cast<long>(rows) * kProjectionSteps * (GH + 3 * H)]);
  const long ringStep = kProjectionSteps;
  const StepRows act = rowsOf(p.act, GH, 0);
  const StepRows hsR = rowsOf(p.hs, H, ringStep * GH);
  const StepRows csR = rowsOf(p.cs, H, ringStep * (GH + H));
  const StepRows innerR = rowsOf(p.inner, H, ringStep * (GH + 2 * H));

  std::unique_ptr<float[]> hm(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> rec(new float[static_cast<long>(rows) * GH]());
  std::unique_ptr<float[]> rhm(new float[static_cast<long>(rows) * H]());
  const float* recBias = p.cell == kGruResetAfter ? p.bias + GH : nullptr;
  // SimpleRNN and LSTM add the recurrent product straight into the gate rows, and so does the reset-after GRU
  // for its update and reset gates (their recurrent bias joins the input bias of the projection); its candidate's
  // recurrent part, which the reset gate multiplies, goes apart into rec, as all of the reset-before GRU's.
  const bool intoAct = p.cell == kSimple || p.cell == kLstm || p.cell == kGruResetAfter;
  const int actCols = p.cell == kGruResetAfter ? 2 * H : GH;
  std::unique_ptr<float[]> joinedBias;
  const float* projectionBias = p.bias;
  if (p.cell == kGruResetAfter) {
    joinedBias.reset(new float[GH]);
    for (int j = 0; j < GH; j++) joinedBias[j] = j < 2 * H ? p.bias[j] + recBias[j] : p.bias[j];
    projectionBias = joinedBias.get();
  }

  for (int t = 0; t < T; t++) {
    if (t % kProjectionSteps == 0) {
      const int steps = imin(kProjectionSteps, T - t);
      for (int r = 0; r < rows; r++) {
        gemm(steps, GH, I, p.x + at(b0 + r, t, T, I), I, 1, p.W, GH, act.at(r, t), GH, false, projectionBias);
      }
    }
    if (intoAct) {
      // act += h_{t-1} U in place (nothing to add before the first step); without recurrent dropout the
      // product reads the kept states where they are (one sequence's run of steps, or ring, apart).
      if (t > 0) {
        const bool direct = !p.rdrop;
        if (!direct) droppedState(p, hsR, b0, rows, t, hm.get());
        const float* hPrev = direct ? hsR.at(0, t - 1) : hm.get();
        const long ldh = direct ? hsR.rowStride : H;
        gemm(rows, actCols, H, hPrev, ldh, 1, p.U, GH, act.at(0, t), act.rowStride, true);
        if (actCols < GH) gemm(rows, GH - actCols, H, hPrev, ldh, 1, p.U + actCols, GH, rec.get() + actCols, GH, false);
      } else if (actCols < GH) {
        fillRange(rec.get(), rec.get() + static_cast<long>(rows) * GH, 0.0f);
      }
    } else {
      droppedState(p, hsR, b0, rows, t, hm.get());
      const int recCols = p.cell == kGru ? 2 * H : GH;
      gemm(rows, recCols, H, hm.get(), H, 1, p.U, GH, rec.get(), GH, false);
    }
    for (int r = 0; r < rows; r++) {
      const int b = b0 + r;
      float* a = act.at(r, t);
      const float* g = rec.get() + static_cast<long>(r) * GH;
      float* h = hsR.at(r, t);
      const float* hp = t > 0 ? hsR.at(r, t - 1) : nullptr;
      const bool keep = kept(p, b, t);
      switch (p.cell) {
        case kSimple:
          tanhN(a, H);
          for (int u = 0; u < H; u++) h[u] = keep ? a[u] : (hp ? hp[u] : 0.0f);
          break;
        case kLstm: {
          float* c = csR.at(r, t);
          const float* cp = t > 0 ? csR.at(r, t - 1) : nullptr;
          // One pass over the units, eight at a time: the gates' activations, the new cell and state (separate
          // passes over the row per operation cost as much as the recurrent product at 32 units).
          int u0 = 0;
          for (; u0 + 8 <= H; u0 += 8) {
            const v8 ig = vsigmoid(load8(a + u0));
            const v8 fg = vsigmoid(load8(a + H + u0));
            const v8 cg = vtanh(load8(a + 2 * H + u0));
            const v8 og = vsigmoid(load8(a + 3 * H + u0));
            store8(a + u0, ig);
            store8(a + H + u0, fg);
            store8(a + 2 * H + u0, cg);
            store8(a + 3 * H + u0, og);
            const v8 cprev = cp ? load8(cp + u0) : v8{};
            if (keep) {
              const v8 cn = fg * cprev + ig * cg;
              store8(c + u0, cn);
              store8(h + u0, og * vtanh(cn));
            } else {
              store8(c + u0, cprev);
              store8(h + u0, hp ? load8(hp + u0) : v8{});
            }
          }
          for (int u = u0; u < H; u++) {
            const float ig = sigmoid(a[u]), fg = sigmoid(a[H + u]);
            const float cg = std::tanh(a[2 * H + u]), og = sigmoid(a[3 * H + u]);
            a[u] = ig;
            a[H + u] = fg;
            a[2 * H + u] = cg;
            a[3 * H + u] = og;
            const float cprev = cp ? cp[u] : 0.0f;
            if (keep) {
              c[u] = fg * cprev + ig * cg;
              h[u] = og * std::tanh(c[u]);
            } else {
              c[u] = cprev;
              h[u] = hp ? hp[u] : 0.0f;
            }
          }
          break;
        }
        case kGru: {
          // Reset gate before the matmul: the candidate needs (r * h) U_h, a second product per step.
          float* rh = rhm.get() + static_cast<long>(r) * H;
          const float* hmr = hm.get() + static_cast<long>(r) * H;
          addN(a, g, 2 * H);
          sigmoidN(a, 2 * H);
          for (int u = 0; u < H; u++) rh[u] = a[H + u] * hmr[u];
          break;
        }
        case kGruResetAfter: {
          float* in = innerR.at(r, t);
          // One pass over the units, eight at a time, as for the LSTM.
          int u0 = 0;
          for (; u0 + 8 <= H; u0 += 8) {
            const v8 z = vsigmoid(load8(a + u0));
            const v8 rr = vsigmoid(load8(a + H + u0));
            const v8 iv = load8(g + 2 * H + u0) + load8(recBias + 2 * H + u0);
            const v8 hh = vtanh(load8(a + 2 * H + u0) + rr * iv);
            const v8 hprev = hp ? load8(hp + u0) : v8{};
            store8(a + u0, z);
            store8(a + H + u0, rr);
            store8(a + 2 * H + u0, hh);
            store8(in + u0, iv);
            store8(h + u0, keep ? z * hprev + (1.0f - z) * hh : hprev);
          }
          for (int u = u0; u < H; u++) {
            const float z = sigmoid(a[u]);
            const float rr = sigmoid(a[H + u]);
            const float iv = g[2 * H + u] + recBias[2 * H + u];
            const float hh = std::tanh(a[2 * H + u] + rr * iv);
            const float hprev = hp ? hp[u] : 0.0f;
            a[u] = z;
            a[H + u] = rr;
            a[2 * H + u] = hh;
            in[u] = iv;
            h[u] = keep ? z * hprev + (1.0f - z) * hh : hprev;
          }
          break;
        }
      }
    }
    if (p.cell == kGru) {
      gemm(rows, H, H, rhm.get(), H, 1, p.U + 2 * H, GH, rec.get(), GH, false);
      for (int r = 0; r < rows; r++) {
        const int b = b0 + r;
        float* a = act.at(r, t);
        const float* g = rec.get() + static_cast<long>(r) * GH;
        float* h = hsR.at(r, t);
        const float* hp = t > 0 ? hsR.at(r, t - 1) : nullptr;
        const bool keep = kept(p, b, t);
        addN(a + 2 * H, g, H);
        tanhN(a + 2 * H, H);
        for (int u = 0; u < H; u++) {
          const float hprev = hp ? hp[u] : 0.0f;
          h[u] = keep ? a[u] * hprev + (1.0f - a[u]) * a[2 * H + u] : hprev;
        }
      }
    }
  }
  if (inference) {
    for (int r = 0; r < rows; r++) copyRange(hsR.at(r, T - 1), hsR.at(r, T - 1) + H, p.hLast + static_cast<long>(b0 + r) * H);
  }
}

void backwardSlice(const Problem& p, const Grads& gr, const float* UT, const float* WT, int b0, int b1) {
  const int T = p.T, I = p.I, H = p.H, GH = gatesOf(p.cell) * H;
  const int rows = b1 - b0;
  if (rows <= 0) return;
  // The products over all steps (dx = dZ W^T, dW += x^T dZ, db += sum dZ, and dU and the recurrent bias when
  // summed after the loop) run per block of steps as soon as the loop has finished them, while the block's dZ
  // rows are in cache, not over all steps at the end when they have gone to memory. So dZ, the gradient of the
  // gate pre-activations, needs rows for one block only: [rows, kBlockSteps, G*H], step t at t % kBlockSteps.
  const int kBlockSteps = 36;
  std::unique_ptr<float[]> dZblock(new float[static_cast<long>(rows) * kBlockSteps * GH]);
  auto dzAt = [&](int r, int t) { return dZblock.get() + (static_cast<long>(r) * kBlockSteps + t % kBlockSteps) * GH; };
  std::unique_ptr<float[]> dh(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> dc(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> hm(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> rhm(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> dhm(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> drhm(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> dRec(new float[static_cast<long>(rows) * GH]());
  std::unique_ptr<float[]> dAh(new float[static_cast<long>(rows) * H]());
  std::unique_ptr<float[]> direct(new float[static_cast<long>(rows) * H]());
  float* dbRec = p.cell == kGruResetAfter ? gr.db + GH : nullptr;
  // Without recurrent dropout (h_{t-1} is then the stored state) SimpleRNN, LSTM and reset-after GRU sum
  // dU = sum over steps of h_{t-1}^T drec_t in one long product per sequence after the loop instead of a short
  // one (K = rows) per step that loads and stores all of dU. For SimpleRNN and LSTM drec is dz itself; for the
  // reset-after GRU it is dz except the candidate's block (dah * r): once a block's input-side products have
  // read dz, that block is scaled by r in place and the same rows serve dU and the recurrent bias.
  const bool dUAfter = (p.cell == kSimple || p.cell == kLstm || p.cell == kGruResetAfter) && !p.rdrop;
  const bool recAfter = p.cell == kGruResetAfter && dUAfter;

  auto flush = [&](int t0, int t1) {
    const int steps = t1 - t0;
    for (int r = 0; r < rows; r++) {
      const int b = b0 + r;
      float* dz = dzAt(r, t0);
      const float* x = p.x + at(b, t0, T, I);
      gemm(steps, I, GH, dz, GH, 1, WT, I, gr.dx + at(b, t0, T, I), I, false);
      gemm(I, GH, steps, x, 1, I, dz, GH, gr.dW, GH, true);
      for (int k = 0; k < steps; k++) addN(gr.db, dz + static_cast<long>(k) * GH, GH);
      if (recAfter) {
        // dz becomes drec: the candidate's block times the step's reset gate; then the recurrent bias sums it
        // over every step (the first one's too).
        for (int k = 0; k < steps; k++) {
          float* d = dz + static_cast<long>(k) * GH;
          const float* a = p.act + at(b, t0 + k, T, GH);
          for (int u = 0; u < H; u++) d[2 * H + u] *= a[H + u];
          addN(dbRec, d, GH);
        }
      }
      if (dUAfter) {
        // dU += h_{t-1}^T drec_t over the block's steps after the first of the sequence (h_{-1} is zero).
        const int s0 = t0 == 0 ? 1 : t0;
        if (t1 > s0) {
          const float* h = p.hs + at(b, s0 - 1, T, H);
          gemm(H, GH, t1 - s0, h, 1, H, dzAt(r, s0), GH, gr.dU, GH, true);
        }
      }
    }
  };
  int flushedFrom = T;
  // The forward pass's states of this slice's rows, every step kept.
  const StepRows storedStates{p.hs + static_cast<long>(b0) * T * H, static_cast<long>(T) * H, H, 0};

  for (int t = T - 1; t >= 0; t--) {
    // Only GRU and the per-step dU (recurrent dropout) read the previous state during the loop.
    if (!dUAfter) droppedState(p, storedStates, b0, rows, t, hm.get());
    for (int r = 0; r < rows; r++) {
      const int b = b0 + r;
      float* dhr = dh.get() + static_cast<long>(r) * H;
      const float* dy = !gr.lastOnly ? gr.dhs + at(b, t, T, H) : t == T - 1 ? gr.dhs + static_cast<long>(b) * H : nullptr;
      if (dy) addN(dhr, dy, H);
      float* dz = dzAt(r, t);
      float* drec = dRec.get() + static_cast<long>(r) * GH;
      float* dir = direct.get() + static_cast<long>(r) * H;
      if (!kept(p, b, t)) {
        // A masked step copied the state through: its gradient passes on unchanged.
        fillRange(dz, dz + GH, 0.0f);
        fillRange(drec, drec + GH, 0.0f);
        if (p.cell == kGru) fillRange(dAh.get() + static_cast<long>(r) * H, dAh.get() + static_cast<long>(r + 1) * H, 0.0f);
        continue;
      }
      const float* a = p.act + at(b, t, T, GH);
      const float* hp = t > 0 ? p.hs + at(b, t - 1, T, H) : nullptr;
      switch (p.cell) {
        case kSimple: {
          const float* h = a;
          for (int u = 0; u < H; u++) {
            dz[u] = dhr[u] * (1.0f - h[u] * h[u]);
            dir[u] = 0.0f;
          }
          break;
        }
        case kLstm: {
          float* dcr = dc.get() + static_cast<long>(r) * H;
          const float* c = p.cs + at(b, t, T, H);
          const float* cp = t > 0 ? p.cs + at(b, t - 1, T, H) : nullptr;
          float* tcs = rhm.get() + static_cast<long>(r) * H;
          int u0 = 0;
          // Eight units at a time in vectors (the compiler cannot rule out that dz, dc and the activations
          // overlap, so it would not vectorise the scalar loop), the remainder one by one.
          for (; u0 + 8 <= H; u0 += 8) {
            const v8 ig = load8(a + u0), fg = load8(a + H + u0), cg = load8(a + 2 * H + u0), og = load8(a + 3 * H + u0);
            const v8 tc = vtanh(load8(c + u0));
            const v8 dhv = load8(dhr + u0);
            const v8 dcu = load8(dcr + u0) + dhv * og * (1.0f - tc * tc);
            const v8 cprev = cp ? load8(cp + u0) : v8{};
            store8(dz + u0, dcu * cg * ig * (1.0f - ig));
            store8(dz + H + u0, dcu * cprev * fg * (1.0f - fg));
            store8(dz + 2 * H + u0, dcu * ig * (1.0f - cg * cg));
            store8(dz + 3 * H + u0, dhv * tc * og * (1.0f - og));
            store8(dcr + u0, dcu * fg);
            store8(dir + u0, v8{});
          }
          for (int u = u0; u < H; u++) tcs[u] = c[u];
          tanhN(tcs + u0, H - u0);
          for (int u = u0; u < H; u++) {
            const float ig = a[u], fg = a[H + u], cg = a[2 * H + u], og = a[3 * H + u];
            const float tc = tcs[u];
            const float dcu = dcr[u] + dhr[u] * og * (1.0f - tc * tc);
            const float cprev = cp ? cp[u] : 0.0f;
            dz[u] = dcu * cg * ig * (1.0f - ig);
            dz[H + u] = dcu * cprev * fg * (1.0f - fg);
            dz[2 * H + u] = dcu * ig * (1.0f - cg * cg);
            dz[3 * H + u] = dhr[u] * tc * og * (1.0f - og);
            dcr[u] = dcu * fg;
            dir[u] = 0.0f;
          }
          break;
        }
        case kGru: {
          float* dah = dAh.get() + static_cast<long>(r) * H;
          float* rh = rhm.get() + static_cast<long>(r) * H;
          const float* hmr = hm.get() + static_cast<long>(r) * H;
          for (int u = 0; u < H; u++) {
            const float z = a[u], rr = a[H + u], hh = a[2 * H + u];
            const float hprev = hp ? hp[u] : 0.0f;
            dz[u] = dhr[u] * (hprev - hh) * z * (1.0f - z);
            dah[u] = dhr[u] * (1.0f - z) * (1.0f - hh * hh);
            dz[2 * H + u] = dah[u];
            drec[u] = dz[u];
            dir[u] = dhr[u] * z;
            rh[u] = rr * hmr[u];
          }
          break;
        }
        case kGruResetAfter: {
          const float* in = p.inner + at(b, t, T, H);
          int u0 = 0;
          // Vectors of eight units, as in the LSTM case, then the remainder one by one.
          for (; u0 + 8 <= H; u0 += 8) {
            const v8 z = load8(a + u0), rr = load8(a + H + u0), hh = load8(a + 2 * H + u0);
            const v8 hprev = hp ? load8(hp + u0) : v8{};
            const v8 dhv = load8(dhr + u0);
            const v8 dah = dhv * (1.0f - z) * (1.0f - hh * hh);
            const v8 dzz = dhv * (hprev - hh) * z * (1.0f - z);
            const v8 dzr = dah * load8(in + u0) * rr * (1.0f - rr);
            store8(dz + u0, dzz);
            store8(dz + H + u0, dzr);
            store8(dz + 2 * H + u0, dah);
            store8(drec + u0, dzz);
            store8(drec + H + u0, dzr);
            store8(drec + 2 * H + u0, dah * rr);
            store8(dir + u0, dhv * z);
          }
          for (int u = u0; u < H; u++) {
            const float z = a[u], rr = a[H + u], hh = a[2 * H + u];
            const float hprev = hp ? hp[u] : 0.0f;
            const float dah = dhr[u] * (1.0f - z) * (1.0f - hh * hh);
            dz[u] = dhr[u] * (hprev - hh) * z * (1.0f - z);
            dz[H + u] = dah * in[u] * rr * (1.0f - rr);
            dz[2 * H + u] = dah;
            drec[u] = dz[u];
            drec[H + u] = dz[H + u];
            drec[2 * H + u] = dah * rr;
            dir[u] = dhr[u] * z;
          }
          if (!recAfter) {
            for (int j = 0; j < GH; j++) dbRec[j] += drec[j];
          }
          break;
        }
      }
    }
    if (p.cell == kGru) {
      // The candidate's recurrent input is r * h: its gradient gives the reset gate's.
      gemm(rows, H, H, dAh.get(), H, 1, UT + 2 * H * H, H, drhm.get(), H, false);
      gemm(H, H, rows, rhm.get(), 1, H, dAh.get(), H, gr.dU + 2 * H, GH, true);
      for (int r = 0; r < rows; r++) {
        const int b = b0 + r;
        if (!kept(p, b, t)) continue;
        const float* a = p.act + at(b, t, T, GH);
        float* dz = dzAt(r, t);
        float* drec = dRec.get() + static_cast<long>(r) * GH;
        const float* hmr = hm.get() + static_cast<long>(r) * H;
        const float* drh = drhm.get() + static_cast<long>(r) * H;
        for (int u = 0; u < H; u++) {
          const float rr = a[H + u];
          dz[H + u] = drh[u] * hmr[u] * rr * (1.0f - rr);
          drec[H + u] = dz[H + u];
        }
      }
      gemm(rows, H, 2 * H, dRec.get(), GH, 1, UT, H, dhm.get(), H, false);
      gemm(H, 2 * H, rows, hm.get(), 1, H, dRec.get(), GH, gr.dU, GH, true);
      for (int r = 0; r < rows; r++) {
        const float* a = p.act + at(b0 + r, t, T, GH);
        float* d = dhm.get() + static_cast<long>(r) * H;
        const float* drh = drhm.get() + static_cast<long>(r) * H;
        if (!kept(p, b0 + r, t)) continue;
        for (int u = 0; u < H; u++) d[u] += drh[u] * a[H + u];
      }
    } else if (p.cell == kGruResetAfter) {
      gemm(rows, H, GH, dRec.get(), GH, 1, UT, H, dhm.get(), H, false);
      if (!dUAfter) gemm(H, GH, rows, hm.get(), 1, H, dRec.get(), GH, gr.dU, GH, true);
    } else {
      // SimpleRNN and LSTM: the recurrent product's gradient is dz itself, read in place (rows kBlockSteps*GH apart).
      const float* dzt = dzAt(0, t);
      const long ldz = static_cast<long>(kBlockSteps) * GH;
      gemm(rows, H, GH, dzt, ldz, 1, UT, H, dhm.get(), H, false);
      if (!dUAfter) gemm(H, GH, rows, hm.get(), 1, H, dzt, ldz, gr.dU, GH, true);
    }
    for (int r = 0; r < rows; r++) {
      float* dhr = dh.get() + static_cast<long>(r) * H;
      const float* dir = direct.get() + static_cast<long>(r) * H;
      if (!kept(p, b0 + r, t)) continue;
      const float* d = dhm.get() + static_cast<long>(r) * H;
      const float* drop = p.rdrop ? p.rdrop + static_cast<long>(b0 + r) * H : nullptr;
      for (int u = 0; u < H; u++) dhr[u] = dir[u] + (drop ? d[u] * drop[u] : d[u]);
    }
    if (t % kBlockSteps == 0) {
      flush(t, flushedFrom);
      flushedFrom = t;
    }
  }
}

// The machine's multiply-add peak for this instruction set: kPeakChains independent 8-lane chains cover the
// FMA latency on two ports (4-5 cycles x 2 in flight), so the loop runs at the units' throughput, not their
// latency. acc*m + c stays bounded (m < 1); the sum is returned so the compiler cannot drop the loop.
float peakLoop(long iterations) {
  v8 acc[kPeakChains];
  for (int k = 0; k < kPeakChains; k++) acc[k] = v8{} + static_cast<float>(k);
  const v8 m = v8{} + 0.9999999f;
  const v8 c = v8{} + 1e-7f;
  for (long i = 0; i < iterations; i++) {
    for (int k = 0; k < kPeakChains; k++) acc[k] = acc[k] * m + c;
  }
  v8 sum{};
  for (int k = 0; k < kPeakChains; k++) sum += acc[k];
  float total = 0;
  for (int l = 0; l < 8; l++) total += sum[l];
  return total;
}

}  // namespace RNNK_NS
}  // namespace rnnk
