#include "dialects.h"

extern const cs_dialect cs_dialect_tsan, cs_dialect_asan, cs_dialect_ubsan;

extern const cs_dialect cs_dialect_go, cs_dialect_gorecover, cs_dialect_go_race, cs_dialect_go_test,
    cs_dialect_ginkgo, cs_dialect_cargo;
extern const cs_dialect cs_dialect_kernel, cs_dialect_fuzzer, cs_dialect_check,
    cs_dialect_abort_line;
extern const cs_dialect cs_dialect_android, cs_dialect_bsdkern, cs_dialect_pysecsan;
extern const cs_dialect cs_dialect_python, cs_dialect_java, cs_dialect_gdb, cs_dialect_rust,
    cs_dialect_native, cs_dialect_node;

/* Order is priority (first claim wins): one row per line, kept by hand. */
// clang-format off
const cs_dialect *const cs_dialects[] = {
    &cs_dialect_fuzzer,
    &cs_dialect_tsan,
    &cs_dialect_asan,
    &cs_dialect_ubsan,
    &cs_dialect_go_race,
    &cs_dialect_go,
    &cs_dialect_kernel,
    &cs_dialect_check,
    &cs_dialect_abort_line,
    &cs_dialect_android,
    &cs_dialect_bsdkern,
    &cs_dialect_pysecsan,
    &cs_dialect_python, &cs_dialect_java, &cs_dialect_gdb, &cs_dialect_rust, &cs_dialect_native, &cs_dialect_node,
    &cs_dialect_ginkgo,
    &cs_dialect_cargo,
    &cs_dialect_gorecover,
    &cs_dialect_go_test,
};
// clang-format on

const size_t cs_n_dialects = sizeof cs_dialects / sizeof cs_dialects[0];
