/*
 * An ABI-level stand-in for NVIDIA's libnvidia-ml.so.1, for tests only.
 *
 * The tests compile this file with gcc into a directory holding `libnvidia-ml.so.1` and start
 * a Python subprocess with LD_LIBRARY_PATH pointing there, so the *real* pynvml bindings load
 * it through ctypes exactly as they would load the driver's library. Nothing in Python is
 * patched: struct layouts, return codes and missing symbols all travel through the real ABI.
 *
 * The machine it pretends to be is picked by the environment variable FAKE_NVML_SCENARIO,
 * read at nvmlInit:
 *
 *   t4                 one Tesla T4, every reading supported (the default)
 *   h100x8             eight NVIDIA H100 80GB HBM3
 *   mig                one A100 with MIG enabled: utilization is NOT_SUPPORTED, as on real MIG
 *   notsupported       one GPU whose sensors all answer NOT_SUPPORTED (name and memory work)
 *   lost_after_3       two T4s; GPU 1 answers GPU_IS_LOST to everything after 3 utilization reads
 *   driver_not_loaded  nvmlInit fails with DRIVER_NOT_LOADED
 *   zero               nvmlInit succeeds, zero devices
 *
 * Compiled with -DFAKE_OLD_DRIVER the library also lacks the symbols a pre-510 driver lacks
 * (memory v2, versioned temperature, clock *event* reasons, v2/v3 process lists), so pynvml
 * raises NVMLError_FunctionNotFound and the code under test must fall back.
 *
 * Values are fixed, so tests can assert exact readings (see fake_nvml_helpers.py).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef int nvmlReturn_t;
enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
};

#define MIB (1024ULL * 1024ULL)
#define MAX_DEVICES 8

/* Layouts mirror pynvml's ctypes structures field for field. */
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
    unsigned int version;
    unsigned long long total, reserved, free, used;
} nvmlMemory_v2_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; } nvmlProcessInfo_v1_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_v2_t;

#define NVML_MEMORY_V2 ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))
#define NVML_TEMPERATURE_V1 ((unsigned int)(sizeof(nvmlTemperature_v1_t) | (1u << 24)))

typedef struct fake_device {
    int index;
    const char *name;
    char uuid[96];
    unsigned long long total, reserved, used; /* bytes; v2 semantics (used excludes reserved) */
    unsigned int util_gpu, util_mem, temp_c, power_mw, limit_mw, clock_sm, clock_mem;
    unsigned long long reasons;
    unsigned int pcie_tx_kbs, pcie_rx_kbs;
    int mig; /* -1: MIG not supported by this GPU, 0: off, 1: on */
    int sensors_supported;
    int utilization_reads;
} fake_device;

static fake_device devices[MAX_DEVICES];
static unsigned int device_count;
static const char *driver_version = "535.104.05";
static const char *scenario = "t4";
static int initialized;
static int init_calls; /* read by tests through fakeNvmlInitCalls() */

static int is(const char *name) { return strcmp(scenario, name) == 0; }

static void add_device(const char *name, unsigned long long total_mib, unsigned int util) {
    fake_device *d = &devices[device_count];
    memset(d, 0, sizeof *d);
    d->index = (int)device_count;
    d->name = name;
    snprintf(d->uuid, sizeof d->uuid, "GPU-fake0000-0000-0000-0000-%012u", device_count);
    d->total = total_mib * MIB;
    d->reserved = 261 * MIB;
    d->used = 1000 * MIB + device_count * MIB;
    d->util_gpu = util + device_count;
    d->util_mem = util / 3;
    d->temp_c = 51 + device_count;
    d->power_mw = 27500 + device_count * 1000;
    d->limit_mw = 70000;
    d->clock_sm = 1590;
    d->clock_mem = 5000;
    d->reasons = 0x4 | 0x20; /* SW power cap + SW thermal slowdown */
    d->pcie_tx_kbs = 1200;
    d->pcie_rx_kbs = 3400;
    d->mig = -1;
    d->sensors_supported = 1;
    device_count++;
}

