/* resjac: activations, blocks and networks (see include/resjac/model.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "resjac/model.h"

/* ---------------------------------------------------------------- activations */

void
rj_act_init(rj_act_t a)
{
    a->kind = RJ_ACT_IDENTITY;
    fmpq_init(a->slope);
    fmpq_init(a->param);
}

void
rj_act_clear(rj_act_t a)
{
    fmpq_clear(a->slope);
    fmpq_clear(a->param);
}

void
rj_act_set(rj_act_t a, const rj_act_t b)
{
    if (a == b)
        return;
    a->kind = b->kind;
    fmpq_set(a->slope, b->slope);
    fmpq_set(a->param, b->param);
}

void
rj_act_set_kind(rj_act_t a, rj_act_kind kind)
{
    a->kind = kind;
    fmpq_set_si(a->slope, kind == RJ_ACT_LEAKY_RELU, kind == RJ_ACT_LEAKY_RELU ? 100 : 1);
    fmpq_set_si(a->param, kind == RJ_ACT_SOFTPLUS || kind == RJ_ACT_ELU, 1);
}

static const struct {
    const char *name;
    rj_act_kind kind;
} act_names[] = {
    { "identity", RJ_ACT_IDENTITY }, { "relu", RJ_ACT_RELU },
    { "leaky_relu", RJ_ACT_LEAKY_RELU }, { "tanh", RJ_ACT_TANH },
    { "sigmoid", RJ_ACT_SIGMOID }, { "gelu", RJ_ACT_GELU },
    { "gelu_tanh", RJ_ACT_GELU_TANH }, { "softplus", RJ_ACT_SOFTPLUS },
    { "silu", RJ_ACT_SILU }, { "elu", RJ_ACT_ELU },
};

int
rj_act_from_name(rj_act_t a, const char *s)
{
    size_t i;
    for (i = 0; i < sizeof(act_names) / sizeof(act_names[0]); i++)
        if (strcmp(s, act_names[i].name) == 0) {
            rj_act_set_kind(a, act_names[i].kind);
            return RJ_OK;
        }
    return RJ_ERR_INPUT;
}

int
rj_act_is_piecewise_linear(const rj_act_t a)
{
    return a->kind == RJ_ACT_IDENTITY || a->kind == RJ_ACT_RELU
           || a->kind == RJ_ACT_LEAKY_RELU;
}

void
rj_act_name(char *buf, int len, const rj_act_t a)
{
    char *s;
    if (len <= 0)
        return;
    switch (a->kind) {
    case RJ_ACT_IDENTITY: snprintf(buf, len, "identity"); break;
    case RJ_ACT_RELU: snprintf(buf, len, "relu"); break;
    case RJ_ACT_TANH: snprintf(buf, len, "tanh"); break;
    case RJ_ACT_SIGMOID: snprintf(buf, len, "sigmoid"); break;
    case RJ_ACT_GELU: snprintf(buf, len, "gelu"); break;
    case RJ_ACT_GELU_TANH: snprintf(buf, len, "gelu_tanh"); break;
    case RJ_ACT_SILU: snprintf(buf, len, "silu"); break;
    case RJ_ACT_LEAKY_RELU:
    case RJ_ACT_SOFTPLUS:
    case RJ_ACT_ELU:
        s = fmpq_get_str(NULL, 10, a->kind == RJ_ACT_LEAKY_RELU ? a->slope : a->param);
        snprintf(buf, len, "%s(%s)",
                 a->kind == RJ_ACT_LEAKY_RELU ? "leaky_relu"
                 : a->kind == RJ_ACT_ELU      ? "elu"
                                              : "softplus", s);
        flint_free(s);
        break;
    default: snprintf(buf, len, "unknown activation"); break;
    }
}

/* ---------------------------------------------------------------- blocks */

static void
mat_reinit(fmpq_mat_t A, slong r, slong c)
{
    fmpq_mat_clear(A);
    fmpq_mat_init(A, r, c);
}

static void
mat_copy(fmpq_mat_t A, const fmpq_mat_t B)
{
    if (fmpq_mat_nrows(A) != fmpq_mat_nrows(B) || fmpq_mat_ncols(A) != fmpq_mat_ncols(B))
        mat_reinit(A, fmpq_mat_nrows(B), fmpq_mat_ncols(B));
    fmpq_mat_set(A, B);
}

