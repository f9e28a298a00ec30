/* prefilter.c - which dialects' declared literals (cs_dialect.literals) a
 * line holds, in one pass over the line.
 *
 * The dispatcher offered every line to each dialect whose traces may start
 * on any character, and each of those probes ran its own memchr/memmem
 * passes on it (about eight per line). Each literal is keyed on its rarest
 * byte pair; one pass over the line finds candidate pairs 16 positions at
 * a time (SSSE3 nibble lookups; a pair-set loop elsewhere) and compares
 * only the literals keyed on a pair found, so the line is read once
 * whatever the number of literals. Built once per
 * process from the dialect table; read-only afterwards (thread-safe). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_SHUFTI 1
#endif

#include "../base/util.h"
#include "dialects.h"
#include "extract_internal.h"

/* Literals of all dialects together; a table, not a bound on input. */
#define MAX_LITERALS 255
#define N_HEADS 256

typedef struct lit {
    const char *s;
    size_t len;
    size_t off;    /* where the key pair sits in the literal */
    uint16_t key;  /* the pair, first byte in the low bits */
    uint8_t next;  /* next literal in the same head, 0: none */
    uint32_t mask; /* the dialect's bit */
} lit;

static lit lits[MAX_LITERALS + 1]; /* [0] unused: 0 ends a chain */
static size_t n_lits;
static uint8_t heads[N_HEADS];
static uint8_t pairs[65536 / 8]; /* the key pairs, exactly */
/* The key pairs in 8 buckets as nibble tables: bit b of lo1[c & 15] and
 * hi1[c >> 4] says c may be the first byte of a pair of bucket b, lo2/hi2
 * the second. A superset of the pairs (cross products of nibbles), which
 * pairs[] then decides exactly. */
static uint8_t lo1[16], hi1[16], lo2[16], hi2[16];
static size_t n_keys;              /* bucket rows so far */
static uint8_t bucket_of[16 * 16]; /* by the high nibbles of a pair */
#ifdef HAVE_SHUFTI
static bool use_shufti, use_avx2;
#endif

/* Bytes from common to rare in log text, coarsely (build logs, go test
 * output, crash reports); a byte not listed is rarest. A key on a rare
 * pair keeps the literal comparisons off most positions; the choice
 * changes speed only, never which lines match. */
static const char by_commonness[] = " etaoinsrlcdhu0123456789mpfg:/.-_=,byw()[]vkxjqzTSERACIP"
                                    "DLNOFMBGUHWKVYJXQZ<>'\"{}|#@!$%&;?^~+*`\\";

static size_t rarity(unsigned char c)
{
    const char *q = c ? strchr(by_commonness, c) : NULL;
    return q ? (size_t)(q - by_commonness) : sizeof by_commonness;
}

static uint16_t pair_at(const char *p)
{
    return (uint16_t)((unsigned char)p[0] | (unsigned)(unsigned char)p[1] << 8);
}

static size_t head_of(uint16_t key)
{
    return (key * 40503u >> 8) % N_HEADS;
}

static bool has_pair(uint16_t k)
{
    return pairs[k >> 3] & (1u << (k & 7));
}

static void add(const char *s, uint32_t mask)
{
    size_t len = strlen(s);
    /* A declared literal is at least two bytes: one byte is what
     * first_chars are for, and the scan keys on pairs. */
    assert(len >= 2 && n_lits < MAX_LITERALS);
    size_t off = 0, best = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        size_t r = rarity((unsigned char)s[i]) + rarity((unsigned char)s[i + 1]);
        if (r > best) {
            best = r;
            off = i;
        }
    }
    lit *l = &lits[++n_lits];
    l->s = s;
    l->len = len;
    l->off = off;
    l->key = pair_at(s + off);
    l->mask = mask;
    size_t h = head_of(l->key);
    l->next = heads[h];
    heads[h] = (uint8_t)n_lits;
    if (!has_pair(l->key)) {
        /* Pairs whose bytes share their high nibbles share a bucket, so a
         * bucket's cross product stays within those two rows of 16. */
        unsigned char c1 = (unsigned char)s[off], c2 = (unsigned char)s[off + 1];
        size_t row = (size_t)(c1 >> 4) * 16 + (c2 >> 4);
        if (!bucket_of[row]) bucket_of[row] = (uint8_t)(1u << (n_keys++ % 8));
        uint8_t b = bucket_of[row];
        lo1[c1 & 15] |= b;
        hi1[c1 >> 4] |= b;
        lo2[c2 & 15] |= b;
        hi2[c2 >> 4] |= b;
    }
    pairs[l->key >> 3] |= (uint8_t)(1u << (l->key & 7));
}

uint32_t cs_x_prefilter_init(void)
{
    uint32_t with = 0;
    for (size_t i = 0; i < cs_n_dialects; i++) {
        const char *const *v = cs_dialects[i]->literals;
        if (!v) continue;
        with |= 1u << i;
        for (; *v; v++)
            add(*v, 1u << i);
    }
#ifdef HAVE_SHUFTI
    /* CRASHSIFT_PREFILTER_ISA=ssse3 or =scalar: a narrower scan, for the
     * tests that compare each with the literals themselves. */
    const char *isa = getenv("CRASHSIFT_PREFILTER_ISA");
    bool scalar = isa && strcmp(isa, "scalar") == 0;
    use_shufti = !scalar && __builtin_cpu_supports("ssse3");
    use_avx2 = use_shufti && !(isa && strcmp(isa, "ssse3") == 0) && __builtin_cpu_supports("avx2");
#endif
    return with;
}

/* The literals keyed on the pair at p[i]: the bits of those the line
 * holds. */
