// N-API entry points: validate the typed arrays, split the batch across threads, dispatch to the
// AVX2+FMA or the baseline build of the kernels. No global mutable state, so the addon can load in
// several worker threads (and Electron's main process) at once.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <xmmintrin.h>
#define RNNK_HAVE_MXCSR 1
#endif

namespace {

using rnnk::Grads;
using rnnk::Problem;

struct Impl {
  void (*forward)(const Problem&, int, int);
  void (*backward)(const Problem&, const Grads&, const float*, const float*, int, int);
  float (*peakLoop)(long);
  const char* simd;
};

Impl pickImpl() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // RNN_WORKBENCH_SIMD=baseline forces the portable build (tests run it on AVX2 machines too).
  const char* forced = std::getenv("RNN_WORKBENCH_SIMD");
  const bool baseline = forced != nullptr && std::strcmp(forced, "baseline") == 0;
  if (!baseline && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {rnnk::avx2::forwardSlice, rnnk::avx2::backwardSlice, rnnk::avx2::peakLoop, "avx2+fma"};
  }
#endif
  return {rnnk::base::forwardSlice, rnnk::base::backwardSlice, rnnk::base::peakLoop, "baseline"};
}

int threadCount() {
  // RNN_WORKBENCH_THREADS overrides the core count (e.g. 1 to leave a core to the UI).
  const char* env = std::getenv("RNN_WORKBENCH_THREADS");
  if (env != nullptr) {
    const int n = std::atoi(env);
    if (n > 0) return std::min(n, 64);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(std::min(hw, 64u));
}

struct Error {
  std::string message;
};

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return nullptr;
}

int intArg(napi_env env, napi_value v, const char* name) {
  int32_t out = 0;
  if (napi_get_value_int32(env, v, &out) != napi_ok) throw Error{std::string(name) + " must be an integer"};
  return out;
}

// A Float32Array of exactly `length` elements, or null when `optional` and the value is null/undefined.
float* floatsArg(napi_env env, napi_value v, const char* name, size_t length, bool optional) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (optional && (type == napi_null || type == napi_undefined)) return nullptr;
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) throw Error{std::string(name) + " must be a Float32Array"};
  napi_typedarray_type ttype;
  size_t len = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, v, &ttype, &len, &data, nullptr, nullptr);
  if (ttype != napi_float32_array) throw Error{std::string(name) + " must be a Float32Array"};
  if (len != length) {
    throw Error{std::string(name) + " must have " + std::to_string(length) + " elements. Received: " + std::to_string(len)};
  }
  return static_cast<float*>(data);
}

// An Int32Array of any length: its elements and their count.
const int32_t* int32sArg(napi_env env, napi_value v, const char* name, size_t* length) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  napi_typedarray_type ttype = napi_float32_array;
  void* data = nullptr;
  if (isTyped) napi_get_typedarray_info(env, v, &ttype, length, &data, nullptr, nullptr);
  if (!isTyped || ttype != napi_int32_array) throw Error{std::string(name) + " must be an Int32Array"};
  return static_cast<const int32_t*>(data);
}

struct Parsed {
  Problem p;
  size_t GH;
};

// Arguments 0..10: cell, B, T, I, H, x, W, U, bias, mask, rdrop.
Parsed parseInputs(napi_env env, napi_value* a) {
  Problem p{};
  p.cell = intArg(env, a[0], "cell");
  if (p.cell < rnnk::kSimple || p.cell > rnnk::kGruResetAfter) throw Error{"cell must be 0..3"};
  p.B = intArg(env, a[1], "batch");
  p.T = intArg(env, a[2], "timesteps");
  p.I = intArg(env, a[3], "inputDim");
  p.H = intArg(env, a[4], "units");
  if (p.B <= 0 || p.T <= 0 || p.I <= 0 || p.H <= 0) throw Error{"batch, timesteps, inputDim and units must be positive"};
  const size_t B = p.B, T = p.T, I = p.I, H = p.H, GH = rnnk::gatesOf(p.cell) * H;
  p.x = floatsArg(env, a[5], "x", B * T * I, false);
  p.W = floatsArg(env, a[6], "kernel", I * GH, false);
  p.U = floatsArg(env, a[7], "recurrentKernel", H * GH, false);
  p.bias = floatsArg(env, a[8], "bias", p.cell == rnnk::kGruResetAfter ? 2 * GH : GH, false);
  p.mask = floatsArg(env, a[9], "mask", B * T, true);
  p.rdrop = floatsArg(env, a[10], "recurrentDropoutMask", B * H, true);
  return {p, GH};
}