void
rj_block_init(rj_block_t b)
{
    b->n_in = b->n_hidden = b->n_out = 0;
    b->skip = RJ_SKIP_IDENTITY;
    fmpq_mat_init(b->Ws, 0, 0);
    fmpq_init(b->alpha);
    fmpq_one(b->alpha);
    b->two_layer = 0;
    fmpq_mat_init(b->W1, 0, 0);
    fmpq_mat_init(b->b1, 0, 0);
    fmpq_mat_init(b->W2, 0, 0);
    fmpq_mat_init(b->b2, 0, 0);
    rj_act_init(b->act);
    b->act->kind = RJ_ACT_RELU;       /* the language's defaults */
    b->place = RJ_PLACE_NONE;
    rj_act_init(b->outer);
    b->outer->kind = RJ_ACT_RELU;
    b->general = 0;
    rj_seq_init(b->branch);
    rj_seq_init(b->proj);
    b->in.c = b->in.h = b->in.w = 0;
    b->out = b->in;
    b->name = NULL;
}

void
rj_block_init_general(rj_block_t b, rj_shape in)
{
    rj_block_init(b);
    b->general = 1;
    b->in = in;
}

void
rj_block_clear(rj_block_t b)
{
    fmpq_mat_clear(b->Ws);
    fmpq_clear(b->alpha);
    fmpq_mat_clear(b->W1);
    fmpq_mat_clear(b->b1);
    fmpq_mat_clear(b->W2);
    fmpq_mat_clear(b->b2);
    rj_act_clear(b->act);
    rj_act_clear(b->outer);
    rj_seq_clear(b->branch);
    rj_seq_clear(b->proj);
    flint_free(b->name);
    b->name = NULL;
}

void
rj_block_set(rj_block_t b, const rj_block_t c)
{
    if (b == c)
        return;
    b->n_in = c->n_in;
    b->n_hidden = c->n_hidden;
    b->n_out = c->n_out;
    b->skip = c->skip;
    mat_copy(b->Ws, c->Ws);
    fmpq_set(b->alpha, c->alpha);
    b->two_layer = c->two_layer;
    mat_copy(b->W1, c->W1);
    mat_copy(b->b1, c->b1);
    mat_copy(b->W2, c->W2);
    mat_copy(b->b2, c->b2);
    rj_act_set(b->act, c->act);
    b->place = c->place;
    rj_act_set(b->outer, c->outer);
    b->general = c->general;
    rj_seq_set(b->branch, c->branch);
    rj_seq_set(b->proj, c->proj);
    b->in = c->in;
    b->out = c->out;
    flint_free(b->name);
    b->name = rj_strdup(c->name);
}

static const char *
skip_word(rj_skip_kind s)
{
    switch (s) {
    case RJ_SKIP_IDENTITY: return "identity";
    case RJ_SKIP_PROJECT: return "project";
    case RJ_SKIP_SCALED: return "scaled";
    case RJ_SKIP_NONE: return "none";
    default: return "unknown";
    }
}

void
rj_block_label(char *buf, int len, slong l, const char *name)
{
    int named = name != NULL && name[0] != '\0';
    if (l < 0 && named)
        snprintf(buf, len, "block '%s'", name);
    else if (l < 0)
        snprintf(buf, len, "block");
    else if (named)
        snprintf(buf, len, "block %ld ('%s')", (long) (l + 1), name);
    else
        snprintf(buf, len, "block %ld", (long) (l + 1));
}

void
rj_net_block_label(char *buf, int len, const rj_net_t net, slong l)
{
    rj_block_label(buf, len, l,
                   net->names != NULL && l >= 0 && l < net->len ? net->names[l] : NULL);
}

#define SHAPE(A) (long) fmpq_mat_nrows(A), (long) fmpq_mat_ncols(A)

static int
is_empty(const fmpq_mat_t A)
{
    return fmpq_mat_nrows(A) == 0 && fmpq_mat_ncols(A) == 0;
}

static int
shape_equal(rj_shape a, rj_shape b)
{
    return a.c == b.c && a.h == b.h && a.w == b.w;
}

static rj_shape
flat_shape(slong n)
{
    rj_shape s;
    s.c = n;
    s.h = s.w = 1;
    return s;
}

rj_shape
rj_block_in_shape(const rj_block_struct *b)
{
    return b->general ? b->in : flat_shape(b->n_in);
}

