/* resjac: path labels in the lesson's notation and the listing order. */
#include <string.h>

#include "resjac/paths.h"

/* Append s to buf (capacity len, always NUL-terminated); pos is the current
   length.  Text that does not fit is dropped. */
static slong
put(char *buf, slong len, slong pos, const char *s)
{
    slong n = strlen(s);
    if (pos + n >= len)
        return pos;
    memcpy(buf + pos, s, n);
    buf[pos + n] = '\0';
    return pos + n;
}

/* Subscript digits U+2080..U+2089 are E2 82 80..89 in UTF-8. */
static slong
put_subscript(char *buf, slong len, slong pos, ulong n)
{
    char digits[24], sub[4];
    int nd = 0;

    do {
        digits[nd++] = (char) (n % 10);
        n /= 10;
    } while (n != 0);
    sub[0] = (char) 0xE2;
    sub[1] = (char) 0x82;
    sub[3] = '\0';
    while (nd > 0) {
        sub[2] = (char) (0x80 + digits[--nd]);
        pos = put(buf, len, pos, sub);
    }
    return pos;
}

void
rj_paths_label(char *buf, slong len, ulong L, ulong mask)
{
    slong pos = 0;
    ulong l;

    if (len <= 0)
        return;
    buf[0] = '\0';
    for (l = 1; l <= L; l++) {
        if (l > 1)
            pos = put(buf, len, pos, " ");
        if (l <= FLINT_BITS && ((mask >> (l - 1)) & 1)) {
            pos = put(buf, len, pos, "J");
            pos = put_subscript(buf, len, pos, l);
        } else {
            pos = put(buf, len, pos, "I");
        }
    }
}

/* Next subset of the same size in lexicographic order of the sorted block
   lists ({1,2} < {1,3} < {2,3}): find the last element that can move right,
   move it one step and pack the elements after it right behind it.  When no
   element can move, go to the first subset of the next size. */
int
rj_paths_list_next(ulong *mask, ulong L)
{
    ulong pos[FLINT_BITS];
    ulong k = 0, l, i, m = *mask;
    slong j;

    if (L == 0 || L > FLINT_BITS)
        return 0;
    for (l = 0; l < L; l++)
        if ((m >> l) & 1)
            pos[k++] = l;
    /* element j can move when pos[j] < L - k + j */
    for (j = (slong) k - 1; j >= 0; j--)
        if (pos[j] < L - k + (ulong) j)
            break;
    if (j >= 0) {
        pos[j]++;
        for (i = j + 1; i < k; i++)
            pos[i] = pos[i - 1] + 1;
    } else {
        if (k == L)
            return 0;
        k++;
        for (i = 0; i < k; i++)
            pos[i] = i;
    }
    m = 0;
    for (i = 0; i < k; i++)
        m |= UWORD(1) << pos[i];
    *mask = m;
    return 1;
}
