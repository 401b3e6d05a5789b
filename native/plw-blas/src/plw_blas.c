/*
 * plw-blas: OpenBLAS sgemm on a caller's Float32Array, in place.
 *
 * The caller (src-worker/backend/blas.ts) passes the WASM backend's HEAPF32 view and byte
 * offsets of the operands on that heap, so products run on the tensors where they live: no
 * copies in or out. The heap may be a SharedArrayBuffer (threaded WASM build); Node 20's
 * N-API has no SharedArrayBuffer call, but napi_get_typedarray_info gives the data pointer of
 * a typed array over either kind of buffer. Every slice is bounds-checked against the view
 * before OpenBLAS touches it.
 *
 * OpenBLAS's own prototypes are declared here rather than taken from <cblas.h>: Debian's
 * cblas.h is an alternatives symlink that may point at another BLAS, which lacks the
 * openblas_* functions. The values are the standard CBLAS enums.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };

extern void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c,
                        int ldc);
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_parallel(void);

/*
 * Products smaller than this (m·n·k multiply-adds) run on one thread: waking OpenBLAS's other
 * threads costs more than it saves there, and on a loaded machine a descheduled thread stalls
 * the whole product (a tiny model trained 2x slower on 2 threads than on 1).
 */
#define SMALL_PRODUCT (1 << 22)
static int configured_threads = 1;
static int current_threads = -1;

static void use_threads(int threads) {
  if (threads != current_threads) {
    openblas_set_num_threads(threads);
    current_threads = threads;
  }
}

#define CHECK(call)                                                                          \
  do {                                                                                       \
    if ((call) != napi_ok) {                                                                 \
      napi_throw_error(env, NULL, "plw-blas: N-API call failed: " #call);                   \
      return NULL;                                                                           \
    }                                                                                        \
  } while (0)

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

/* A Float32Array or Int32Array argument: data pointer and element count. */
static bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, void **data,
                        size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok) {
    return false;
  }
  return type == want;
}