rj_shape
rj_block_out_shape(const rj_block_struct *b)
{
    return b->general ? b->out : flat_shape(b->n_out);
}

static int
validate_general(rj_block_t b, const char *lab, rj_error_t err)
{
    char s1[64], s2[64];
    rj_shape out, pout;
    slong i;
    int st;

    if (b->two_layer || !is_empty(b->W1) || !is_empty(b->W2) || !is_empty(b->Ws)
        || !is_empty(b->b1) || !is_empty(b->b2))
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%s: a block is given either by W1/act/W2 or by its layers, "
                            "not both", lab);
    if (b->branch->len == 0)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: the branch has no layer", lab);
    if ((st = rj_seq_validate(b->branch, b->in, &out, lab, "branch", err)) != RJ_OK)
        return st;
    rj_shape_name(s1, sizeof(s1), b->in);
    rj_shape_name(s2, sizeof(s2), out);
    if (b->skip == RJ_SKIP_PROJECT) {
        if (b->proj->len == 0)
            return rj_error_set(err, RJ_ERR_INPUT, "%s: skip = project needs its layers", lab);
        for (i = 0; i < b->proj->len; i++)
            if (!rj_layer_is_affine(b->proj->layers + i)) {
                char nm[128];
                rj_layer_name(nm, sizeof(nm), b->proj->layers + i);
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "%s: projection layer %ld (%s) is not affine; a "
                                    "projection skip takes dense, conv2d, affine, "
                                    "batchnorm, avgpool, global_avgpool and flatten layers",
                                    lab, (long) i + 1, nm);
            }
        if ((st = rj_seq_validate(b->proj, b->in, &pout, lab, "projection", err)) != RJ_OK)
            return st;
        if (!shape_equal(pout, out)) {
            char s3[64];
            rj_shape_name(s3, sizeof(s3), pout);
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: shape mismatch: the branch maps %s to %s but the "
                                "projection gives %s", lab, s1, s2, s3);
        }
    } else {
        if (b->proj->len != 0)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: projection layers are set but the skip is %s", lab,
                                skip_word(b->skip));
        if (b->skip != RJ_SKIP_NONE && !shape_equal(b->in, out))
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: shape mismatch: the branch maps %s to %s but skip = %s "
                                "keeps the shape; a shape changes only through a "
                                "projection skip (skip = project(...))",
                                lab, s1, s2, skip_word(b->skip));
    }
    if ((int) b->skip < RJ_SKIP_IDENTITY || (int) b->skip > RJ_SKIP_NONE)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown skip kind", lab);
    if ((int) b->place < RJ_PLACE_NONE || (int) b->place > RJ_PLACE_POST)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown placement", lab);
    b->out = out;
    b->n_in = rj_shape_size(b->in);
    b->n_out = rj_shape_size(out);
    b->n_hidden = 0;
    return RJ_OK;
}

