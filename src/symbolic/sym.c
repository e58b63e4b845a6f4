/* resjac symbolic layer: the free algebra over Q with transpose, in normal
 * form (include/resjac/symbolic.h; proofs/symbolic.md [SY 1]).
 *
 * Every operation keeps the normal form: terms with nonzero coefficients and
 * distinct words, sorted by (length, letters).  Sums merge two sorted lists
 * (cost len a + len b); a product forms all len a * len b concatenations,
 * sorts them and combines equal words (cost O(N log N) word comparisons for
 * N = len a * len b); the transpose reverses and toggles every word, then
 * sorts.  Limits are checked on upper bounds before any of that work. */
#include <stdlib.h>
#include <string.h>

#include "resjac/symbolic.h"

void
rj_sym_limits_default(rj_sym_limits *lim)
{
    lim->max_degree = RJ_SYM_MAX_DEGREE;
    lim->max_symbols = RJ_SYM_MAX_SYMBOLS;
    lim->max_terms = RJ_SYM_MAX_TERMS;
}

static const rj_sym_limits *
limits_or_default(const rj_sym_limits *lim, rj_sym_limits *def)
{
    if (lim != NULL)
        return lim;
    rj_sym_limits_default(def);
    return def;
}

/* ------------------------------------------------------------ terms */

static void
term_init(rj_sym_term_struct *t, slong len)
{
    fmpq_init(t->coeff);
    t->len = len;
    t->w = len > 0 ? flint_malloc(len * sizeof(slong)) : NULL;
}

static void
term_clear(rj_sym_term_struct *t)
{
    fmpq_clear(t->coeff);
    flint_free(t->w);
}

static void
term_set(rj_sym_term_struct *t, const rj_sym_term_struct *u)
{
    term_init(t, u->len);
    fmpq_set(t->coeff, u->coeff);
    if (u->len > 0)
        memcpy(t->w, u->w, u->len * sizeof(slong));
}

/* t = u v (t uninitialised). */
static void
term_concat(rj_sym_term_struct *t, const rj_sym_term_struct *u, const rj_sym_term_struct *v)
{
    fmpq_init(t->coeff);
    fmpq_mul(t->coeff, u->coeff, v->coeff);
    t->len = u->len + v->len;
    t->w = t->len > 0 ? flint_malloc(t->len * sizeof(slong)) : NULL;
    if (u->len > 0)
        memcpy(t->w, u->w, u->len * sizeof(slong));
    if (v->len > 0)
        memcpy(t->w + u->len, v->w, v->len * sizeof(slong));
}