/* Inlined into each scan: a call per candidate position costs more than
 * the lookup. */
static inline __attribute__((always_inline)) uint32_t check(const char *p, size_t n, size_t i,
                                                            uint32_t want)
{
    uint16_t k = pair_at(p + i);
    if (!has_pair(k)) return 0;
    uint32_t found = 0;
    for (uint8_t j = heads[head_of(k)]; j; j = lits[j].next) {
        const lit *l = &lits[j];
        if (l->key == k && (want & l->mask) && i >= l->off && i - l->off + l->len <= n &&
            memcmp(p + i - l->off, l->s, l->len) == 0)
            found |= l->mask;
    }
    return found;
}

static uint32_t scan_pairs(const char *p, size_t n, size_t from, uint32_t want)
{
    uint32_t found = 0;
    for (size_t i = from; i + 1 < n; i++) {
        if (!has_pair(pair_at(p + i))) continue;
        found |= check(p, n, i, want & ~found);
        if ((found & want) == want) break;
    }
    return found;
}

#ifdef HAVE_SHUFTI
/* Bit b of each byte of the result: the byte may be in bucket b. */
__attribute__((target("ssse3"))) static inline __m128i buckets(__m128i v, __m128i lo, __m128i hi)
{
    const __m128i low4 = _mm_set1_epi8(0x0f);
    return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, low4)),
                         _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), low4)));
}

/* 16 positions at a time: the buckets of each byte as a pair's first byte
 * and of the next byte as its second (pshufb nibble lookups, Hyperscan's
 * "double shufti"), so the whole key set costs the same few instructions
 * per 16 bytes; only the positions where both agree are looked up. */
__attribute__((target("ssse3"))) static uint32_t scan_shufti(const char *p, size_t n, uint32_t want)
{
    const __m128i l1 = _mm_loadu_si128((const __m128i *)lo1);
    const __m128i h1 = _mm_loadu_si128((const __m128i *)hi1);
    const __m128i l2 = _mm_loadu_si128((const __m128i *)lo2);
    const __m128i h2 = _mm_loadu_si128((const __m128i *)hi2);
    const __m128i zero = _mm_setzero_si128();
    uint32_t found = 0;
    char tail[32] = {0};
    for (size_t i = 0; i + 1 < n; i += 16) {
        const char *q = p + i;
        size_t at = i; /* the position of q[0] */
        unsigned valid = 0xffffu;
        if (i + 17 > n && n >= 17) {
            /* The last pairs from the 17 bytes that end the line, never
             * past p + n; the positions already seen are masked off. (A
             * copy to a buffer would stall the load on the copy's stores.) */
            at = n - 17;
            q = p + at;
            valid = (0xffffu << (i - at)) & 0xffffu;
        } else if (i + 17 > n) {
            /* A line shorter than 17 bytes: a zero-padded copy. */
            memcpy(tail, q, n - i);
            q = tail;
            valid = (1u << (n - i - 1)) - 1; /* a pair needs its second byte */
        }
        __m128i a = buckets(_mm_loadu_si128((const __m128i *)q), l1, h1);
        __m128i b = buckets(_mm_loadu_si128((const __m128i *)(q + 1)), l2, h2);
        unsigned m =
            ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(a, b), zero)) ^ 0xffffu) &
            valid;
        for (; m; m &= m - 1) {
            found |= check(p, n, at + (size_t)__builtin_ctz(m), want & ~found);
            if ((found & want) == want) return found;
        }
    }
    return found;
}

__attribute__((target("avx2"))) static inline __m256i buckets2(__m256i v, __m256i lo, __m256i hi)
{
    const __m256i low4 = _mm256_set1_epi8(0x0f);
    return _mm256_and_si256(
        _mm256_shuffle_epi8(lo, _mm256_and_si256(v, low4)),
        _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), low4)));
}

/* The same 32 positions at a time (compiler command lines of a verbose
 * build run to hundreds of bytes). vpshufb looks up within each 16-byte
 * lane, so each table is in both lanes. Lines under 33 bytes take the
 * 16-wide loop. */
__attribute__((target("avx2"))) static uint32_t scan_avx2(const char *p, size_t n, uint32_t want)
{
    if (n < 33) return scan_shufti(p, n, want);
    const __m256i l1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)lo1));
    const __m256i h1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)hi1));
    const __m256i l2 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)lo2));
    const __m256i h2 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)hi2));
    const __m256i zero = _mm256_setzero_si256();
    uint32_t found = 0;
    for (size_t i = 0; i + 1 < n; i += 32) {
        size_t at = i;
        uint32_t valid = 0xffffffffu;
        if (i + 33 > n) {
            /* As in scan_shufti: the 33 bytes that end the line. */
            at = n - 33;
            valid <<= i - at;
        }
        const char *q = p + at;
        __m256i a = buckets2(_mm256_loadu_si256((const __m256i *)q), l1, h1);
        __m256i b = buckets2(_mm256_loadu_si256((const __m256i *)(q + 1)), l2, h2);
        uint32_t m =
            ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(a, b), zero)) &
            valid;
        for (; m; m &= m - 1) {
            found |= check(p, n, at + (size_t)__builtin_ctz(m), want & ~found);
            if ((found & want) == want) return found;
        }
    }
    return found;
}
#endif

uint32_t cs_x_prefilter_scan(const char *p, size_t n, uint32_t want)
{
#ifdef HAVE_SHUFTI
    if (use_avx2) return scan_avx2(p, n, want);
    if (use_shufti) return scan_shufti(p, n, want);
#endif
    return scan_pairs(p, n, 0, want);
}