int
rj_block_validate(rj_block_t b, const char *name, rj_error_t err)
{
    char lab[300];
    slong n_in, n_hidden, n_out, inner;

    rj_block_label(lab, sizeof(lab), -1, name);
    if (b->general)
        return validate_general(b, lab, err);

    if (fmpq_mat_nrows(b->W1) == 0 || fmpq_mat_ncols(b->W1) == 0)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: W1 is missing or empty (%ld x %ld)",
                            lab, SHAPE(b->W1));
    n_in = fmpq_mat_ncols(b->W1);
    inner = fmpq_mat_nrows(b->W1);

    if (b->two_layer) {
        if (fmpq_mat_nrows(b->W2) == 0 || fmpq_mat_ncols(b->W2) == 0)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: a two-layer branch needs W2, but W2 is %ld x %ld",
                                lab, SHAPE(b->W2));
        if (fmpq_mat_ncols(b->W2) != inner)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: shape mismatch: W1 is %ld x %ld and W2 is %ld x %ld "
                                "(W2 needs %ld columns, one per row of W1)",
                                lab, SHAPE(b->W1), SHAPE(b->W2), (long) inner);
        n_hidden = inner;
        n_out = fmpq_mat_nrows(b->W2);
    } else {
        if (!is_empty(b->W2))
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: one-layer branch but W2 is set (%ld x %ld)",
                                lab, SHAPE(b->W2));
        if (!is_empty(b->b2))
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: b2 (%ld x %ld) needs W2: without W2 the branch is "
                                "F(u) = W1 u + b1", lab, SHAPE(b->b2));
        n_hidden = 0;
        n_out = inner;
    }

    if (!is_empty(b->b1) && (fmpq_mat_nrows(b->b1) != inner || fmpq_mat_ncols(b->b1) != 1))
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%s: shape mismatch: W1 is %ld x %ld and b1 is %ld x %ld "
                            "(b1 must be a %ld x 1 column vector)",
                            lab, SHAPE(b->W1), SHAPE(b->b1), (long) inner);
    if (!is_empty(b->b2) && (fmpq_mat_nrows(b->b2) != n_out || fmpq_mat_ncols(b->b2) != 1))
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%s: shape mismatch: W2 is %ld x %ld and b2 is %ld x %ld "
                            "(b2 must be a %ld x 1 column vector)",
                            lab, SHAPE(b->W2), SHAPE(b->b2), (long) n_out);

    if (n_in > RJ_MAX_WIDTH || n_hidden > RJ_MAX_WIDTH || n_out > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "%s: width %ld exceeds the limit RJ_MAX_WIDTH = %d", lab,
                            (long) FLINT_MAX(n_in, FLINT_MAX(n_hidden, n_out)),
                            RJ_MAX_WIDTH);

    if (b->skip == RJ_SKIP_PROJECT) {
        if (fmpq_mat_nrows(b->Ws) != n_out || fmpq_mat_ncols(b->Ws) != n_in)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: shape mismatch: the branch maps width %ld to width %ld "
                                "(%s is %ld x %ld) but the skip matrix Ws is %ld x %ld; "
                                "Ws must be %ld x %ld",
                                lab, (long) n_in, (long) n_out, b->two_layer ? "W2" : "W1",
                                b->two_layer ? (long) fmpq_mat_nrows(b->W2)
                                             : (long) fmpq_mat_nrows(b->W1),
                                b->two_layer ? (long) fmpq_mat_ncols(b->W2)
                                             : (long) fmpq_mat_ncols(b->W1),
                                SHAPE(b->Ws), (long) n_out, (long) n_in);
    } else {
        if (!is_empty(b->Ws))
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: a skip matrix Ws (%ld x %ld) is set but the skip is %s",
                                lab, SHAPE(b->Ws), skip_word(b->skip));
        if (n_out != n_in) {
            if (b->two_layer)
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "%s: shape mismatch: the branch maps width %ld to "
                                    "width %ld (W1 is %ld x %ld, W2 is %ld x %ld) but "
                                    "skip = %s keeps the width; widths change only "
                                    "through skip = project(Ws)",
                                    lab, (long) n_in, (long) n_out, SHAPE(b->W1),
                                    SHAPE(b->W2), skip_word(b->skip));
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: shape mismatch: the branch maps width %ld to width %ld "
                                "(W1 is %ld x %ld) but skip = %s keeps the width; widths "
                                "change only through skip = project(Ws)",
                                lab, (long) n_in, (long) n_out, SHAPE(b->W1),
                                skip_word(b->skip));
        }
    }
    if ((int) b->skip < RJ_SKIP_IDENTITY || (int) b->skip > RJ_SKIP_NONE)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown skip kind", lab);
    if ((int) b->place < RJ_PLACE_NONE || (int) b->place > RJ_PLACE_POST)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown placement", lab);

    b->n_in = n_in;
    b->n_hidden = n_hidden;
    b->n_out = n_out;
    b->in = flat_shape(n_in);
    b->out = flat_shape(n_out);
    return RJ_OK;
}

int
rj_block_is_piecewise_linear(const rj_block_t b)
{
    if (b->general) {
        slong i;
        for (i = 0; i < b->branch->len; i++)
            if (!rj_layer_is_piecewise_linear(b->branch->layers + i))
                return 0;
        return b->place == RJ_PLACE_NONE || rj_act_is_piecewise_linear(b->outer);
    }
    if (b->two_layer && !rj_act_is_piecewise_linear(b->act))
        return 0;
    if (b->place != RJ_PLACE_NONE && !rj_act_is_piecewise_linear(b->outer))
        return 0;
    return 1;
}

static int
fmpz_is_pow2(const fmpz_t d)
{
    return fmpz_sgn(d) > 0 && fmpz_bits(d) == fmpz_val2(d) + 1;
}

static int
fmpq_is_dyadic(const fmpq_t q)
{
    return fmpz_is_pow2(fmpq_denref(q));
}

