/* fuzz_rules.c - the signature rule parser (cs_rules_load_text): sections,
 * directives, "=>" replacements and the user's regexes (compiled through the
 * base regex wrapper). Bad rules must become diagnostics, never crashes. */
#include "fuzz.h"
#include "normalize/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) return 0; /* rule files are small; keep runs fast */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cs_rules r;
    cs_results diags;
    cs_rules_init(&r);
    cs_results_init(&diags);
    cs_rules_load_text(&r, "fuzz.rules", text, &diags);
    if (r.n_rules) fz_n_reached++;
    cs_rules_dispose(&r);
    cs_results_dispose(&diags);
    free(text);
    return 0;
}