// Arguments 0..14: the inputs, then hs, cs, act, inner.
Parsed parseProblem(napi_env env, napi_value* a) {
  Parsed parsed = parseInputs(env, a);
  Problem& p = parsed.p;
  const size_t B = p.B, T = p.T, H = p.H, GH = parsed.GH;
  p.hs = floatsArg(env, a[11], "hs", B * T * H, false);
  p.cs = floatsArg(env, a[12], "cs", B * T * H, p.cell != rnnk::kLstm);
  p.act = floatsArg(env, a[13], "act", B * T * GH, false);
  p.inner = floatsArg(env, a[14], "inner", B * T * H, p.cell != rnnk::kGruResetAfter);
  return parsed;
}

// Gradients fade over hundreds of steps into subnormal floats, which x86 handles ~100x slower:
// flush them to zero while a kernel runs (FTZ+DAZ), then restore the caller's mode.
template <typename F>
void withFlushToZero(F&& body) {
#ifdef RNNK_HAVE_MXCSR
  const unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040);
  body();
  _mm_setcsr(saved);
#else
  body();
#endif
}

// Splits the batch into chunks that the threads take in turn: on a machine busy with other work a
// descheduled thread then delays the call by one chunk, not by half the batch. body(thread, b0, b1)
// may accumulate into per-thread buffers.
template <typename F>
void runSlices(int B, int threads, F&& body) {
  const int n = std::max(1, std::min(threads, B));
  const int chunk = n == 1 ? B : std::max(4, (B + 4 * n - 1) / (4 * n));
  // Chunks go to threads round-robin, not first-come: each thread's private gradient sums then cover
  // the same rows in the same order every call, so a seeded run gives bit-identical results.
  auto worker = [&](int k) {
    withFlushToZero([&] {
      for (int b0 = k * chunk; b0 < B; b0 += n * chunk) body(k, b0, std::min(B, b0 + chunk));
    });
  };
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (int k = 1; k < n; k++) pool.emplace_back(worker, k);
  worker(0);
  for (auto& th : pool) th.join();
}

struct State {
  Impl impl;
  int threads;
};

State* stateOf(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, nullptr, &data);
  return static_cast<State*>(data);
}