static int
mat_is_dyadic(const fmpq_mat_t A)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            if (!fmpq_is_dyadic(fmpq_mat_entry(A, i, j)))
                return 0;
    return 1;
}

static int
layer_is_dyadic(const rj_layer_struct *L)
{
    return mat_is_dyadic(L->W) && mat_is_dyadic(L->b) && mat_is_dyadic(L->scale)
           && mat_is_dyadic(L->shift) && mat_is_dyadic(L->mean) && mat_is_dyadic(L->var)
           && fmpq_is_dyadic(L->eps) && fmpq_is_dyadic(L->act->slope)
           && fmpq_is_dyadic(L->act->param);
}

static int
seq_is_dyadic(const rj_seq_t s)
{
    slong i;
    for (i = 0; i < s->len; i++)
        if (!layer_is_dyadic(s->layers + i))
            return 0;
    return 1;
}

int
rj_block_is_dyadic(const rj_block_t b)
{
    if (b->general) {
        if (!seq_is_dyadic(b->branch) || !seq_is_dyadic(b->proj))
            return 0;
        if (b->skip == RJ_SKIP_SCALED && !fmpq_is_dyadic(b->alpha))
            return 0;
        return b->place == RJ_PLACE_NONE
               || (fmpq_is_dyadic(b->outer->slope) && fmpq_is_dyadic(b->outer->param));
    }
    if (!mat_is_dyadic(b->W1) || !mat_is_dyadic(b->b1) || !mat_is_dyadic(b->W2)
        || !mat_is_dyadic(b->b2) || !mat_is_dyadic(b->Ws))
        return 0;
    if (b->skip == RJ_SKIP_SCALED && !fmpq_is_dyadic(b->alpha))
        return 0;
    if (b->two_layer && b->act->kind == RJ_ACT_LEAKY_RELU && !fmpq_is_dyadic(b->act->slope))
        return 0;
    if (b->place != RJ_PLACE_NONE && b->outer->kind == RJ_ACT_LEAKY_RELU
        && !fmpq_is_dyadic(b->outer->slope))
        return 0;
    return 1;
}

/* ---------------------------------------------------------------- identity */

typedef struct {
    ulong a, b;
} hstate;

