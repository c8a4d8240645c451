#include "CXMLShim.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

struct vx_parser {
    xmlParserCtxtPtr ctxt;
    void *context;
    vx_start_fn start;
    vx_end_fn end;
    vx_text_fn text;
    vx_attribute *attributes;
    int attribute_capacity;
    int refused_doctype;
    int stopped;
    char message[512];
    int line;
    int column;
};

static void vx_silent(void *context, const char *message, ...) { (void)context; (void)message; }

__attribute__((constructor)) static void vx_init(void) {
    xmlInitParser();
    // libxml2 prints some errors itself (encoding, I/O); they are collected per parse instead.
    xmlSetGenericErrorFunc(NULL, vx_silent);
    xmlThrDefSetGenericErrorFunc(NULL, vx_silent);
}

static int vx_classify(const xmlChar *name) {
    switch (name[0]) {
    case 't':
        if (strcmp((const char *)name, "testcase") == 0) return VX_TESTCASE;
        if (strcmp((const char *)name, "testsuite") == 0) return VX_TESTSUITE;
        if (strcmp((const char *)name, "testsuites") == 0) return VX_TESTSUITES;
        break;
    case 'f':
        if (strcmp((const char *)name, "failure") == 0) return VX_FAILURE;
        if (strcmp((const char *)name, "flakyFailure") == 0) return VX_FLAKY_FAILURE;
        if (strcmp((const char *)name, "flakyError") == 0) return VX_FLAKY_ERROR;
        break;
    case 'e':
        if (strcmp((const char *)name, "error") == 0) return VX_ERROR;
        break;
    case 's':
        if (strcmp((const char *)name, "skipped") == 0) return VX_SKIPPED;
        if (strcmp((const char *)name, "system-out") == 0) return VX_SYSTEM_OUT;
        if (strcmp((const char *)name, "system-err") == 0) return VX_SYSTEM_ERR;
        if (strcmp((const char *)name, "stackTrace") == 0) return VX_STACK_TRACE;
        break;
    case 'r':
        if (strcmp((const char *)name, "rerunFailure") == 0) return VX_RERUN_FAILURE;
        if (strcmp((const char *)name, "rerunError") == 0) return VX_RERUN_ERROR;
        break;
    case 'p':
        if (strcmp((const char *)name, "property") == 0) return VX_PROPERTY;
        if (strcmp((const char *)name, "properties") == 0) return VX_PROPERTIES;
        break;
    default:
        break;
    }
    return VX_OTHER;
}

static void vx_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                             int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                             const xmlChar **attributes) {
    (void)prefix; (void)uri; (void)nb_namespaces; (void)namespaces; (void)nb_defaulted;
    vx_parser *p = (vx_parser *)ctx;
    if (p->stopped) return;
    if (nb_attributes > p->attribute_capacity) {
        int capacity = nb_attributes < 16 ? 16 : nb_attributes * 2;
        vx_attribute *grown = realloc(p->attributes, (size_t)capacity * sizeof(vx_attribute));
        if (grown == NULL) { vx_parser_stop(p); return; }
        p->attributes = grown;
        p->attribute_capacity = capacity;
    }
    for (int i = 0; i < nb_attributes; i++) {
        const xmlChar **a = attributes + i * 5;  // localname, prefix, URI, value, end
        p->attributes[i].name = (const char *)a[0];
        p->attributes[i].value = a[3];
        p->attributes[i].length = (int)(a[4] - a[3]);
    }
    p->start(p->context, vx_classify(localname), (const char *)localname, nb_attributes,
             nb_attributes > 0 ? p->attributes : NULL);
}

static void vx_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)prefix; (void)uri;
    vx_parser *p = (vx_parser *)ctx;
    if (p->stopped) return;
    p->end(p->context, vx_classify(localname));
}

static void vx_characters(void *ctx, const xmlChar *ch, int len) {
    vx_parser *p = (vx_parser *)ctx;
    if (p->stopped || len <= 0) return;
    p->text(p->context, ch, len);
}

static void vx_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id) {
    (void)name; (void)external_id; (void)system_id;
    vx_parser *p = (vx_parser *)ctx;
    p->refused_doctype = 1;
    vx_parser_stop(p);
}