napi_value Forward(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  State* s = stateOf(env, info, &argc, argv);
  if (argc != 15) return throwError(env, "forward expects 15 arguments. Received: " + std::to_string(argc));
  try {
    const Parsed parsed = parseProblem(env, argv);
    const Problem& p = parsed.p;
    runSlices(p.B, s->threads, [&](int, int b0, int b1) { s->impl.forward(p, b0, b1); });
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

// forwardLast(cell, B, T, I, H, x, W, U, bias, mask, rdrop, hLast [B,H]): the forward pass for inference,
// keeping only the state after the last step.
napi_value ForwardLast(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  State* s = stateOf(env, info, &argc, argv);
  if (argc != 12) return throwError(env, "forwardLast expects 12 arguments. Received: " + std::to_string(argc));
  try {
    Parsed parsed = parseInputs(env, argv);
    Problem& p = parsed.p;
    p.hLast = floatsArg(env, argv[11], "hLast", static_cast<size_t>(p.B) * p.H, false);
    runSlices(p.B, s->threads, [&](int, int b0, int b1) { s->impl.forward(p, b0, b1); });
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

// Arguments 15..19 after the forward ones: dhs ([B,T,H] or [B,H]), dx, dW, dU, db (outputs, overwritten).
napi_value Backward(napi_env env, napi_callback_info info) {
  size_t argc = 20;
  napi_value argv[20];
  State* s = stateOf(env, info, &argc, argv);
  if (argc != 20) return throwError(env, "backward expects 20 arguments. Received: " + std::to_string(argc));
  try {
    const Parsed parsed = parseProblem(env, argv);
    const Problem& p = parsed.p;
    const size_t B = p.B, T = p.T, I = p.I, H = p.H, GH = parsed.GH;
    const size_t nb = p.cell == rnnk::kGruResetAfter ? 2 * GH : GH;
    Grads g{};
    // The gradient covers every step, or only the last one (a layer without return_sequences).
    size_t dhsLength = 0;
    napi_get_typedarray_info(env, argv[15], nullptr, &dhsLength, nullptr, nullptr, nullptr);
    g.lastOnly = T > 1 && dhsLength == B * H;
    g.dhs = floatsArg(env, argv[15], "dhs", g.lastOnly ? B * H : B * T * H, false);
    g.dx = floatsArg(env, argv[16], "dx", B * T * I, false);
    g.dW = floatsArg(env, argv[17], "dKernel", I * GH, false);
    g.dU = floatsArg(env, argv[18], "dRecurrentKernel", H * GH, false);
    g.db = floatsArg(env, argv[19], "dBias", nb, false);
    std::vector<float> UT(GH * H), WT(GH * I);
    for (size_t k = 0; k < H; k++)
      for (size_t j = 0; j < GH; j++) UT[j * H + k] = p.U[k * GH + j];
    for (size_t i = 0; i < I; i++)
      for (size_t j = 0; j < GH; j++) WT[j * I + i] = p.W[i * GH + j];
    const int n = std::max(1, std::min(s->threads, p.B));
    // Thread 0 accumulates into the outputs; the others into private copies summed afterwards.
    const size_t sizes[3] = {I * GH, H * GH, nb};
    std::vector<std::vector<float>> priv(static_cast<size_t>(n - 1) * 3);
    for (int k = 1; k < n; k++)
      for (int q = 0; q < 3; q++) priv[(k - 1) * 3 + q].assign(sizes[q], 0.0f);
    std::fill(g.dW, g.dW + sizes[0], 0.0f);
    std::fill(g.dU, g.dU + sizes[1], 0.0f);
    std::fill(g.db, g.db + sizes[2], 0.0f);
    runSlices(p.B, n, [&](int k, int b0, int b1) {
      Grads mine = g;
      if (k > 0) {
        mine.dW = priv[(k - 1) * 3].data();
        mine.dU = priv[(k - 1) * 3 + 1].data();
        mine.db = priv[(k - 1) * 3 + 2].data();
      }
      s->impl.backward(p, mine, UT.data(), WT.data(), b0, b1);
    });
    float* outs[3] = {g.dW, g.dU, g.db};
    for (int k = 1; k < n; k++)
      for (int q = 0; q < 3; q++) {
        const std::vector<float>& src = priv[(k - 1) * 3 + q];
        for (size_t i = 0; i < sizes[q]; i++) outs[q][i] += src[i];
      }
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

// gather(table [rows, inner] Float32Array, rows, ids Int32Array, out [ids, inner] Float32Array):
// the Embedding lookup. Returns the position of the first id outside [0, rows), or -1 when all are
// valid (then out holds the rows); the caller raises the error.
napi_value Gather(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  State* s = stateOf(env, info, &argc, argv);
  if (argc != 4) return throwError(env, "gather expects 4 arguments. Received: " + std::to_string(argc));
  int32_t bad = -1;
  try {
    const int rows = intArg(env, argv[1], "rows");
    size_t n = 0;
    const int32_t* ids = int32sArg(env, argv[2], "ids", &n);
    size_t tableLength = 0;
    napi_get_typedarray_info(env, argv[0], nullptr, &tableLength, nullptr, nullptr, nullptr);
    if (rows <= 0 || tableLength % rows != 0) throw Error{"table length must be a multiple of rows"};
    const size_t inner = tableLength / rows;
    const float* table = floatsArg(env, argv[0], "table", tableLength, false);
    float* out = floatsArg(env, argv[3], "out", n * inner, false);
    for (size_t i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= rows) {
        bad = static_cast<int32_t>(i);
        break;
      }
    }
    if (bad == -1 && n > 0) {
      runSlices(static_cast<int>(n), s->threads, [&](int, int i0, int i1) {
        for (int i = i0; i < i1; i++) std::memcpy(out + i * inner, table + static_cast<size_t>(ids[i]) * inner, inner * sizeof(float));
      });
    }
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  napi_value result;
  napi_create_int32(env, bad, &result);
  return result;
}

// scatterAdd(x [n, inner] Float32Array, ids Int32Array [n], rows, out [rows, inner] Float32Array): the
// Embedding's gradient, out[ids[i]] += x[i] with out zeroed first and ids outside [0, rows) dropped (as
// TensorFlow's UnsortedSegmentSum). Each thread owns a band of output rows and scans every id in order, so
// each row's sum runs in the same order as a single sequential pass: the result does not depend on the
// thread count, and no two threads write the same cache line except at a band's edges (never concurrently
// the same float).
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  State* s = stateOf(env, info, &argc, argv);
  if (argc != 4) return throwError(env, "scatterAdd expects 4 arguments. Received: " + std::to_string(argc));
  try {
    size_t n = 0;
    const int32_t* ids = int32sArg(env, argv[1], "ids", &n);
    const int rows = intArg(env, argv[2], "rows");
    if (rows <= 0) throw Error{"rows must be a positive integer"};
    size_t outLength = 0;
    napi_get_typedarray_info(env, argv[3], nullptr, &outLength, nullptr, nullptr, nullptr);
    if (outLength % rows != 0) throw Error{"out length must be a multiple of rows"};
    const size_t inner = outLength / rows;
    const float* x = floatsArg(env, argv[0], "x", n * inner, false);
    float* out = floatsArg(env, argv[3], "out", outLength, false);
    const int n32 = static_cast<int>(n);
    // Bands of output rows; a band of fewer than 64 rows is not worth a thread.
    const int threads = std::max(1, std::min(s->threads, rows / 64));
    auto band = [&](int k) {
      const int r0 = static_cast<int>(static_cast<long>(rows) * k / threads);
      const int r1 = static_cast<int>(static_cast<long>(rows) * (k + 1) / threads);
      std::fill(out + static_cast<size_t>(r0) * inner, out + static_cast<size_t>(r1) * inner, 0.0f);
      for (int i = 0; i < n32; i++) {
        const int id = ids[i];
        if (id < r0 || id >= r1) continue;
        float* dst = out + static_cast<size_t>(id) * inner;
        const float* src = x + static_cast<size_t>(i) * inner;
        for (size_t k2 = 0; k2 < inner; k2++) dst[k2] += src[k2];
      }
    };
    std::vector<std::thread> pool;
    for (int k = 1; k < threads; k++) pool.emplace_back(band, k);
    band(0);
    for (auto& th : pool) th.join();
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

// The optimizers' updates, one pass per variable instead of tfjs' op-by-op chain, with the same float32
// operations in the same order (each tfjs op rounds to float32; nothing here fuses two of them: this file is
// built without FMA contraction), so the results equal tfjs' bit for bit. Outputs may alias inputs: element i
// of every input is read before element i of any output is written.
//
// rmsprop(value, meanSquare, moment, gradient, newValue, newMeanSquare, newMoment, learningRate, decay, momentum,
// epsilon): tfjs' RMSPropOptimizer (not centered), epsilon inside the square root:
//   ms' = ms*decay + g*g*(1-decay);  mom' = mom*momentum + g*lr / sqrt(ms' + eps);  value' = value - mom'.
// adam(value, m, v, gradient, newValue, newM, newV, learningRate, beta1, beta2, epsilon, oneMinusAccBeta1,
// oneMinusAccBeta2): tfjs' AdamOptimizer, epsilon outside the square root of the bias-corrected v:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + g*g*(1-b2);  value' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + value.
// Every number arrives as the double JavaScript holds; tfjs makes a float32 scalar of each (of 1 - decay, 1 - beta
// computed in double first), and so do we.
napi_value Optimizer(napi_env env, napi_callback_info info, bool adam) {
  size_t argc = 13;
  napi_value argv[13];
  stateOf(env, info, &argc, argv);
  const size_t expected = adam ? 13 : 11;
  const char* name = adam ? "adam" : "rmsprop";
  if (argc != expected) return throwError(env, std::string(name) + " expects " + std::to_string(expected) + " arguments. Received: " + std::to_string(argc));
  try {
    size_t n = 0;
    napi_get_typedarray_info(env, argv[0], nullptr, &n, nullptr, nullptr, nullptr);
    static const char* names[7] = {"value", "accumulator1", "accumulator2", "gradient", "newValue", "newAccumulator1", "newAccumulator2"};
    float* a[7];
    for (int i = 0; i < 7; i++) a[i] = floatsArg(env, argv[i], names[i], n, false);
    double d[6];
    float c[6];
    for (size_t i = 7; i < expected; i++) {
      if (napi_get_value_double(env, argv[i], &d[i - 7]) != napi_ok) throw Error{std::string(name) + "'s hyperparameters must be numbers"};
      c[i - 7] = static_cast<float>(d[i - 7]);
    }
    const float* value = a[0];
    const float* acc1 = a[1];
    const float* acc2 = a[2];
    const float* grad = a[3];
    if (!adam) {
      const float lr = c[0], decay = c[1], oneMinusDecay = static_cast<float>(1.0 - d[1]), momentum = c[2], eps = c[3];
      for (size_t i = 0; i < n; i++) {
        const float g = grad[i];
        const float ms = acc1[i] * decay + (g * g) * oneMinusDecay;
        const float mom = acc2[i] * momentum + (g * lr) / std::sqrt(ms + eps);
        const float v = value[i] - mom;
        a[5][i] = ms;
        a[6][i] = mom;
        a[4][i] = v;
      }
    } else {
      const float lr = c[0], beta1 = c[1], beta2 = c[2], eps = c[3], corr1 = c[4], corr2 = c[5];
      const float oneMinusBeta1 = static_cast<float>(1.0 - d[1]);
      const float oneMinusBeta2 = static_cast<float>(1.0 - d[2]);
      const float negLr = -lr;
      for (size_t i = 0; i < n; i++) {
        const float g = grad[i];
        const float m = acc1[i] * beta1 + g * oneMinusBeta1;
        const float v2 = acc2[i] * beta2 + (g * g) * oneMinusBeta2;
        const float v = ((m / corr1) / (std::sqrt(v2 / corr2) + eps)) * negLr + value[i];
        a[5][i] = m;
        a[6][i] = v2;
        a[4][i] = v;
      }
    }
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

napi_value RmsProp(napi_env env, napi_callback_info info) { return Optimizer(env, info, false); }
napi_value Adam(napi_env env, napi_callback_info info) { return Optimizer(env, info, true); }

napi_value Info(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  State* s = stateOf(env, info, &argc, nullptr);
  napi_value out, threads, simd;
  napi_create_object(env, &out);
  napi_create_int32(env, s->threads, &threads);
  napi_create_string_utf8(env, s->impl.simd, NAPI_AUTO_LENGTH, &simd);
  napi_set_named_property(env, out, "threads", threads);
  napi_set_named_property(env, out, "simd", simd);
  return out;
}

// The multiply-add peak on the kernels' threads and instruction set: each thread runs `iterations` of the peak
// loop; returns { macs, seconds } (wall time from the first thread's start to the last one's end, so a busy
// machine's descheduling lowers it, as it lowers the kernels' own rate measured beside it).
napi_value Peak(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  State* s = stateOf(env, info, &argc, argv);
  try {
    if (argc < 1) throw Error{"peak expects 1 argument"};
    const int iterations = intArg(env, argv[0], "iterations");
    if (iterations <= 0) throw Error{"iterations must be a positive integer"};
    std::vector<float> sinks(s->threads);
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int k = 1; k < s->threads; k++) pool.emplace_back([&, k] { sinks[k] = s->impl.peakLoop(iterations); });
    sinks[0] = s->impl.peakLoop(iterations);
    for (auto& th : pool) th.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double macs = static_cast<double>(iterations) * rnnk::kPeakMacsPerIteration * s->threads;
    napi_value out, macsValue, secondsValue, sinkValue;
    napi_create_object(env, &out);
    napi_create_double(env, macs, &macsValue);
    napi_create_double(env, seconds, &secondsValue);
    float sink = 0;
    for (float v : sinks) sink += v;
    // Returned so the loops' results are used: a finite number, of no meaning beyond that.
    napi_create_double(env, sink, &sinkValue);
    napi_set_named_property(env, out, "macs", macsValue);
    napi_set_named_property(env, out, "seconds", secondsValue);
    napi_set_named_property(env, out, "checksum", sinkValue);
    return out;
  } catch (const Error& e) {
    return throwError(env, e.message);
  }
}

void freeState(napi_env, void* data, void*) { delete static_cast<State*>(data); }

}  // namespace

NAPI_MODULE_INIT() {
  State* state = new State{pickImpl(), threadCount()};
  napi_add_finalizer(env, exports, state, freeState, nullptr, nullptr);
  napi_property_descriptor props[] = {
      {"forward", nullptr, Forward, nullptr, nullptr, nullptr, napi_default, state},
      {"forwardLast", nullptr, ForwardLast, nullptr, nullptr, nullptr, napi_default, state},
      {"backward", nullptr, Backward, nullptr, nullptr, nullptr, napi_default, state},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, state},
      {"scatterAdd", nullptr, ScatterAdd, nullptr, nullptr, nullptr, napi_default, state},
      {"rmsprop", nullptr, RmsProp, nullptr, nullptr, nullptr, napi_default, state},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, state},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, state},
      {"peak", nullptr, Peak, nullptr, nullptr, nullptr, napi_default, state},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
