// The one C boundary of Verdict: a streaming (SAX2 push) XML reader over libxml2.
// This header includes no libxml2 header, so Swift never sees libxml2's types or its ICU headers.
#ifndef CXMLSHIM_H
#define CXMLSHIM_H

#include <stddef.h>

/// Element names the JUnit reader cares about, resolved once in C so Swift compares integers.
typedef enum {
    VX_OTHER = 0,
    VX_TESTSUITES,
    VX_TESTSUITE,
    VX_TESTCASE,
    VX_FAILURE,
    VX_ERROR,
    VX_SKIPPED,
    VX_FLAKY_FAILURE,
    VX_FLAKY_ERROR,
    VX_RERUN_FAILURE,
    VX_RERUN_ERROR,
    VX_SYSTEM_OUT,
    VX_SYSTEM_ERR,
    VX_PROPERTIES,
    VX_PROPERTY,
    VX_STACK_TRACE,
} vx_element;

/// One attribute: a NUL-terminated local name and a value that is NOT NUL-terminated.
typedef struct {
    const char *_Nonnull name;
    const unsigned char *_Nonnull value;
    int length;
} vx_attribute;

typedef void (*vx_start_fn)(void *_Nullable context, int element, const char *_Nonnull localname,
                            int attribute_count, const vx_attribute *_Nullable attributes);
typedef void (*vx_end_fn)(void *_Nullable context, int element);
typedef void (*vx_text_fn)(void *_Nullable context, const unsigned char *_Nonnull bytes, int length);

typedef struct vx_parser vx_parser;

/// Creates a push parser with safe options only: no network, no entity substitution, no DTD
/// loading, no XML_PARSE_HUGE, no printing. A DOCTYPE stops the parse (see vx_parser_refused_doctype).
vx_parser *_Nullable vx_parser_create(void *_Nullable context, vx_start_fn _Nonnull start,
                                      vx_end_fn _Nonnull end, vx_text_fn _Nonnull text);

/// Feeds bytes. Returns 0 while the document is well-formed so far, non-zero after an error or a stop.
int vx_parser_feed(vx_parser *_Nonnull parser, const char *_Nullable bytes, int length, int terminate);

/// Stops parsing from inside a callback; later feeds return non-zero.
void vx_parser_stop(vx_parser *_Nonnull parser);

/// The last error's message (never NULL; "" when none), line and column.
const char *_Nonnull vx_parser_error_message(const vx_parser *_Nonnull parser);
int vx_parser_error_line(const vx_parser *_Nonnull parser);
int vx_parser_error_column(const vx_parser *_Nonnull parser);

/// 1 when the document had a DOCTYPE and was refused for it.
int vx_parser_refused_doctype(const vx_parser *_Nonnull parser);

/// The line the parser is at (for warnings raised from callbacks).
int vx_parser_current_line(const vx_parser *_Nonnull parser);

/// Index of the attribute named `name`, or -1.
int vx_attribute_index(const vx_attribute *_Nullable attributes, int count, const char *_Nonnull name);

void vx_parser_free(vx_parser *_Nullable parser);

/// How many leading bytes of `bytes` need no change and no look-ahead from the XML byte normalizer:
/// printable ASCII and tab/CR/LF, except `&`, a `<` followed by `!` (or last), and `]` inside CDATA
/// (`in_cdata`), plus complete, valid UTF-8 sequences of characters XML allows. The normalizer
/// handles the byte it stops at.
size_t vx_scan_plain(const unsigned char *_Nonnull bytes, size_t length, int in_cdata);

/// Counts the LF bytes in `bytes`; `last` receives the offset of the last one (or -1).
size_t vx_count_newlines(const unsigned char *_Nullable bytes, size_t length, long *_Nonnull last);

/// A streaming converter from a named encoding to UTF-8 (iconv). NULL when the name is unknown.
typedef struct vx_transcoder vx_transcoder;
vx_transcoder *_Nullable vx_transcoder_create(const char *_Nonnull encoding);

/// Converts as much of `input` as possible into `output`. Returns the bytes written; `consumed`
/// says how much input was used (an incomplete character at the end is left for the next call
/// unless `final`). Bytes that are invalid in the encoding become U+FFFD and are counted in `invalid`.
size_t vx_transcode(vx_transcoder *_Nonnull transcoder, const unsigned char *_Nullable input, size_t length,
                    unsigned char *_Nonnull output, size_t capacity, int final, size_t *_Nonnull consumed,
                    size_t *_Nonnull invalid);

void vx_transcoder_free(vx_transcoder *_Nullable transcoder);

#endif
