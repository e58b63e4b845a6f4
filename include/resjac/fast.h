/* resjac: the fast module (being written). */
#ifndef RESJAC_FAST_H
#define RESJAC_FAST_H
#endif
