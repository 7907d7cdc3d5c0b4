/*
 * The parameter registry's functions for the config parser, by family: the
 * parser knows each attribute's family from its lookup, and need not find it
 * again for every call (certslot/param.h has the public ones, by parameter).
 */
#ifndef CERTSLOT_PARAM_INTERNAL_H
#define CERTSLOT_PARAM_INTERNAL_H

#include <stddef.h>

#include "certslot/param.h"

/* certslot_param_lookup, with the family found (set when the result is >= 0). */
certslot_param_t cs_param_lookup(const char *name, size_t len, int *is_set_companion, certslot_family_t *fam);
/* certslot_param_check for a parameter of family fam; canon: for an ENUM, its value's canonical spelling. */
int cs_param_check(certslot_family_t fam, const char *t, size_t len, int *num, const char **canon, char *why,
                   size_t why_size);

/* The type, the CERTSLOT_PF_* flags and the values ("A|B|C", NULL for a type without) of family fam (a valid
 * family). */
certslot_type_t cs_family_type(certslot_family_t fam);
unsigned cs_family_flags(certslot_family_t fam);
const char *cs_family_values(certslot_family_t fam);

#endif