static ulong
mix64(ulong z)
{
#if FLINT_BITS == 64
    z = (z ^ (z >> 30)) * UWORD(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UWORD(0x94d049bb133111eb);
    return z ^ (z >> 31);
#else
    z = (z ^ (z >> 16)) * UWORD(0x7feb352d);
    z = (z ^ (z >> 15)) * UWORD(0x846ca68b);
    return z ^ (z >> 16);
#endif
}

static void
h_word(hstate *h, ulong w)
{
#if FLINT_BITS == 64
    h->a = (h->a ^ w) * UWORD(0x100000001b3);
    h->b = mix64(h->b + w + UWORD(0x9e3779b97f4a7c15));
#else
    h->a = (h->a ^ w) * UWORD(0x01000193);
    h->b = mix64(h->b + w + UWORD(0x9e3779b9));
#endif
}

static void
h_fmpz(hstate *h, const fmpz_t f)
{
    if (!COEFF_IS_MPZ(*f)) {
        h_word(h, 1);
        h_word(h, (ulong) *f);
    } else {
        __mpz_struct *z = COEFF_TO_PTR(*f);
        slong i, n = z->_mp_size < 0 ? -z->_mp_size : z->_mp_size;
        h_word(h, 2);
        h_word(h, (ulong) z->_mp_size);
        for (i = 0; i < n; i++)
            h_word(h, (ulong) z->_mp_d[i]);
    }
}

static void
h_fmpq(hstate *h, const fmpq_t q)
{
    h_fmpz(h, fmpq_numref(q));
    h_fmpz(h, fmpq_denref(q));
}

static void
h_mat(hstate *h, const fmpq_mat_t A)
{
    slong i, j;
    h_word(h, fmpq_mat_nrows(A));
    h_word(h, fmpq_mat_ncols(A));
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            h_fmpq(h, fmpq_mat_entry(A, i, j));
}

static void
h_act(hstate *h, const rj_act_struct *a)
{
    h_word(h, a->kind);
    h_fmpq(h, a->slope);
    h_fmpq(h, a->param);
}

static void
h_seq(hstate *h, const rj_seq_struct *s)
{
    slong i;
    h_word(h, s->len);
    for (i = 0; i < s->len; i++) {
        const rj_layer_struct *L = s->layers + i;
        h_word(h, L->kind);
        h_mat(h, L->W);
        h_mat(h, L->b);
        h_mat(h, L->scale);
        h_mat(h, L->shift);
        h_mat(h, L->mean);
        h_mat(h, L->var);
        h_fmpq(h, L->eps);
        h_word(h, L->kh);
        h_word(h, L->kw);
        h_word(h, L->sh);
        h_word(h, L->sw);
        h_word(h, L->ph);
        h_word(h, L->pw);
        h_word(h, L->dh);
        h_word(h, L->dw);
        h_word(h, L->groups);
        h_act(h, L->act);
    }
}

static void
h_block(hstate *h, const rj_block_struct *b)
{
    h_word(h, b->skip);
    h_mat(h, b->Ws);
    h_fmpq(h, b->alpha);
    h_word(h, b->two_layer);
    h_mat(h, b->W1);
    h_mat(h, b->b1);
    h_mat(h, b->W2);
    h_mat(h, b->b2);
    h_act(h, b->act);
    h_word(h, b->place);
    h_act(h, b->outer);
    h_word(h, b->general);
    if (b->general) {
        h_word(h, b->in.c);
        h_word(h, b->in.h);
        h_word(h, b->in.w);
        h_seq(h, b->branch);
        h_seq(h, b->proj);
    }
}

/* The state of an empty network (rj_net_init). */
static void
h_start(hstate *h)
{
    h->a = UWORD(0xcbf29ce484222325) & UWORD_MAX;
    h->b = 0x5eed;
}

void
rj_net_point_id(ulong id[2], const rj_net_t net, const fmpq_mat_t x)
{
    hstate h;
    h.a = net->id[0];
    h.b = net->id[1];
    h_word(&h, net->len);
    h_mat(&h, x);
    id[0] = h.a;
    id[1] = mix64(h.b ^ h.a);
}

static int
act_equal(const rj_act_struct *a, const rj_act_struct *b)
{
    return a->kind == b->kind && fmpq_equal(a->slope, b->slope)
           && fmpq_equal(a->param, b->param);
}

static int
layer_equal(const rj_layer_struct *a, const rj_layer_struct *b)
{
    return a->kind == b->kind && fmpq_mat_equal(a->W, b->W) && fmpq_mat_equal(a->b, b->b)
           && fmpq_mat_equal(a->scale, b->scale) && fmpq_mat_equal(a->shift, b->shift)
           && fmpq_mat_equal(a->mean, b->mean) && fmpq_mat_equal(a->var, b->var)
           && fmpq_equal(a->eps, b->eps) && a->kh == b->kh && a->kw == b->kw
           && a->sh == b->sh && a->sw == b->sw && a->ph == b->ph && a->pw == b->pw
           && a->dh == b->dh && a->dw == b->dw && a->groups == b->groups
           && act_equal(a->act, b->act);
}

static int
seq_equal(const rj_seq_struct *a, const rj_seq_struct *b)
{
    slong i;
    if (a->len != b->len)
        return 0;
    for (i = 0; i < a->len; i++)
        if (!layer_equal(a->layers + i, b->layers + i))
            return 0;
    return 1;
}

static int
block_equal(const rj_block_struct *a, const rj_block_struct *b)
{
    return a->skip == b->skip && a->two_layer == b->two_layer && a->place == b->place
           && fmpq_equal(a->alpha, b->alpha) && act_equal(a->act, b->act)
           && act_equal(a->outer, b->outer) && fmpq_mat_equal(a->Ws, b->Ws)
           && fmpq_mat_equal(a->W1, b->W1) && fmpq_mat_equal(a->b1, b->b1)
           && fmpq_mat_equal(a->W2, b->W2) && fmpq_mat_equal(a->b2, b->b2)
           && a->general == b->general
           && (!a->general
               || (a->in.c == b->in.c && a->in.h == b->in.h && a->in.w == b->in.w
                   && seq_equal(a->branch, b->branch) && seq_equal(a->proj, b->proj)));
}

int
rj_net_equal(const rj_net_t a, const rj_net_t b)
{
    slong i;
    if (a->len != b->len || a->id[0] != b->id[0] || a->id[1] != b->id[1])
        return 0;
    for (i = 0; i < a->len; i++)
        if (!block_equal(a->blocks + i, b->blocks + i))
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- networks */

void
rj_net_init(rj_net_t net)
{
    net->len = 0;
    net->alloc = 0;
    net->blocks = NULL;
    net->names = NULL;
    {
        hstate h;
        h_start(&h);
        net->id[0] = h.a;
        net->id[1] = h.b;
    }
}

void
rj_net_clear(rj_net_t net)
{
    slong i;
    for (i = 0; i < net->len; i++) {
        rj_block_clear(net->blocks + i);
        flint_free(net->names[i]);
    }
    flint_free(net->blocks);
    flint_free(net->names);
    rj_net_init(net);
}

static void
net_reserve(rj_net_t net, slong n)
{
    slong a;
    if (n <= net->alloc)
        return;
    a = FLINT_MAX(n, 2 * net->alloc);
    a = FLINT_MAX(a, 4);
    net->blocks = flint_realloc(net->blocks, a * sizeof(rj_block_struct));
    net->names = flint_realloc(net->names, a * sizeof(char *));
    net->alloc = a;
}

/* Append a copy of blk, leaving the identity to the caller. */
static void
net_push(rj_net_t net, const rj_block_t blk, const char *name)
{
    slong i;
    /* blk may point into net->blocks: remember its index across the realloc */
    if (net->len > 0 && blk >= net->blocks && blk < net->blocks + net->len) {
        i = blk - net->blocks;
        net_reserve(net, net->len + 1);
        blk = net->blocks + i;
    } else {
        net_reserve(net, net->len + 1);
    }
    rj_block_init(net->blocks + net->len);
    rj_block_set(net->blocks + net->len, blk);
    net->names[net->len] = rj_strdup(name != NULL ? name : blk->name);
    net->len++;
}

void
rj_net_append(rj_net_t net, const rj_block_t blk, const char *name)
{
    hstate h;
    net_push(net, blk, name);
    h.a = net->id[0];
    h.b = net->id[1];
    h_block(&h, net->blocks + net->len - 1);
    net->id[0] = h.a;
    net->id[1] = h.b;
}

void
rj_net_append_net(rj_net_t net, const rj_net_t src)
{
    slong i, n = src->len;
    net_reserve(net, net->len + n);   /* src may be net itself */
    for (i = 0; i < n; i++)
        rj_net_append(net, src->blocks + i, src->names[i]);
}

void
rj_net_set(rj_net_t net, const rj_net_t src)
{
    rj_net_t t;
    slong i;
    if (net == src)
        return;
    rj_net_init(t);
    net_reserve(t, src->len);
    for (i = 0; i < src->len; i++)
        net_push(t, src->blocks + i, src->names[i]);
    t->id[0] = src->id[0];       /* the same blocks: the same identity */
    t->id[1] = src->id[1];
    rj_net_clear(net);
    *net = *t;
}

int
rj_net_validate(const rj_net_t net, rj_error_t err)
{
    slong i;
    char l1[300], l2[300];
    if (net->len > RJ_MAX_DEPTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "network depth %ld exceeds the limit RJ_MAX_DEPTH = %d",
                            (long) net->len, RJ_MAX_DEPTH);
    if (net->len == 0)
        return rj_error_set(err, RJ_ERR_INPUT, "network has no blocks");
    for (i = 0; i < net->len; i++) {
        const rj_block_struct *b = net->blocks + i;
        if (b->n_in < 1 || b->n_out < 1
            || (b->general ? b->n_in != rj_shape_size(b->in)
                           : b->n_in != fmpq_mat_ncols(b->W1))) {
            rj_net_block_label(l1, sizeof(l1), net, i);
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s has not been validated (W1 is %ld x %ld)", l1,
                                SHAPE(b->W1));
        }
    }
    for (i = 0; i + 1 < net->len; i++) {
        if (!shape_equal(rj_block_out_shape(net->blocks + i),
                         rj_block_in_shape(net->blocks + i + 1))) {
            char s1[64], s2[64];
            rj_net_block_label(l1, sizeof(l1), net, i);
            rj_net_block_label(l2, sizeof(l2), net, i + 1);
            rj_shape_name(s1, sizeof(s1), rj_block_out_shape(net->blocks + i));
            rj_shape_name(s2, sizeof(s2), rj_block_in_shape(net->blocks + i + 1));
            if (net->blocks[i].n_out != net->blocks[i + 1].n_in)
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "width mismatch: %s outputs width %ld but the next, %s, "
                                    "takes width %ld",
                                    l1, (long) net->blocks[i].n_out, l2,
                                    (long) net->blocks[i + 1].n_in);
            return rj_error_set(err, RJ_ERR_INPUT,
                                "shape mismatch: %s outputs shape %s but the next, %s, "
                                "takes shape %s (a flatten layer changes the shape)",
                                l1, s1, l2, s2);
        }
    }
    return RJ_OK;
}

