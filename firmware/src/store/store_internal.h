/*
 * Internal to store/: the parts of a store (store.c), the store file they
 * are sealed into (store_file.c), and the checks that build a part
 * (store_part.c). Not a public header.
 */
#ifndef CERTSLOT_STORE_INTERNAL_H
#define CERTSLOT_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/hal.h"
#include "certslot/settings.h"
#include "certslot/store.h"

typedef certslot_part_t cs_parts_t[CERTSLOT_SLOT_COUNT][2];

/* Copies der into b (new memory); CERTSLOT_ERR_NOMEM. */
int cs_blob_set(certslot_blob_t *b, const unsigned char *der, size_t len);
void cs_parts_free(cs_parts_t parts);

/* parts and settings, sealed as generation gen (encrypted, authenticated) into a new buffer. */
int cs_store_seal(const certslot_hal_t *hal, cs_parts_t parts, const certslot_settings_t *settings, uint64_t gen,
                  unsigned char **out, size_t *out_len);

/*
 * The generation a store file's clear header claims (checked: magic, version,
 * lengths; not yet authenticated: cs_store_unseal does that), without
 * decrypting it; CERTSLOT_ERR_CORRUPT with *why otherwise.
 */
int cs_store_peek(const unsigned char *file, size_t len, uint64_t *gen, const char **why);

/*
 * Checks and decrypts a store file into parts (zeroed by the caller) and
 * settings (defaults when the file has none). CERTSLOT_ERR_SECRET for a
 * file of another device secret, CERTSLOT_ERR_CORRUPT for anything else
 * that is not an intact store; *why says which. On error parts are freed.
 * The file is decrypted in place and its contents wiped after: once tried,
 * it is only good for freeing.
 */
int cs_store_unseal(const certslot_hal_t *hal, unsigned char *file, size_t len, cs_parts_t parts,
                    certslot_settings_t *settings, uint64_t *gen, const char **why);

/*
 * The new content of one part, into out (zeroed by the caller), from
 * certificate text (NULL: keep cur's certificates) and key text (NULL: keep
 * cur's key), checked as an install checks it (encodings, policy, the
 * key/certificate pair). Nothing of cur changes. why says what was refused.
 */
int cs_part_build(const certslot_hal_t *hal, certslot_slot_t slot, certslot_kind_t kind, const certslot_part_t *cur,
                  const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                  int allow_weak, char *why, size_t why_size, certslot_part_t *out);

/* "N certificates, first CN=..." of a part, for messages. */
void cs_part_describe(const certslot_part_t *p, char *buf, size_t size);

#endif