vx_parser *vx_parser_create(void *context, vx_start_fn start, vx_end_fn end, vx_text_fn text) {
    vx_parser *p = calloc(1, sizeof(vx_parser));
    if (p == NULL) return NULL;
    p->context = context;
    p->start = start;
    p->end = end;
    p->text = text;

    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = vx_start_element;
    sax.endElementNs = vx_end_element;
    sax.characters = vx_characters;
    sax.cdataBlock = vx_characters;
    sax.internalSubset = vx_internal_subset;

    xmlSetGenericErrorFunc(NULL, vx_silent);  // per thread in a threaded libxml2
    p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
    if (p->ctxt == NULL) { free(p); return NULL; }
    // Safe options only. Never NOENT (it turns entity substitution ON), DTDLOAD/DTDATTR/DTDVALID or HUGE.
    xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    return p;
}

static void vx_capture_error(vx_parser *p) {
    if (p->message[0] != '\0') return;
    if (p->refused_doctype) {
        snprintf(p->message, sizeof(p->message),
                 "the document has a DOCTYPE declaration; DTDs and entities are refused, nothing was loaded");
        p->line = xmlSAX2GetLineNumber(p->ctxt);
        p->column = xmlSAX2GetColumnNumber(p->ctxt);
        return;
    }
    xmlErrorPtr e = xmlCtxtGetLastError(p->ctxt);
    if (e != NULL && e->message != NULL) {
        snprintf(p->message, sizeof(p->message), "%s", e->message);
        size_t n = strlen(p->message);
        while (n > 0 && (p->message[n - 1] == '\n' || p->message[n - 1] == ' ')) p->message[--n] = '\0';
        p->line = e->line;
        p->column = e->int2;
    } else {
        snprintf(p->message, sizeof(p->message), "the XML parser stopped");
        p->line = xmlSAX2GetLineNumber(p->ctxt);
        p->column = xmlSAX2GetColumnNumber(p->ctxt);
    }
}

int vx_parser_feed(vx_parser *p, const char *bytes, int length, int terminate) {
    if (p->stopped) { vx_capture_error(p); return -1; }
    int rc = xmlParseChunk(p->ctxt, bytes, length, terminate);
    if (rc != 0 || p->stopped || !p->ctxt->wellFormed) {
        vx_capture_error(p);
        return rc != 0 ? rc : -1;
    }
    return 0;
}

void vx_parser_stop(vx_parser *p) {
    p->stopped = 1;
    if (p->ctxt != NULL) xmlStopParser(p->ctxt);
}

const char *vx_parser_error_message(const vx_parser *p) { return p->message; }
int vx_parser_error_line(const vx_parser *p) { return p->line; }
int vx_parser_error_column(const vx_parser *p) { return p->column; }
int vx_parser_refused_doctype(const vx_parser *p) { return p->refused_doctype; }
int vx_parser_current_line(const vx_parser *p) { return xmlSAX2GetLineNumber(p->ctxt); }

int vx_attribute_index(const vx_attribute *attributes, int count, const char *name) {
    if (attributes == NULL) return -1;
    for (int i = 0; i < count; i++) {
        if (strcmp(attributes[i].name, name) == 0) return i;
    }
    return -1;
}

// 1: a byte that is plain by itself (printable ASCII but & < ], and tab, LF, CR).
static const unsigned char vx_plain_ascii[256] = {
    [0x09] = 1, [0x0A] = 1, [0x0D] = 1,
    [0x20] = 1, [0x21] = 1, [0x22] = 1, [0x23] = 1, [0x24] = 1, [0x25] = 1, [0x27] = 1, [0x28] = 1,
    [0x29] = 1, [0x2A] = 1, [0x2B] = 1, [0x2C] = 1, [0x2D] = 1, [0x2E] = 1, [0x2F] = 1, [0x30] = 1,
    [0x31] = 1, [0x32] = 1, [0x33] = 1, [0x34] = 1, [0x35] = 1, [0x36] = 1, [0x37] = 1, [0x38] = 1,
    [0x39] = 1, [0x3A] = 1, [0x3B] = 1, [0x3D] = 1, [0x3E] = 1, [0x3F] = 1, [0x40] = 1, [0x41] = 1,
    [0x42] = 1, [0x43] = 1, [0x44] = 1, [0x45] = 1, [0x46] = 1, [0x47] = 1, [0x48] = 1, [0x49] = 1,
    [0x4A] = 1, [0x4B] = 1, [0x4C] = 1, [0x4D] = 1, [0x4E] = 1, [0x4F] = 1, [0x50] = 1, [0x51] = 1,
    [0x52] = 1, [0x53] = 1, [0x54] = 1, [0x55] = 1, [0x56] = 1, [0x57] = 1, [0x58] = 1, [0x59] = 1,
    [0x5A] = 1, [0x5B] = 1, [0x5C] = 1, [0x5E] = 1, [0x5F] = 1, [0x60] = 1, [0x61] = 1, [0x62] = 1,
    [0x63] = 1, [0x64] = 1, [0x65] = 1, [0x66] = 1, [0x67] = 1, [0x68] = 1, [0x69] = 1, [0x6A] = 1,
    [0x6B] = 1, [0x6C] = 1, [0x6D] = 1, [0x6E] = 1, [0x6F] = 1, [0x70] = 1, [0x71] = 1, [0x72] = 1,
    [0x73] = 1, [0x74] = 1, [0x75] = 1, [0x76] = 1, [0x77] = 1, [0x78] = 1, [0x79] = 1, [0x7A] = 1,
    [0x7B] = 1, [0x7C] = 1, [0x7D] = 1, [0x7E] = 1, [0x7F] = 1,
};