int
rj_point_check(slong rows, slong cols, slong n_in, const char *block1, rj_error_t err)
{
    if (cols != 1 || rows < 1)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the point must be a column vector, got %ldx%ld", (long) rows,
                            (long) cols);
    if (rows > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "the point has width %ld; the limit is RJ_MAX_WIDTH = %d",
                            (long) rows, RJ_MAX_WIDTH);
    if (n_in >= 0 && rows != n_in)
        return rj_error_set(err, RJ_ERR_INPUT, "%s takes width %ld but the point has width %ld",
                            block1, (long) n_in, (long) rows);
    return RJ_OK;
}

int
rj_net_check_point(const rj_net_t net, slong rows, slong cols, rj_error_t err)
{
    char lab[300];
    if (net->len == 0)
        return rj_point_check(rows, cols, -1, NULL, err);
    rj_net_block_label(lab, sizeof(lab), net, 0);
    return rj_point_check(rows, cols,
                          net->blocks[0].general ? net->blocks[0].n_in
                                                 : fmpq_mat_ncols(net->blocks[0].W1),
                          lab, err);
}

slong
rj_net_width_in(const rj_net_t net)
{
    return net->len > 0 ? net->blocks[0].n_in : 0;
}

slong
rj_net_width_out(const rj_net_t net)
{
    return net->len > 0 ? net->blocks[net->len - 1].n_out : 0;
}

