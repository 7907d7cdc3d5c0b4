/**
 * @file
 * Untrusted text on its way to a protocol line, a log line, a message or a
 * terminal: the one place certslot decides which bytes are control bytes.
 *
 * - A protocol line (an FTP command, an HTTP request line or header, a TFTP
 *   file name) is built only from data for which certslot_text_has_ctl() is
 *   0: CR, LF and NUL would end or split the line and smuggle a command.
 * - A log line or a message shows untrusted bytes (file names, server
 *   replies, certificate names, config values) only through
 *   certslot_text_escape(): one printable line that cannot forge another or
 *   drive a terminal.
 */
#ifndef CERTSLOT_TEXT_H
#define CERTSLOT_TEXT_H

#include <stddef.h>

/** Bytes certslot_text_escape() may write for len input bytes, NUL included. */
#define CERTSLOT_TEXT_ESCAPED_SIZE(len) (4 * (len) + 1)

/** 1 when s[0..len) holds a C0 control byte (0x00..0x1F, NUL, CR, LF, TAB
 * included) or DEL (0x7F), else 0. */
int certslot_text_has_ctl(const char *s, size_t len);

/**
 * Copies s[0..len) into out (size > 0 bytes, always NUL-terminated), writing
 * as `\xNN` every C0 control byte, DEL, byte that is not part of valid UTF-8,
 * C1 control (U+0080..U+009F) and bidirectional override (U+202A..U+202E,
 * U+2066..U+2069). Other text, UTF-8 included, is kept. The result is cut at
 * a character or escape boundary when it does not fit. Returns its length.
 */
size_t certslot_text_escape(char *out, size_t size, const char *s, size_t len);

/** certslot_text_escape() of the NUL-terminated text in buf, in place
 * (buf holds size bytes); for messages formatted from untrusted pieces. */
void certslot_text_escape_inplace(char *buf, size_t size);

#endif