size_t vx_scan_plain(const unsigned char *bytes, size_t length, int in_cdata) {
    size_t i = 0;
    while (i < length) {
        unsigned char b = bytes[i];
        if (vx_plain_ascii[b]) { i++; continue; }
        if (b == '<') {
            // Only "<![CDATA[" needs the normalizer; it looks 9 bytes ahead itself.
            if (in_cdata || (i + 1 < length && bytes[i + 1] != '!')) { i++; continue; }
            return i;
        }
        if (b == ']' && !in_cdata) { i++; continue; }
        if (b < 0xC2 || b > 0xF4) return i;  // control characters, &, ], invalid leads
        // A multi-byte sequence, checked as the normalizer does (and U+FFFE/U+FFFF refused).
        size_t n = b <= 0xDF ? 2 : b <= 0xEF ? 3 : 4;
        if (i + n > length) return i;
        unsigned char lo = 0x80, hi = 0xBF, c1 = bytes[i + 1];
        if (b == 0xE0) lo = 0xA0;
        else if (b == 0xED) hi = 0x9F;
        else if (b == 0xF0) lo = 0x90;
        else if (b == 0xF4) hi = 0x8F;
        if (c1 < lo || c1 > hi) return i;
        for (size_t k = 2; k < n; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) return i;
        }
        if (b == 0xEF && c1 == 0xBF && bytes[i + 2] >= 0xBE) return i;
        i += n;
    }
    return i;
}

size_t vx_count_newlines(const unsigned char *bytes, size_t length, long *last) {
    size_t count = 0;
    *last = -1;
    if (bytes == NULL) return 0;
    const unsigned char *p = bytes, *end = bytes + length;
    while (p < end) {
        const unsigned char *hit = memchr(p, '\n', (size_t)(end - p));
        if (hit == NULL) break;
        count++;
        *last = (long)(hit - bytes);
        p = hit + 1;
    }
    return count;
}

void vx_parser_free(vx_parser *p) {
    if (p == NULL) return;
    if (p->ctxt != NULL) {
        if (p->ctxt->myDoc != NULL) xmlFreeDoc(p->ctxt->myDoc);
        xmlFreeParserCtxt(p->ctxt);
    }
    free(p->attributes);
    free(p);
}

struct vx_transcoder {
    iconv_t cd;
};

vx_transcoder *vx_transcoder_create(const char *encoding) {
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1) return NULL;
    vx_transcoder *t = malloc(sizeof(vx_transcoder));
    if (t == NULL) { iconv_close(cd); return NULL; }
    t->cd = cd;
    return t;
}

size_t vx_transcode(vx_transcoder *t, const unsigned char *input, size_t length, unsigned char *output,
                    size_t capacity, int final, size_t *consumed, size_t *invalid) {
    char *in = (char *)input;
    size_t in_left = input == NULL ? 0 : length;
    char *out = (char *)output;
    size_t out_left = capacity;
    *invalid = 0;
    while (in_left > 0) {
        size_t rc = iconv(t->cd, &in, &in_left, &out, &out_left);
        if (rc != (size_t)-1) break;
        if (errno == E2BIG) break;                   // output full: the caller calls again
        if (errno == EINVAL && !final) break;         // incomplete character: wait for more input
        if (out_left < 3) break;
        // EILSEQ (or EINVAL at the end): one byte is not valid here; write U+FFFD and go on.
        memcpy(out, "\xEF\xBF\xBD", 3);
        out += 3;
        out_left -= 3;
        in += 1;
        in_left -= 1;
        *invalid += 1;
    }
    *consumed = (size_t)(in - (char *)input);
    return capacity - out_left;
}

void vx_transcoder_free(vx_transcoder *t) {
    if (t == NULL) return;
    iconv_close(t->cd);
    free(t);
}