static bool get_double(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

/* A dimension: an integer in [0, 2^31). */
static bool get_dim(napi_env env, napi_value v, int *out) {
  double d;
  if (!get_double(env, v, &d) || !(d >= 0 && d < 2147483648.0) || d != (double)(int64_t)d) {
    return false;
  }
  *out = (int)d;
  return true;
}

/* A byte offset: an integer multiple of 4 in [0, 2^53). Doubles, since heaps pass 2 GB. */
static bool get_offset(napi_env env, napi_value v, uint64_t *out) {
  double d;
  if (!get_double(env, v, &d) || !(d >= 0 && d < 9007199254740992.0) ||
      d != (double)(uint64_t)d) {
    return false;
  }
  *out = (uint64_t)d;
  return *out % 4 == 0;
}

/*
 * sgemm(heap, aByte, bByte, cByte, m, n, k, transA, transB, aIndex, bIndex)
 *
 * For each output batch o: C[o] = op(A[aIndex[o]]) · op(B[bIndex[o]]), where on the heap
 * A slices are [m, k] (or [k, m] when transA) at aByte, B slices [k, n] (or [n, k]) at
 * bByte, and C slices [m, n] at cByte + o·m·n·4, all row-major and contiguous. When every
 * output uses the same B and consecutive untransposed A slices (a weight matrix shared by
 * a batch), the batch is one GEMM of batch·m rows.
 */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 11) return fail(env, "plw-blas sgemm: expected 11 arguments");
  float *heap;
  size_t heap_len;
  if (!typed_array(env, argv[0], napi_float32_array, (void **)&heap, &heap_len)) {
    return fail(env, "plw-blas sgemm: heap must be a Float32Array");
  }
  uint64_t a_off, b_off, c_off;
  if (!get_offset(env, argv[1], &a_off) || !get_offset(env, argv[2], &b_off) ||
      !get_offset(env, argv[3], &c_off)) {
    return fail(env, "plw-blas sgemm: offsets must be non-negative multiples of 4");
  }
  int m, n, k;
  if (!get_dim(env, argv[4], &m) || !get_dim(env, argv[5], &n) || !get_dim(env, argv[6], &k)) {
    return fail(env, "plw-blas sgemm: m, n, k must be integers in [0, 2^31)");
  }
  bool trans_a, trans_b;
  if (napi_get_value_bool(env, argv[7], &trans_a) != napi_ok ||
      napi_get_value_bool(env, argv[8], &trans_b) != napi_ok) {
    return fail(env, "plw-blas sgemm: transA and transB must be booleans");
  }
  int32_t *a_index, *b_index;
  size_t batch, b_batch;
  if (!typed_array(env, argv[9], napi_int32_array, (void **)&a_index, &batch) ||
      !typed_array(env, argv[10], napi_int32_array, (void **)&b_index, &b_batch) ||
      batch != b_batch) {
    return fail(env, "plw-blas sgemm: aIndex and bIndex must be Int32Arrays of one length");
  }
  if (m == 0 || n == 0 || batch == 0) return NULL;
  if (k == 0) return fail(env, "plw-blas sgemm: k must be positive (the caller fills zeros)");

  const uint64_t a_size = (uint64_t)m * (uint64_t)k;
  const uint64_t b_size = (uint64_t)k * (uint64_t)n;
  const uint64_t c_size = (uint64_t)m * (uint64_t)n;
  const uint64_t a_base = a_off / 4, b_base = b_off / 4, c_base = c_off / 4;
  /* Every slice lies inside the view. */
  if (c_base + (uint64_t)batch * c_size > heap_len) {
    return fail(env, "plw-blas sgemm: the output lies outside the heap");
  }
  bool one_gemm = !trans_a && batch > 1;
  for (size_t o = 0; o < batch; o++) {
    if (a_index[o] < 0 || b_index[o] < 0) return fail(env, "plw-blas sgemm: negative index");
    if (a_base + ((uint64_t)a_index[o] + 1) * a_size > heap_len ||
        b_base + ((uint64_t)b_index[o] + 1) * b_size > heap_len) {
      return fail(env, "plw-blas sgemm: an operand lies outside the heap");
    }
    if (b_index[o] != b_index[0] || a_index[o] != a_index[0] + (int32_t)o) one_gemm = false;
  }
  if (one_gemm && (uint64_t)m * batch >= 2147483648ULL) one_gemm = false;

  const uint64_t work = (uint64_t)m * (uint64_t)n * (uint64_t)k * (one_gemm ? batch : 1);
  use_threads(work < SMALL_PRODUCT ? 1 : configured_threads);
  const int ta = trans_a ? CblasTrans : CblasNoTrans;
  const int tb = trans_b ? CblasTrans : CblasNoTrans;
  const int lda = trans_a ? m : k;
  const int ldb = trans_b ? k : n;
  if (one_gemm) {
    cblas_sgemm(CblasRowMajor, ta, tb, m * (int)batch, n, k, 1.0f,
                heap + a_base + (uint64_t)a_index[0] * a_size, lda,
                heap + b_base + (uint64_t)b_index[0] * b_size, ldb, 0.0f, heap + c_base, n);
    return NULL;
  }
  for (size_t o = 0; o < batch; o++) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f,
                heap + a_base + (uint64_t)a_index[o] * a_size, lda,
                heap + b_base + (uint64_t)b_index[o] * b_size, ldb, 0.0f,
                heap + c_base + (uint64_t)o * c_size, n);
  }
  return NULL;
}

/* setThreads(n): OpenBLAS's thread count for the following products (small ones use one). */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int threads;
  if (argc != 1 || !get_dim(env, argv[0], &threads) || threads < 1) {
    return fail(env, "plw-blas setThreads: expected an integer >= 1");
  }
  configured_threads = threads;
  use_threads(threads);
  return NULL;
}

static napi_status set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  napi_status s = napi_create_string_utf8(env, value == NULL ? "" : value, NAPI_AUTO_LENGTH, &v);
  return s != napi_ok ? s : napi_set_named_property(env, obj, key, v);
}

static napi_status set_int(napi_env env, napi_value obj, const char *key, int value) {
  napi_value v;
  napi_status s = napi_create_int32(env, value, &v);
  return s != napi_ok ? s : napi_set_named_property(env, obj, key, v);
}

/* info(): { coreName, config, threads, parallel } as OpenBLAS reports them. */
static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  CHECK(set_string(env, obj, "coreName", openblas_get_corename()));
  CHECK(set_string(env, obj, "config", openblas_get_config()));
  CHECK(set_int(env, obj, "threads", openblas_get_num_threads()));
  CHECK(set_int(env, obj, "parallel", openblas_get_parallel()));
  return obj;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    napi_throw_error(env, NULL, "plw-blas: cannot define its functions");
  }
  return exports;
}
