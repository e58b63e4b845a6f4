/* resjac claims: evidence as data -- the values a verdict rests on, written as
 * JSON text beside the evidence string, where the comparison or the
 * quantifier case is decided (never read back from the evidence text).
 *
 * A case is one JSON object (proofs/json-schema.md):
 *
 *   {"bindings": {NAME: VALUE, ...}, "op": OP, "lhs": VALUE, "rhs": VALUE,
 *    "tolerance": "p/q"}                              a comparison
 *   {"bindings": {...}, "value": true|false}          a formula that is a term
 *   {"bindings": {...}, "not": CASE}                  not F
 *   {"bindings": {...}, "parts": [CASE, CASE]}        and / or decided by both
 *
 * and, at ReLU ties, "choice": [{"tie": LABEL, "side": "left"|"right"}, ...]
 * after the bindings (verdict.c: the one-sided choice the values are for).
 * "bindings" is always the first member, so that a quantifier around the
 * case can add its variable in front of the names bound inside (cl_data_bind).
 * VALUE is an exact number as a string ("-3/7"), a matrix as an array of rows
 * of such strings, an enclosure as ["lo", "hi"] (decimal ends rounded outward:
 * the true value lies between them), an enclosure matrix as rows of such
 * pairs, a polynomial as {"polynomial": [c0, c1, ...]}, a truth value as true
 * or false, anything else as {"text": "..."}; a matrix of more than
 * CL_DATA_MAX_ENTRIES entries as {"rows": r, "cols": c, "omitted": "..."}. */
#include <string.h>

#include "claims_impl.h"

#define CL_DATA_MAX_ENTRIES 10000
#define BIND_PREFIX "{\"bindings\": {"

/* s as a JSON string, with quotes and escapes. */
void
cl_json_str(cl_sbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *) (s != NULL ? s : "");
    cl_sb_puts(b, "\"");
    for (; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            cl_sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            cl_sb_puts(b, "\\n");
        else if (*p < 0x20)
            cl_sb_printf(b, "\\u%04x", (unsigned) *p);
        else {
            char c[2] = { (char) *p, '\0' };
            cl_sb_puts(b, c);
        }
    }
    cl_sb_puts(b, "\"");
}

static void
json_fmpq(cl_sbuf *b, const fmpq_t q)
{
    char *s = fmpq_get_str(NULL, 10, q);
    cl_sb_printf(b, "\"%s\"", s);
    flint_free(s);
}

/* ["lo", "hi"]: the decimal ends rounded outward, so they hold [lo, hi]. */
static void
json_itv(cl_sbuf *b, const mpfr_t lo, const mpfr_t hi)
{
    char *s = NULL;
    if (!mpfr_number_p(lo) || !mpfr_number_p(hi)) {
        cl_sb_puts(b, "null");
        return;
    }
    mpfr_asprintf(&s, "[\"%.25RDg\", \"%.25RUg\"]", lo, hi);
    cl_sb_puts(b, s);
    mpfr_free_str(s);
}

static void
json_entries(cl_sbuf *b, const rj_val_struct *v, slong r, slong c)
{
    slong i, j, p = 128;
    mpfr_t lo, hi;
    fmpq_t q;
    if ((double) r * (double) c > CL_DATA_MAX_ENTRIES) {
        cl_sb_printf(b, "{\"rows\": %ld, \"cols\": %ld, \"omitted\": \"more than %d "
                     "entries\"}", (long) r, (long) c, CL_DATA_MAX_ENTRIES);
        return;
    }
    if (cl_val_is_emat(v))
        p = FLINT_MAX(p, cl_emat_imat(v)->prec + 64);
    mpfr_init2(lo, p);
    mpfr_init2(hi, p);
    fmpq_init(q);
    cl_sb_puts(b, "[");
    for (i = 0; i < r; i++) {
        cl_sb_puts(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            if (j > 0)
                cl_sb_puts(b, ", ");
            if (v->kind == RJ_VAL_MAT)
                json_fmpq(b, fmpq_mat_entry(v->mat, i, j));
            else if (cl_val_entry_itv(lo, hi, q, v, i, j))
                json_fmpq(b, q);
            else
                json_itv(b, lo, hi);
        }
        cl_sb_puts(b, "]");
    }
    cl_sb_puts(b, "]");
    mpfr_clear(lo);
    mpfr_clear(hi);
    fmpq_clear(q);
}

