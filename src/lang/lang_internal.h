/* resjac: what the files of src/lang share: the evaluator (eval.c) and the
   builtins (builtins.c).  Not installed, not exported: names start with
   _rj_lang_. */
#ifndef RESJAC_LANG_INTERNAL_H
#define RESJAC_LANG_INTERNAL_H

#include "resjac/lang.h"

/* Set err to "WHAT: expected EXPECTED, found <v described>" at loc; returns
   RJ_ERR_INPUT. */
int _rj_lang_wrong_kind(rj_error_t err, rj_loc_t loc, const char *what,
                        const char *expected, const rj_val_struct *v);

/* Whether s names a bare atom (relu, tanh, sigmoid, identity, none, pre,
   post). */
int _rj_lang_is_bare_atom(const char *s);

/* Reset v to the atom name. */
void _rj_lang_set_atom(rj_val_t v, const char *name);

/* The index of the builtin called name, or -1 if there is none. */
int _rj_lang_builtin_find(const char *name);

/* Apply builtin i (from _rj_lang_builtin_find) to the call e with its evaluated
   arguments vals; hint is the name of the let being defined, or NULL. */
int _rj_lang_builtin_call(rj_val_t out, int i, const rj_expr_struct *e,
                          rj_val_struct *const *vals, rj_env_t env, const char *hint,
                          rj_error_t err);

#endif
