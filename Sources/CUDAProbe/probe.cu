// Headroom's CUDA calibration probe: measures a transformer-shaped decode iteration and prefill
// with cuBLAS bf16 GEMMs and a straightforward attention kernel, host-to-device bandwidth (pageable
// and pinned), and the weight-loading path (sequential vs streamed). Prints JSON on stdout in the
// profile's raw-sample format, which `headroom calibrate --backend cuda --input FILE` fits.
//
// Build: make cuda (nvcc + cuBLAS). Run: headroom-probe --name 8b-2layers --layers 2 --hidden 4096
//   --heads 32 --kv-heads 8 --intermediate 14336 --weights-mb 2048 --file /tmp/weights.bin
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define CUDA_CHECK(call)                                                                          \
    do {                                                                                          \
        cudaError_t status_ = (call);                                                             \
        if (status_ != cudaSuccess) {                                                             \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,                   \
                    cudaGetErrorString(status_));                                                 \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)
#define CUBLAS_CHECK(call)                                                                        \
    do {                                                                                          \
        cublasStatus_t status_ = (call);                                                          \
        if (status_ != CUBLAS_STATUS_SUCCESS) {                                                   \
            fprintf(stderr, "%s:%d: %s failed: status %d\n", __FILE__, __LINE__, #call,            \
                    (int)status_);                                                                \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

struct Shape {
    std::string name = "tiny";
    int layers = 2, hidden = 256, heads = 4, kvHeads = 2, intermediate = 1024;
};

// One block per (query row, head): scores of the query against `context` cached keys, a softmax,
// and the weighted sum of the values. Keys and values are [context][kvHeads][headDim].
__global__ void attention(const __nv_bfloat16 *q, const __nv_bfloat16 *k, const __nv_bfloat16 *v, __nv_bfloat16 *out,
                          int context, int heads, int kvHeads, int headDim, float *scratch) {
    int row = blockIdx.x, head = blockIdx.y, kvHead = head / (heads / kvHeads);
    const __nv_bfloat16 *query = q + ((size_t)row * heads + head) * headDim;
    float *scores = scratch + ((size_t)row * heads + head) * context;
    __shared__ float maximum, total;
    for (int t = threadIdx.x; t < context; t += blockDim.x) {
        const __nv_bfloat16 *key = k + ((size_t)t * kvHeads + kvHead) * headDim;
        float dot = 0;
        for (int i = 0; i < headDim; i++) dot += __bfloat162float(query[i]) * __bfloat162float(key[i]);
        scores[t] = dot / sqrtf((float)headDim);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        maximum = -1e30f;
        for (int t = 0; t < context; t++) maximum = fmaxf(maximum, scores[t]);
        total = 0;
        for (int t = 0; t < context; t++) total += __expf(scores[t] - maximum);
    }
    __syncthreads();
    for (int i = threadIdx.x; i < headDim; i += blockDim.x) {
        float sum = 0;
        for (int t = 0; t < context; t++)
            sum += __expf(scores[t] - maximum) / total * __bfloat162float(v[((size_t)t * kvHeads + kvHead) * headDim + i]);
        out[((size_t)row * heads + head) * headDim + i] = __float2bfloat16(sum);
    }
}

struct Probe {
    Shape shape;
    cublasHandle_t blas;
    int headDim, kvWidth;
    __nv_bfloat16 *wQKV, *wO, *wUp, *wDown, *x, *qkv, *attended, *mlp, *cache;
    float *scratch;
    size_t maxRows = 8192, maxContext = 8192;

    explicit Probe(const Shape &s) : shape(s) {
        headDim = s.hidden / s.heads;
        kvWidth = s.kvHeads * headDim;
        CUBLAS_CHECK(cublasCreate(&blas));
        auto alloc = [](size_t elements) {
            __nv_bfloat16 *p;
            CUDA_CHECK(cudaMalloc(&p, elements * sizeof(__nv_bfloat16)));
            CUDA_CHECK(cudaMemset(p, 0, elements * sizeof(__nv_bfloat16)));
            return p;
        };
        size_t d = s.hidden, f = s.intermediate;
        wQKV = alloc(d * (d + 2 * kvWidth));
        wO = alloc(d * d);
        wUp = alloc(d * 2 * f);
        wDown = alloc(f * d);
        x = alloc(maxRows * d);
        qkv = alloc(maxRows * (d + 2 * kvWidth));
        attended = alloc(maxRows * d);
        mlp = alloc(maxRows * 2 * f);
        cache = alloc(maxContext * 2 * kvWidth * 64);
        CUDA_CHECK(cudaMalloc(&scratch, maxRows * s.heads * maxContext * sizeof(float)));
    }

    // C[m×n] = A[m×k] · B[k×n], row-major, bf16 in and out, fp32 accumulation.
    void gemm(const __nv_bfloat16 *a, const __nv_bfloat16 *b, __nv_bfloat16 *c, int m, int n, int k) {
        const float one = 1, zero = 0;
        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, b, CUDA_R_16BF, n, a, CUDA_R_16BF, k, &zero, c,
                                  CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    }

    // `rows` new tokens over `sequences` sequences, each attending to `context` cached tokens.
    void iteration(int rows, int sequences, int context) {
        int d = shape.hidden, f = shape.intermediate, perSequence = rows / sequences;
        for (int layer = 0; layer < shape.layers; layer++) {
            gemm(x, wQKV, qkv, rows, d + 2 * kvWidth, d);
            for (int s = 0; s < sequences; s++) {
                dim3 grid(perSequence, shape.heads);
                attention<<<grid, 128>>>(qkv + (size_t)s * perSequence * (d + 2 * kvWidth), cache, cache + (size_t)context * kvWidth,
                                          attended + (size_t)s * perSequence * d, context, shape.heads, shape.kvHeads, headDim, scratch);
                CUDA_CHECK(cudaGetLastError());
            }
            gemm(attended, wO, x, rows, d, d);
            gemm(x, wUp, mlp, rows, 2 * f, d);
            gemm(mlp, wDown, x, rows, d, f);
        }
    }

    // Median over repeats of one configuration, after a warm-up, timed with CUDA events.
    double time(int rows, int sequences, int context, int repeats = 5) {
        cudaEvent_t start, stop;
        CUDA_CHECK(cudaEventCreate(&start));
        CUDA_CHECK(cudaEventCreate(&stop));
        iteration(rows, sequences, context);
        CUDA_CHECK(cudaDeviceSynchronize());
        std::vector<double> values;
        for (int r = 0; r < repeats; r++) {
            CUDA_CHECK(cudaEventRecord(start));
            iteration(rows, sequences, context);
            CUDA_CHECK(cudaEventRecord(stop));
            CUDA_CHECK(cudaEventSynchronize(stop));
            float ms;
            CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
            values.push_back(ms / 1e3);
        }
        std::sort(values.begin(), values.end());
        CUDA_CHECK(cudaEventDestroy(start));
        CUDA_CHECK(cudaEventDestroy(stop));
        return values[values.size() / 2];
    }
};

static double now() {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// Host-to-device copy bandwidth (bytes/s), pageable or pinned, best of three.
static double hostToDevice(size_t bytes, bool pinned) {
    void *host, *device;
    if (pinned) CUDA_CHECK(cudaMallocHost(&host, bytes)); else host = malloc(bytes);
    memset(host, 1, bytes);
    CUDA_CHECK(cudaMalloc(&device, bytes));
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double start = now();
        CUDA_CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
        best = std::min(best, now() - start);
    }
    CUDA_CHECK(cudaFree(device));
    if (pinned) CUDA_CHECK(cudaFreeHost(host)); else free(host);
    return bytes / best;
}

// Writes a weights file, then loads it (a) sequentially: read all into host memory, then copy;
// (b) streamed: chunks read into two pinned buffers, each copied on its own stream while the
// next is read.
static void loadPath(const std::string &file, size_t bytes, double *diskRead, double *sequential, double *streamed) {
    const size_t chunk = 64 << 20;
    std::vector<char> block(chunk, 7);
    int out = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) { fprintf(stderr, "cannot write %s\n", file.c_str()); exit(1); }
    for (size_t written = 0; written < bytes; written += chunk)
        if (write(out, block.data(), chunk) != (ssize_t)chunk) { fprintf(stderr, "short write to %s\n", file.c_str()); exit(1); }
    fsync(out);
    close(out);
    auto drop = [&] { int fd = open(file.c_str(), O_RDONLY); posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); close(fd); };
    char *host = (char *)malloc(bytes);
    void *device;
    CUDA_CHECK(cudaMalloc(&device, bytes));
    drop();
    double start = now();
    int fd = open(file.c_str(), O_RDONLY);
    for (size_t offset = 0; offset < bytes;) { ssize_t got = read(fd, host + offset, std::min(chunk, bytes - offset)); if (got <= 0) break; offset += got; }
    close(fd);
    *diskRead = bytes / (now() - start);
    drop();
    start = now();
    fd = open(file.c_str(), O_RDONLY);
    for (size_t offset = 0; offset < bytes;) { ssize_t got = read(fd, host + offset, std::min(chunk, bytes - offset)); if (got <= 0) break; offset += got; }
    close(fd);
    CUDA_CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
    *sequential = now() - start;
    char *staging[2];
    cudaStream_t streams[2];
    cudaEvent_t done[2];
    for (int i = 0; i < 2; i++) {
        CUDA_CHECK(cudaMallocHost((void **)&staging[i], chunk));
        CUDA_CHECK(cudaStreamCreate(&streams[i]));
        CUDA_CHECK(cudaEventCreate(&done[i]));
        CUDA_CHECK(cudaEventRecord(done[i], streams[i]));
    }
    drop();
    start = now();
    fd = open(file.c_str(), O_RDONLY);
    for (size_t offset = 0, index = 0; offset < bytes; offset += chunk, index++) {
        int b = index % 2;
        CUDA_CHECK(cudaEventSynchronize(done[b]));
        size_t length = std::min(chunk, bytes - offset);
        if (read(fd, staging[b], length) <= 0) break;
        CUDA_CHECK(cudaMemcpyAsync((char *)device + offset, staging[b], length, cudaMemcpyHostToDevice, streams[b]));
        CUDA_CHECK(cudaEventRecord(done[b], streams[b]));
    }
    CUDA_CHECK(cudaDeviceSynchronize());
    close(fd);
    *streamed = now() - start;
    for (int i = 0; i < 2; i++) { CUDA_CHECK(cudaFreeHost(staging[i])); CUDA_CHECK(cudaStreamDestroy(streams[i])); }
    CUDA_CHECK(cudaFree(device));
    free(host);
    unlink(file.c_str());
}

