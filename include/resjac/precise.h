/* resjac: the precise module (being written). */
#ifndef RESJAC_PRECISE_H
#define RESJAC_PRECISE_H
#endif
