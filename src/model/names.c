/* resjac: parameter names of a network, as PyTorch's state dict names them
 * (the scheme is stated at rj_net_param_name in include/resjac/model.h). */
#include <stdio.h>
#include <string.h>

#include "resjac/model.h"

static int
name_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
           || ch == '_' || ch == '.' || ch == '-';
}

int
rj_name_check(const char *name, const char *what, rj_error_t err)
{
    size_t i, n = strlen(name);
    if (n == 0)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: a name cannot be empty", what);
    if (n > RJ_MAX_NAME_LEN)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: a name of %zu characters is longer than "
                            "%d", what, n, RJ_MAX_NAME_LEN);
    for (i = 0; i < n; i++)
        if (!name_char_ok(name[i]))
            return rj_error_set(err, RJ_ERR_INPUT, "%s: character %zu of \"%.60s\" is not a "
                                "letter, digit, '_', '.' or '-'", what, i + 1, name);
    return RJ_OK;
}

void
rj_net_param_name(char *buf, int len, const rj_net_t net, slong l, int proj, slong j,
                  const char *param)
{
    const rj_block_struct *b = net->blocks + l;
    const rj_seq_struct *s = proj ? b->proj : b->branch;
    char prefix[RJ_MAX_NAME_LEN + 40];
    if (b->name != NULL)
        snprintf(prefix, sizeof(prefix), "%s", b->name);
    else
        snprintf(prefix, sizeof(prefix), "blocks.%ld", (long) l);
    if (!b->general)
        snprintf(buf, len, "%s.%s", prefix, param);
    else if (j >= 0 && j < s->len && s->layers[j].name != NULL)
        snprintf(buf, len, "%s.%s", s->layers[j].name, param);
    else
        snprintf(buf, len, "%s.%s.%ld.%s", prefix, proj ? "proj" : "branch", (long) j, param);
}
