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

/* err's message moved to loc with prefix, keeping its status (returned). */
int _rj_lang_relocate(rj_error_t err, int status, rj_loc_t loc, const char *prefix);

/* The activation an atom names (relu, leaky_relu(a), gelu, softplus(beta),
   ...) into a; 0 when v is no activation. */
int _rj_lang_atom_get_act(rj_act_t a, const rj_val_struct *v);

/* Layer builders (layers.c): the index of the builder called name, or -1;
   call builder i on the call e with its evaluated arguments. */
int _rj_lang_layer_find(const char *name);
int _rj_lang_layer_call(rj_val_t out, int i, const rj_expr_struct *e,
                        rj_val_struct *const *vals, rj_error_t err);
/* A list literal [a, b, ...] whose entries are layers and activations becomes
   a list value in out (returns 1); -1 (err set, located at the entry) when
   some entries are layers and another is not; otherwise 0, out unchanged. */
int _rj_lang_layer_list(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals,
                        slong n, rj_error_t err);
/* project([layers]) or project(layer): a projection skip given by layers. */
int _rj_lang_project_layers(rj_val_t out, const rj_val_struct *v, rj_loc_t loc,
                            rj_error_t err);
/* block(branch = [...], ...): a general block, shapes checked. */
int _rj_lang_block_general(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals,
                           const char *hint, rj_error_t err);
/* skip, place, outer of a block of either form (builtins.c; NULL values: not
   given). */
int _rj_lang_block_opts(rj_block_t b, const rj_val_struct *skip, rj_loc_t skip_loc,
                        const rj_val_struct *place, rj_loc_t place_loc,
                        const rj_val_struct *outer, rj_loc_t outer_loc, rj_loc_t outer_key,
                        rj_error_t err);
/* Validate b (status st so far: nothing done unless RJ_OK), the message
   located at loc; out = the block on success.  b is cleared. */
int _rj_lang_block_finish(rj_val_t out, rj_block_t b, int st, const char *hint, rj_loc_t loc,
                          rj_error_t err);
/* 1 and s = the layers when v is project([layers]); else 0, s unchanged. */
int _rj_lang_get_project(rj_seq_t s, const rj_val_struct *v);
/* A layer's or block's name = "..." (v, at loc; what names the option for
   messages): checked by rj_name_check and copied into *name (its old value
   freed). */
int _rj_lang_get_name(char **name, const rj_val_struct *v, rj_loc_t loc, const char *what,
                      rj_error_t err);
/* Weight entries of a general block (for the network size limits). */
slong _rj_lang_block_entries(const rj_block_struct *b);

/* tensors(path) (tensors.c): out = the tensor file at path (safetensors or
   .npz), its index validated; errors relocated to loc. */
int _rj_lang_tensors(rj_val_t out, const char *path, rj_loc_t loc, rj_error_t err);

#endif