static int
word_cmp(const rj_sym_term_struct *a, const rj_sym_term_struct *b)
{
    slong i;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (i = 0; i < a->len; i++)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static int
term_qsort_cmp(const void *x, const void *y)
{
    return word_cmp((const rj_sym_term_struct *) x, (const rj_sym_term_struct *) y);
}

static void
fit(rj_sym_t p, slong n)
{
    if (p->alloc < n) {
        p->terms = flint_realloc(p->terms, n * sizeof(rj_sym_term_struct));
        p->alloc = n;
    }
}

/* Sort the terms of p, add the coefficients of equal words, drop zeros. */
static void
normalise(rj_sym_t p)
{
    slong i, j = 0;
    if (p->len > 1)
        qsort(p->terms, p->len, sizeof(rj_sym_term_struct), term_qsort_cmp);
    for (i = 0; i < p->len; i++) {
        if (j > 0 && word_cmp(p->terms + j - 1, p->terms + i) == 0) {
            fmpq_add(p->terms[j - 1].coeff, p->terms[j - 1].coeff, p->terms[i].coeff);
            term_clear(p->terms + i);
            continue;
        }
        if (j > 0 && fmpq_is_zero(p->terms[j - 1].coeff)) {
            term_clear(p->terms + j - 1);
            j--;
        }
        if (j != i)
            p->terms[j] = p->terms[i];
        j++;
    }
    if (j > 0 && fmpq_is_zero(p->terms[j - 1].coeff)) {
        term_clear(p->terms + j - 1);
        j--;
    }
    p->len = j;
}

/* ------------------------------------------------------------ basics */

void
rj_sym_init(rj_sym_t p)
{
    p->len = 0;
    p->alloc = 0;
    p->terms = NULL;
}

void
rj_sym_zero(rj_sym_t p)
{
    slong i;
    for (i = 0; i < p->len; i++)
        term_clear(p->terms + i);
    p->len = 0;
}

void
rj_sym_clear(rj_sym_t p)
{
    rj_sym_zero(p);
    flint_free(p->terms);
}

void
rj_sym_swap(rj_sym_t p, rj_sym_t q)
{
    rj_sym_struct t = *p;
    *p = *q;
    *q = t;
}

void
rj_sym_set(rj_sym_t p, const rj_sym_t q)
{
    rj_sym_t r;
    slong i;
    if (p == q)
        return;
    rj_sym_init(r);
    fit(r, q->len);
    for (i = 0; i < q->len; i++)
        term_set(r->terms + i, q->terms + i);
    r->len = q->len;
    rj_sym_swap(p, r);
    rj_sym_clear(r);
}

void
rj_sym_set_fmpq(rj_sym_t p, const fmpq_t c)
{
    fmpq_t cc;
    fmpq_init(cc);
    fmpq_set(cc, c);
    rj_sym_zero(p);
    if (!fmpq_is_zero(cc)) {
        fit(p, 1);
        term_init(p->terms, 0);
        fmpq_set(p->terms[0].coeff, cc);
        p->len = 1;
    }
    fmpq_clear(cc);
}

void
rj_sym_set_symbol(rj_sym_t p, slong s, int t)
{
    rj_sym_zero(p);
    fit(p, 1);
    term_init(p->terms, 1);
    fmpq_one(p->terms[0].coeff);
    p->terms[0].w[0] = 2 * s + (t ? 1 : 0);
    p->len = 1;
}

int
rj_sym_is_zero(const rj_sym_t p)
{
    return p->len == 0;
}

int
rj_sym_equal(const rj_sym_t p, const rj_sym_t q)
{
    slong i;
    if (p->len != q->len)
        return 0;
    for (i = 0; i < p->len; i++)
        if (word_cmp(p->terms + i, q->terms + i) != 0
            || !fmpq_equal(p->terms[i].coeff, q->terms[i].coeff))
            return 0;
    return 1;
}

slong
rj_sym_degree(const rj_sym_t p)
{
    /* sorted by length: the last word is a longest one */
    return p->len == 0 ? 0 : p->terms[p->len - 1].len;
}

slong
rj_sym_nsymbols(const rj_sym_t p)
{
    slong i, j, m = 0;
    for (i = 0; i < p->len; i++)
        for (j = 0; j < p->terms[i].len; j++)
            m = FLINT_MAX(m, p->terms[i].w[j] / 2 + 1);
    return m;
}

int
rj_sym_get_scalar(fmpq_t c, const rj_sym_t p)
{
    if (p->len == 0) {
        fmpq_zero(c);
        return 1;
    }
    if (p->len == 1 && p->terms[0].len == 0) {
        fmpq_set(c, p->terms[0].coeff);
        return 1;
    }
    return 0;
}

static int
check_symbols(const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim, rj_error_t err)
{
    slong m = FLINT_MAX(rj_sym_nsymbols(a), rj_sym_nsymbols(b));
    if (m > lim->max_symbols)
        return rj_error_set(err, RJ_ERR_LIMIT, "symbolic expression with %ld matrix symbols: "
                            "more than the limit of %ld symbols", (long) m,
                            (long) lim->max_symbols);
    return RJ_OK;
}

/* ------------------------------------------------------------ arithmetic */

static int
add_sub(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, int sub, const rj_sym_limits *lim0,
        rj_error_t err)
{
    rj_sym_limits def;
    const rj_sym_limits *lim = limits_or_default(lim0, &def);
    rj_sym_t r;
    slong i, j, k;
    int st = check_symbols(a, b, lim, err);
    if (st != RJ_OK)
        return st;
    if (a->len + b->len > lim->max_terms)
        return rj_error_set(err, RJ_ERR_LIMIT, "symbolic sum of %ld and %ld terms: more than "
                            "the limit of %ld terms", (long) a->len, (long) b->len,
                            (long) lim->max_terms);
    rj_sym_init(r);
    fit(r, a->len + b->len);
    i = j = k = 0;
    while (i < a->len || j < b->len) {
        int c = i == a->len ? 1 : j == b->len ? -1 : word_cmp(a->terms + i, b->terms + j);
        if (c < 0) {
            term_set(r->terms + k, a->terms + i++);
        } else if (c > 0) {
            term_set(r->terms + k, b->terms + j++);
            if (sub)
                fmpq_neg(r->terms[k].coeff, r->terms[k].coeff);
        } else {
            term_set(r->terms + k, a->terms + i++);
            if (sub)
                fmpq_sub(r->terms[k].coeff, r->terms[k].coeff, b->terms[j++].coeff);
            else
                fmpq_add(r->terms[k].coeff, r->terms[k].coeff, b->terms[j++].coeff);
            if (fmpq_is_zero(r->terms[k].coeff)) {
                term_clear(r->terms + k);
                continue;
            }
        }
        k++;
    }
    r->len = k;
    rj_sym_swap(p, r);
    rj_sym_clear(r);
    return RJ_OK;
}

int
rj_sym_add(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim,
           rj_error_t err)
{
    return add_sub(p, a, b, 0, lim, err);
}

int
rj_sym_sub(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim,
           rj_error_t err)
{
    return add_sub(p, a, b, 1, lim, err);
}

void
rj_sym_neg(rj_sym_t p, const rj_sym_t a)
{
    slong i;
    rj_sym_set(p, a);
    for (i = 0; i < p->len; i++)
        fmpq_neg(p->terms[i].coeff, p->terms[i].coeff);
}

void
rj_sym_scalar_mul(rj_sym_t p, const rj_sym_t a, const fmpq_t c)
{
    slong i;
    if (fmpq_is_zero(c)) {
        rj_sym_zero(p);
        return;
    }
    rj_sym_set(p, a);
    for (i = 0; i < p->len; i++)
        fmpq_mul(p->terms[i].coeff, p->terms[i].coeff, c);
}

void
rj_sym_transpose(rj_sym_t p, const rj_sym_t a)
{
    slong i, j;
    rj_sym_set(p, a);
    for (i = 0; i < p->len; i++) {
        slong n = p->terms[i].len, *w = p->terms[i].w;
        for (j = 0; j < n / 2; j++) {
            slong x = w[j];
            w[j] = w[n - 1 - j];
            w[n - 1 - j] = x;
        }
        for (j = 0; j < n; j++)
            w[j] ^= 1;
    }
    normalise(p);
}

int
rj_sym_mul(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim0,
           rj_error_t err)
{
    rj_sym_limits def;
    const rj_sym_limits *lim = limits_or_default(lim0, &def);
    rj_sym_t r;
    slong i, j, k, da = rj_sym_degree(a), db = rj_sym_degree(b);
    int st = check_symbols(a, b, lim, err);
    if (st != RJ_OK)
        return st;
    if (da + db > lim->max_degree)
        return rj_error_set(err, RJ_ERR_LIMIT, "symbolic product of degree %ld: more than the "
                            "limit of degree %ld", (long) (da + db), (long) lim->max_degree);
    if ((double) a->len * (double) b->len > (double) lim->max_terms)
        return rj_error_set(err, RJ_ERR_LIMIT, "symbolic product of %ld by %ld terms: more "
                            "than the limit of %ld terms", (long) a->len, (long) b->len,
                            (long) lim->max_terms);
    if (a->len == 0 || b->len == 0) {
        rj_sym_zero(p);
        return RJ_OK;
    }
    rj_sym_init(r);
    k = a->len * b->len;
    r->terms = flint_malloc(k * sizeof(rj_sym_term_struct));
    r->alloc = r->len = k;
    for (i = 0; i < a->len; i++)
        for (j = 0; j < b->len; j++) {
            const rj_sym_term_struct *u = a->terms + i, *v = b->terms + j;
            rj_sym_term_struct *t = r->terms + i * b->len + j;
            term_concat(t, u, v);
        }
    normalise(r);
    rj_sym_swap(p, r);
    rj_sym_clear(r);
    return RJ_OK;
}

int
rj_sym_pow_ui(rj_sym_t p, const rj_sym_t a, ulong k, const rj_sym_limits *lim0,
              rj_error_t err)
{
    rj_sym_limits def;
    const rj_sym_limits *lim = limits_or_default(lim0, &def);
    rj_sym_t r;
    fmpq_t one;
    ulong i;
    slong d = rj_sym_degree(a);
    int st = RJ_OK;
    if (d > 0 && k > (ulong) (lim->max_degree / d))
        return rj_error_set(err, RJ_ERR_LIMIT, "symbolic power of degree %ld * %lu: more "
                            "than the limit of degree %ld", (long) d, (unsigned long) k,
                            (long) lim->max_degree);
    rj_sym_init(r);
    fmpq_init(one);
    fmpq_one(one);
    rj_sym_set_fmpq(r, one);
    for (i = 0; i < k && st == RJ_OK; i++)
        st = rj_sym_mul(r, r, a, lim, err);
    if (st == RJ_OK)
        rj_sym_swap(p, r);
    rj_sym_clear(r);
    fmpq_clear(one);
    return st;
}

int
rj_sym_set_words(rj_sym_t p, const slong *const *words, const slong *lens, slong n,
                 const rj_sym_limits *lim0, rj_error_t err)
{
    rj_sym_limits def;
    const rj_sym_limits *lim = limits_or_default(lim0, &def);
    rj_sym_t r;
    slong i, j;
    if (n > lim->max_terms)
        return rj_error_set(err, RJ_ERR_LIMIT, "a sum of %ld words: more than the limit of %ld "
                            "terms", (long) n, (long) lim->max_terms);
    for (i = 0; i < n; i++) {
        if (lens[i] > lim->max_degree)
            return rj_error_set(err, RJ_ERR_LIMIT, "a word of degree %ld: more than the limit "
                                "of degree %ld", (long) lens[i], (long) lim->max_degree);
        for (j = 0; j < lens[i]; j++)
            if (words[i][j] < 0 || words[i][j] / 2 >= lim->max_symbols)
                return rj_error_set(err, RJ_ERR_LIMIT, "letter code %ld: symbols are 0..%ld",
                                    (long) words[i][j], (long) lim->max_symbols - 1);
    }
    rj_sym_init(r);
    fit(r, n);
    for (i = 0; i < n; i++) {
        term_init(r->terms + i, lens[i]);
        fmpq_one(r->terms[i].coeff);
        if (lens[i] > 0)
            memcpy(r->terms[i].w, words[i], lens[i] * sizeof(slong));
    }
    r->len = n;
    normalise(r);
    rj_sym_swap(p, r);
    rj_sym_clear(r);
    return RJ_OK;
}

/* ------------------------------------------------------------ printing */

char *
rj_sym_get_str(const rj_sym_t p, const char *const *names)
{
    slong i, j, n = 1, len = 0;
    char *s, *c;
    if (p->len == 0)
        return rj_strdup("0");
    for (i = 0; i < p->len; i++) {
        n += fmpz_sizeinbase(fmpq_numref(p->terms[i].coeff), 10)
             + fmpz_sizeinbase(fmpq_denref(p->terms[i].coeff), 10) + 8;
        for (j = 0; j < p->terms[i].len; j++)
            n += strlen(names[p->terms[i].w[j] / 2]) + 3;
    }
    s = flint_malloc(n);
    s[0] = '\0';
    for (i = 0; i < p->len; i++) {
        const rj_sym_term_struct *t = p->terms + i;
        int neg = fmpq_sgn(t->coeff) < 0, one;
        fmpq_t a;
        fmpq_init(a);
        fmpq_abs(a, t->coeff);
        one = fmpq_is_one(a);
        if (i > 0)
            len += sprintf(s + len, neg ? " - " : " + ");
        else if (neg)
            len += sprintf(s + len, "-");
        if (!one) {
            c = fmpq_get_str(NULL, 10, a);
            len += sprintf(s + len, "%s*", c);
            flint_free(c);
        }
        if (t->len == 0)
            len += sprintf(s + len, "I");
        for (j = 0; j < t->len; j++)
            len += sprintf(s + len, "%s%s%s", j > 0 ? "*" : "", names[t->w[j] / 2],
                           (t->w[j] & 1) ? "'" : "");
        fmpq_clear(a);
    }
    return s;
}

/* ------------------------------------------------------------ instantiation */

int
rj_sym_evaluate_fmpq_mat(fmpq_mat_t out, const rj_sym_t p, const fmpq_mat_struct *mats,
                         slong nsym, slong n, rj_error_t err)
{
    fmpq_mat_struct *tr;
    fmpq_mat_t acc, w, tmp;
    slong i, j;
    if (rj_sym_nsymbols(p) > nsym)
        return rj_error_set(err, RJ_ERR_INPUT, "the expression has %ld symbols, %ld matrices "
                            "given", (long) rj_sym_nsymbols(p), (long) nsym);
    for (i = 0; i < nsym; i++)
        if (fmpq_mat_nrows(mats + i) != n || fmpq_mat_ncols(mats + i) != n)
            return rj_error_set(err, RJ_ERR_INPUT, "symbol %ld: a %ld x %ld matrix, not %ld x "
                                "%ld", (long) i, (long) fmpq_mat_nrows(mats + i),
                                (long) fmpq_mat_ncols(mats + i), (long) n, (long) n);
    tr = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(fmpq_mat_struct));
    for (i = 0; i < nsym; i++) {
        fmpq_mat_init(tr + i, n, n);
        fmpq_mat_transpose(tr + i, mats + i);
    }
    fmpq_mat_init(acc, n, n);
    fmpq_mat_init(w, n, n);
    fmpq_mat_init(tmp, n, n);
    for (i = 0; i < p->len; i++) {
        const rj_sym_term_struct *t = p->terms + i;
        fmpq_mat_one(w);
        for (j = 0; j < t->len; j++) {
            slong s = t->w[j] / 2;
            fmpq_mat_mul(tmp, w, (t->w[j] & 1) ? tr + s : mats + s);
            fmpq_mat_swap(tmp, w);
        }
        fmpq_mat_scalar_mul_fmpq(w, w, t->coeff);
        fmpq_mat_add(acc, acc, w);
    }
    fmpq_mat_clear(out);
    fmpq_mat_init_set(out, acc);
    for (i = 0; i < nsym; i++)
        fmpq_mat_clear(tr + i);
    flint_free(tr);
    fmpq_mat_clear(acc);
    fmpq_mat_clear(w);
    fmpq_mat_clear(tmp);
    return RJ_OK;
}