static void build_scenario(void) {
    const char *env = getenv("FAKE_NVML_SCENARIO");
    scenario = (env && *env) ? env : "t4";
    device_count = 0;
    if (is("h100x8")) {
        driver_version = "550.54.15";
        for (int i = 0; i < 8; i++) {
            add_device("NVIDIA H100 80GB HBM3", 81559, 60);
            devices[i].limit_mw = 700000;
            devices[i].mig = 0;
        }
    } else if (is("mig")) {
        driver_version = "550.54.15";
        add_device("NVIDIA A100-SXM4-40GB", 40960, 0);
        devices[0].mig = 1;
    } else if (is("notsupported")) {
        add_device("NVIDIA GeForce GT 710", 2048, 0);
        devices[0].sensors_supported = 0;
    } else if (is("lost_after_3")) {
        add_device("Tesla T4", 15360, 37);
        add_device("Tesla T4", 15360, 37);
    } else if (is("zero")) {
        /* no devices */
    } else {
#ifdef FAKE_OLD_DRIVER
        driver_version = "470.82.01";
        add_device("Tesla K80", 11441, 37);
#else
        add_device("Tesla T4", 15360, 37);
#endif
    }
}

/* Every device query starts here: checks init, the handle, and the "GPU lost" state. */
static nvmlReturn_t check(fake_device *d) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (d == NULL || d < devices || d >= devices + device_count) return NVML_ERROR_INVALID_ARGUMENT;
    if (is("lost_after_3") && d->index == 1 && d->utilization_reads >= 3) return NVML_ERROR_GPU_IS_LOST;
    return NVML_SUCCESS;
}

#define CHECK(d) do { nvmlReturn_t r_ = check(d); if (r_) return r_; } while (0)
#define SENSOR(d) do { CHECK(d); if (!(d)->sensors_supported) return NVML_ERROR_NOT_SUPPORTED; } while (0)

/* ---- library and system ------------------------------------------------------------------ */

EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
    (void)flags;
    init_calls++;
    build_scenario();
    if (is("driver_not_loaded")) return NVML_ERROR_DRIVER_NOT_LOADED;
    initialized = 1;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlInit_v2(void) { return nvmlInitWithFlags(0); }
EXPORT nvmlReturn_t nvmlInit(void) { return nvmlInitWithFlags(0); }
EXPORT nvmlReturn_t nvmlShutdown(void) { initialized = 0; return NVML_SUCCESS; }
EXPORT int fakeNvmlInitCalls(void) { return init_calls; }

EXPORT const char *nvmlErrorString(nvmlReturn_t r) {
    switch (r) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

static nvmlReturn_t copy_string(const char *src, char *dst, unsigned int len) {
    if (dst == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(src) + 1 > len) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(dst, src, strlen(src) + 1);
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int len) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    return copy_string(driver_version, version, len);
}
EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int len) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    return copy_string("12.535.104", version, len);
}

