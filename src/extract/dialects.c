#include "dialects.h"

extern const cs_dialect cs_dialect_go, cs_dialect_go_race, cs_dialect_go_test;

const cs_dialect *const cs_dialects[] = {
    &cs_dialect_go_race,
    &cs_dialect_go,
    &cs_dialect_go_test,
};

const size_t cs_n_dialects = sizeof cs_dialects / sizeof cs_dialects[0];
