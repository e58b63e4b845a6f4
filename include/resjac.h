/* resjac: umbrella header. */
#ifndef RESJAC_H
#define RESJAC_H

#include "resjac/error.h"
#include "resjac/model.h"
#include "resjac/lang.h"
#include "resjac/paths.h"
#include "resjac/exact.h"
#include "resjac/precise.h"
#include "resjac/fast.h"
#include "resjac/symbolic.h"
#include "resjac/xval.h"
#include "resjac/claims.h"

#endif