slong
rj_net_max_width(const rj_net_t net)
{
    slong i, j, w = 0;
    for (i = 0; i < net->len; i++) {
        w = FLINT_MAX(w, net->blocks[i].n_in);
        w = FLINT_MAX(w, net->blocks[i].n_hidden);
        w = FLINT_MAX(w, net->blocks[i].n_out);
        for (j = 0; j < net->blocks[i].branch->len; j++)
            w = FLINT_MAX(w, rj_shape_size(net->blocks[i].branch->layers[j].out));
    }
    return w;
}

int
rj_net_is_piecewise_linear(const rj_net_t net)
{
    slong i;
    for (i = 0; i < net->len; i++)
        if (!rj_block_is_piecewise_linear(net->blocks + i))
            return 0;
    return 1;
}

int
rj_net_is_dyadic(const rj_net_t net)
{
    slong i;
    for (i = 0; i < net->len; i++)
        if (!rj_block_is_dyadic(net->blocks + i))
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- doubles */

/* Exact: a finite IEEE double is (-1)^s * m * 2^(e - 1075) with m the 53-bit
   significand including the hidden bit (normal) or m * 2^-1074 (subnormal).
   Read from the bit pattern, so no floating-point operation can round. */
void
rj_fmpq_set_d_exact(fmpq_t q, double d)
{
    uint64_t bits, m;
    int s, e, tz;
    slong k;

    memcpy(&bits, &d, sizeof(bits));
    s = (int) (bits >> 63);
    e = (int) ((bits >> 52) & 0x7ff);
    m = bits & ((UINT64_C(1) << 52) - 1);
    if (e == 0)
        k = -1074;
    else {
        m |= UINT64_C(1) << 52;
        k = (slong) e - 1075;
    }
    RJ_ASSERT(e != 0x7ff);
    if (m == 0) {
        fmpq_zero(q);
        return;
    }
    tz = __builtin_ctzll(m);
    m >>= tz;
    k += tz;
    fmpz_set_ui(fmpq_numref(q), (ulong) m);
    if (s)
        fmpz_neg(fmpq_numref(q), fmpq_numref(q));
    if (k >= 0) {
        fmpz_mul_2exp(fmpq_numref(q), fmpq_numref(q), (ulong) k);
        fmpz_one(fmpq_denref(q));
    } else {
        fmpz_one(fmpq_denref(q));
        fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), (ulong) (-k));
    }
}