int main(int argc, char **argv) {
    Shape shape;
    size_t weightsMB = 1024;
    std::string file = "/tmp/headroom-probe-weights.bin";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--name") shape.name = value;
        else if (key == "--layers") shape.layers = atoi(value.c_str());
        else if (key == "--hidden") shape.hidden = atoi(value.c_str());
        else if (key == "--heads") shape.heads = atoi(value.c_str());
        else if (key == "--kv-heads") shape.kvHeads = atoi(value.c_str());
        else if (key == "--intermediate") shape.intermediate = atoi(value.c_str());
        else if (key == "--weights-mb") weightsMB = strtoull(value.c_str(), nullptr, 10);
        else if (key == "--file") file = value;
        else { fprintf(stderr, "unknown option %s\n", key.c_str()); return 2; }
    }
    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    int driver, runtime;
    CUDA_CHECK(cudaDriverGetVersion(&driver));
    CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    Probe probe(shape);
    printf("{\n  \"device\": {\"name\": \"%s\", \"memory_bytes\": %zu, \"driver\": \"CUDA driver %d\", \"runtime\": \"CUDA runtime %d\", "
           "\"host_processor\": \"x86_64\"},\n", prop.name, prop.totalGlobalMem, driver, runtime);
    double parameters = (double)shape.layers * ((double)shape.hidden * (shape.hidden + 2 * probe.kvWidth) + (double)shape.hidden * shape.hidden
                                                + 3.0 * shape.hidden * shape.intermediate);
    printf("  \"model\": {\"name\": \"%s\", \"layers\": %d, \"hidden\": %d, \"heads\": %d, \"kv_heads\": %d, \"intermediate\": %d, "
           "\"dtype\": \"bf16\", \"parameters\": %.0f},\n", shape.name.c_str(), shape.layers, shape.hidden, shape.heads, shape.kvHeads,
           shape.intermediate, parameters);
    printf("  \"samples\": [\n");
    bool first = true;
    for (int batch : {1, 2, 4, 8, 16, 32, 64, 128}) {
        for (int context : {128, 512, 2048}) {
            double seconds = probe.time(batch, batch, context);
            printf("%s    {\"batch\": %d, \"prefill_tokens\": 0, \"context_tokens\": %d, \"seconds\": %.9f}", first ? "" : ",\n", batch,
                   batch * context, seconds);
            first = false;
        }
    }
    for (int tokens : {128, 512, 2048}) {
        double seconds = probe.time(tokens, 1, tokens);
        printf(",\n    {\"batch\": 1, \"prefill_tokens\": %d, \"context_tokens\": 0, \"seconds\": %.9f}", tokens, seconds);
    }
    printf("\n  ],\n");
    double pageable = hostToDevice(256 << 20, false), pinned = hostToDevice(256 << 20, true);
    double diskRead, sequential, streamed;
    loadPath(file, weightsMB << 20, &diskRead, &sequential, &streamed);
    printf("  \"load_path\": {\"disk_read\": %.0f, \"host_to_device_pageable\": %.0f, \"host_to_device_pinned\": %.0f, \"file_bytes\": %zu, "
           "\"sequential_load_seconds\": %.6f, \"streamed_load_seconds\": %.6f}\n}\n",
           diskRead, pageable, pinned, weightsMB << 20, sequential, streamed);
    return 0;
}
