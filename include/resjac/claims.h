/* resjac: the claims module (being written). */
#ifndef RESJAC_CLAIMS_H
#define RESJAC_CLAIMS_H
#endif