/* ---- enumeration ------------------------------------------------------------------------- */

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *count = device_count;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetCount(unsigned int *count) { return nvmlDeviceGetCount_v2(count); }

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, fake_device **device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index >= device_count || device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &devices[index];
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, fake_device **device) {
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

EXPORT nvmlReturn_t nvmlDeviceGetName(fake_device *d, char *name, unsigned int len) {
    CHECK(d);
    return copy_string(d->name, name, len);
}
EXPORT nvmlReturn_t nvmlDeviceGetUUID(fake_device *d, char *uuid, unsigned int len) {
    CHECK(d);
    return copy_string(d->uuid, uuid, len);
}

/* ---- readings ---------------------------------------------------------------------------- */

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(fake_device *d, nvmlUtilization_t *u) {
    CHECK(d);
    d->utilization_reads++;
    if (!d->sensors_supported || d->mig == 1) return NVML_ERROR_NOT_SUPPORTED;
    u->gpu = d->util_gpu;
    u->memory = d->util_mem;
    return NVML_SUCCESS;
}

/* v1 reports "used" as total - free, which silently includes the driver's reservation. */
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(fake_device *d, nvmlMemory_t *m) {
    CHECK(d);
    unsigned long long free = d->total - d->reserved - d->used;
    m->total = d->total;
    m->free = free;
    m->used = d->total - free;
    return NVML_SUCCESS;
}

#ifndef FAKE_OLD_DRIVER
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(fake_device *d, nvmlMemory_v2_t *m) {
    CHECK(d);
    if (m->version != NVML_MEMORY_V2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    m->total = d->total;
    m->reserved = d->reserved;
    m->used = d->used;
    m->free = d->total - d->reserved - d->used;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetTemperatureV(fake_device *d, nvmlTemperature_v1_t *t) {
    SENSOR(d);
    if (t->version != NVML_TEMPERATURE_V1) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (t->sensorType != 0) return NVML_ERROR_NOT_SUPPORTED;
    t->temperature = (int)d->temp_c;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(fake_device *d, unsigned long long *r) {
    SENSOR(d);
    *r = d->reasons;
    return NVML_SUCCESS;
}
#endif

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(fake_device *d, int sensor, unsigned int *t) {
    SENSOR(d);
    if (sensor != 0) return NVML_ERROR_NOT_SUPPORTED;
    *t = d->temp_c;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(fake_device *d, unsigned long long *r) {
    SENSOR(d);
    *r = d->reasons;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(fake_device *d, unsigned int *mw) {
    SENSOR(d);
    *mw = d->power_mw;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(fake_device *d, unsigned int *mw) {
    SENSOR(d);
    *mw = d->limit_mw;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(fake_device *d, int type, unsigned int *mhz) {
    SENSOR(d);
    if (type == 1) *mhz = d->clock_sm;       /* NVML_CLOCK_SM */
    else if (type == 2) *mhz = d->clock_mem; /* NVML_CLOCK_MEM */
    else return NVML_ERROR_NOT_SUPPORTED;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPcieThroughput(fake_device *d, int counter, unsigned int *kbs) {
    SENSOR(d);
    if (counter == 0) *kbs = d->pcie_tx_kbs;      /* NVML_PCIE_UTIL_TX_BYTES */
    else if (counter == 1) *kbs = d->pcie_rx_kbs; /* NVML_PCIE_UTIL_RX_BYTES */
    else return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigMode(fake_device *d, unsigned int *current, unsigned int *pending) {
    CHECK(d);
    if (d->mig < 0) return NVML_ERROR_NOT_SUPPORTED;
    *current = (unsigned int)d->mig;
    *pending = (unsigned int)d->mig;
    return NVML_SUCCESS;
}

/* ---- what other monitors also ask ---------------------------------------------------------
 * We never call these; nvitop's collector does (benchmarks/bench_sampler.py runs it against this
 * library). Without them every snapshot would take the FunctionNotFound path ~140 times and
 * nvitop would look slower here than on a real driver. Answers are what an H100 SXM gives. */

typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(fake_device *d, nvmlPciInfo_t *pci) {
    CHECK(d);
    memset(pci, 0, sizeof *pci);
    pci->bus = 0x18 + (unsigned int)d->index;
    pci->pciDeviceId = 0x233010DE;
    snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
    memcpy(pci->busIdLegacy, pci->busId, sizeof pci->busIdLegacy - 1);
    return NVML_SUCCESS;
}
static nvmlReturn_t zero_sampled(fake_device *d, unsigned int *util, unsigned int *period_us) {
    SENSOR(d);
    *util = 0;
    *period_us = 167000;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetEncoderUtilization(fake_device *d, unsigned int *u, unsigned int *p) {
    return zero_sampled(d, u, p);
}
EXPORT nvmlReturn_t nvmlDeviceGetDecoderUtilization(fake_device *d, unsigned int *u, unsigned int *p) {
    return zero_sampled(d, u, p);
}
EXPORT nvmlReturn_t nvmlDeviceGetMaxClockInfo(fake_device *d, int type, unsigned int *mhz) {
    SENSOR(d);
    *mhz = type == 2 ? d->clock_mem : 1980;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetFanSpeed(fake_device *d, unsigned int *percent) {
    CHECK(d);
    return NVML_ERROR_NOT_SUPPORTED; /* SXM boards have no fan of their own */
}
EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimit(fake_device *d, unsigned int *mw) {
    SENSOR(d);
    *mw = d->limit_mw;
    return NVML_SUCCESS;
}
static nvmlReturn_t enum_answer(fake_device *d, int *value, int answer) {
    CHECK(d);
    *value = answer;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetDisplayActive(fake_device *d, int *v) { return enum_answer(d, v, 0); }
EXPORT nvmlReturn_t nvmlDeviceGetDisplayMode(fake_device *d, int *v) { return enum_answer(d, v, 0); }
EXPORT nvmlReturn_t nvmlDeviceGetPersistenceMode(fake_device *d, int *v) { return enum_answer(d, v, 1); }
EXPORT nvmlReturn_t nvmlDeviceGetPerformanceState(fake_device *d, int *v) { return enum_answer(d, v, 0); }
EXPORT nvmlReturn_t nvmlDeviceGetComputeMode(fake_device *d, int *v) { return enum_answer(d, v, 0); }
EXPORT nvmlReturn_t nvmlDeviceGetDriverModel(fake_device *d, int *current, int *pending) {
    CHECK(d);
    return NVML_ERROR_NOT_SUPPORTED; /* Windows only */
}
EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(fake_device *d, int error_type, int counter_type,
                                                unsigned long long *count) {
    SENSOR(d);
    *count = 0;
    return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetProcessUtilization(fake_device *d, void *samples, unsigned int *count,
                                                    unsigned long long since_us) {
    CHECK(d);
    return 6; /* NVML_ERROR_NOT_FOUND: no samples in that window, as on an idle card */
}

/* ---- processes --------------------------------------------------------------------------- */

#define MAX_PROCESSES 6

/* GPU 0 runs two compute processes: this very process (so tests can check "this kernel")
 * and its parent (the test runner, which is not), plus up to four more PIDs listed in
 * FAKE_NVML_EXTRA_PIDS ("123,456", read at each call, 128 MiB each) so a test can put its
 * own children on the GPU. No graphics processes anywhere. */
static unsigned int compute_processes(fake_device *d, unsigned int *pids, unsigned long long *mem) {
    if (d->index != 0) return 0;
    pids[0] = (unsigned int)getpid();
    mem[0] = 512 * MIB;
    pids[1] = (unsigned int)getppid();
    mem[1] = 256 * MIB;
    unsigned int n = 2;
    const char *extra = getenv("FAKE_NVML_EXTRA_PIDS");
    while (extra && *extra && n < MAX_PROCESSES) {
        char *end;
        unsigned long pid = strtoul(extra, &end, 10);
        if (end == extra) break;
        pids[n] = (unsigned int)pid;
        mem[n++] = 128 * MIB;
        extra = (*end == ',') ? end + 1 : end;
    }
    return n;
}

/* The NVML convention: ask with too small a buffer and get INSUFFICIENT_SIZE plus the count. */
#define PROCESS_LIST(NAME, INFO_T, GRAPHICS, EXTRA)                                            \
    EXPORT nvmlReturn_t NAME(fake_device *d, unsigned int *count, INFO_T *infos) {             \
        unsigned int pids[MAX_PROCESSES];                                                      \
        unsigned long long mem[MAX_PROCESSES];                                                 \
        SENSOR(d);                                                                             \
        if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;                                 \
        unsigned int n = (GRAPHICS) ? 0 : compute_processes(d, pids, mem);                     \
        if (*count < n || (infos == NULL && n > 0)) { *count = n; return NVML_ERROR_INSUFFICIENT_SIZE; } \
        for (unsigned int i = 0; i < n; i++) {                                                 \
            memset(&infos[i], 0, sizeof infos[i]);                                             \
            infos[i].pid = pids[i];                                                            \
            infos[i].usedGpuMemory = mem[i];                                                   \
            EXTRA                                                                              \
        }                                                                                      \
        *count = n;                                                                            \
        return NVML_SUCCESS;                                                                   \
    }

#define V2_EXTRA infos[i].gpuInstanceId = 0xFFFFFFFFu; infos[i].computeInstanceId = 0xFFFFFFFFu;

PROCESS_LIST(nvmlDeviceGetComputeRunningProcesses, nvmlProcessInfo_v1_t, 0, )
PROCESS_LIST(nvmlDeviceGetGraphicsRunningProcesses, nvmlProcessInfo_v1_t, 1, )
#ifndef FAKE_OLD_DRIVER
PROCESS_LIST(nvmlDeviceGetComputeRunningProcesses_v2, nvmlProcessInfo_v2_t, 0, V2_EXTRA)
PROCESS_LIST(nvmlDeviceGetGraphicsRunningProcesses_v2, nvmlProcessInfo_v2_t, 1, V2_EXTRA)
PROCESS_LIST(nvmlDeviceGetComputeRunningProcesses_v3, nvmlProcessInfo_v2_t, 0, V2_EXTRA)
PROCESS_LIST(nvmlDeviceGetGraphicsRunningProcesses_v3, nvmlProcessInfo_v2_t, 1, V2_EXTRA)
#endif