void
cl_json_val(cl_sbuf *b, const rj_val_struct *v)
{
    slong i;
    switch (v->kind) {
    case RJ_VAL_BOOL: cl_sb_puts(b, v->b ? "true" : "false"); return;
    case RJ_VAL_NUM: json_fmpq(b, v->num); return;
    case RJ_VAL_MAT:
        json_entries(b, v, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
        return;
    case RJ_VAL_POLY:
        cl_sb_puts(b, "{\"polynomial\": [");
        for (i = 0; i < fmpq_poly_length(v->poly); i++) {
            fmpq_t c;
            fmpq_init(c);
            fmpq_poly_get_coeff_fmpq(c, v->poly, i);
            if (i > 0)
                cl_sb_puts(b, ", ");
            json_fmpq(b, c);
            fmpq_clear(c);
        }
        cl_sb_puts(b, "]}");
        return;
    default:
        break;
    }
    if (rj_claims_val_is_encl(v)) {
        const rj_itv_struct *x = rj_claims_val_encl(v);
        json_itv(b, x->lo, x->hi);
    } else if (cl_val_is_emat(v))
        json_entries(b, v, cl_val_rows(v), cl_val_cols(v));
    else {
        char *s = rj_val_get_str_short(v, CL_VAL_LEN);
        cl_sb_puts(b, "{\"text\": ");
        cl_json_str(b, s);
        cl_sb_puts(b, "}");
        flint_free(s);
    }
}

char *
cl_data_cmp(const char *op, const rj_val_struct *a, const rj_val_struct *b,
            const fmpq_t tol)
{
    cl_sbuf s;
    cl_sb_init(&s);
    cl_sb_printf(&s, BIND_PREFIX "}, \"op\": \"%s\", \"lhs\": ", op);
    cl_json_val(&s, a);
    cl_sb_puts(&s, ", \"rhs\": ");
    cl_json_val(&s, b);
    if (tol != NULL) {
        cl_sb_puts(&s, ", \"tolerance\": ");
        json_fmpq(&s, tol);
    }
    cl_sb_puts(&s, "}");
    return cl_sb_take(&s);
}

char *
cl_data_wrap(const char *key, const char *inner)
{
    if (inner == NULL)
        return NULL;
    return cl_printf(BIND_PREFIX "}, \"%s\": %s}", key, inner);
}

char *
cl_data_pair(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return rj_strdup(a != NULL ? a : b);
    return cl_printf(BIND_PREFIX "}, \"parts\": [%s, %s]}", a, b);
}

char *
cl_data_bind(const char *data, const char *name, const rj_val_struct *v)
{
    size_t n = strlen(BIND_PREFIX);
    cl_sbuf s;
    if (data == NULL || strncmp(data, BIND_PREFIX, n) != 0)
        return NULL;
    cl_sb_init(&s);
    cl_sb_puts(&s, BIND_PREFIX);
    cl_json_str(&s, name);
    cl_sb_puts(&s, ": ");
    cl_json_val(&s, v);
    if (data[n] != '}')
        cl_sb_puts(&s, ", ");
    cl_sb_puts(&s, data + n);
    return cl_sb_take(&s);
}

/* The end of the JSON value that starts at s (an object, array or string). */
static const char *
json_end(const char *s)
{
    int depth = 0, in_str = 0;
    for (; *s != '\0'; s++) {
        if (in_str) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            else if (*s == '"')
                in_str = 0;
        } else if (*s == '"')
            in_str = 1;
        else if (*s == '{' || *s == '[')
            depth++;
        else if ((*s == '}' || *s == ']') && --depth == 0)
            return s + 1;
    }
    return s;
}

char *
cl_data_add(const char *data, const char *key, const char *json)
{
    size_t n = strlen(BIND_PREFIX) - 1;     /* up to the bindings' '{' */
    const char *end;
    cl_sbuf s;
    if (data == NULL || json == NULL || strncmp(data, BIND_PREFIX, n + 1) != 0)
        return NULL;
    end = json_end(data + n);
    cl_sb_init(&s);
    cl_sb_printf(&s, "%.*s, ", (int) (end - data), data);
    cl_json_str(&s, key);
    cl_sb_printf(&s, ": %s%s", json, end);
    return cl_sb_take(&s);
}
