/* resjac: the ties met at a point (include/resjac/model.h states the order
 * every layer reports them in). */
#include "resjac/model.h"

void
rj_ties_init(rj_ties_t t)
{
    t->len = 0;
    t->alloc = 0;
    t->ties = NULL;
}

void
rj_ties_clear(rj_ties_t t)
{
    flint_free(t->ties);
    rj_ties_init(t);
}

void
rj_ties_push_layer(rj_ties_t t, slong block, int where, slong layer, slong unit)
{
    if (t == NULL)
        return;
    if (t->len == t->alloc) {
        t->alloc = FLINT_MAX(8, 2 * t->alloc);
        t->ties = flint_realloc(t->ties, t->alloc * sizeof(rj_tie_struct));
    }
    t->ties[t->len].block = block;
    t->ties[t->len].where = where;
    t->ties[t->len].unit = unit;
    t->ties[t->len].layer = layer;
    t->ties[t->len].stage = 0;
    t->len++;
}

void
rj_ties_push(rj_ties_t t, slong block, int where, slong unit)
{
    rj_ties_push_layer(t, block, where, where == 0 ? 1 : -1, unit);
}

int
rj_tie_is_branch_layer(const rj_net_t net, const rj_tie_struct *t)
{
    const rj_block_struct *b = net->blocks + t->block;
    return b->general && t->where == 0 && t->layer >= 0 && t->layer < b->branch->len;
}

void
rj_tie_layer_name(char *buf, int len, const rj_net_t net, const rj_tie_struct *t)
{
    const rj_block_struct *b = net->blocks + t->block;
    if (rj_tie_is_branch_layer(net, t))
        rj_layer_name(buf, len, b->branch->layers + t->layer);
    else
        rj_act_name(buf, len, t->where == 0 ? b->act : b->outer);
}
