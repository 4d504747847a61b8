/* test_storage_xml.c - the listing XML scanner on well-formed, odd and hostile inputs (never crashes, never over-reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "storage/xml_scan.h"

static int text_of(const char *s, os_buf *out)
{
    os_buf_reset(out);
    xml_span sp = {s, strlen(s)};
    return xml_text(sp, out);
}

static void test_entities(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    assert_int_equal(text_of("a&amp;b&lt;c&gt;d&quot;e&apos;f", &b), 0);
    assert_string_equal(b.data, "a&b<c>d\"e'f");
    assert_int_equal(text_of("&#65;&#x42;&#x10FFFF;&#233;", &b), 0);
    assert_string_equal(b.data, "AB\xf4\x8f\xbf\xbf\xc3\xa9");
    assert_int_equal(text_of("<![CDATA[a<b&c]]>!", &b), 0);
    assert_string_equal(b.data, "a<b&c!");
    const char *bad[] = {"&", "&amp", "&bogus;", "&#0;", "&#x110000;", "&#xD800;", "&#;", "&#x;",
                         "&#12a;", "a<b", "<![CDATA[open", "&#99999999999999999999;", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(text_of(bad[i], &b), -1);
    os_buf_free(&b);
}

static void test_elements(void **state)
{
    (void)state;
    const char *doc =
        "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
        "<Contents><Key>a&amp;b</Key><Size>12</Size></Contents>"
        "<Contents ><Key>c</Key><Size>3</Size></Contents>"
        "<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>"
        "<NextContinuationToken/></ListBucketResult>";
    size_t pos = 0, len = strlen(doc);
    xml_span s, k;
    os_buf b = OS_BUF_INIT;
    assert_int_equal(xml_next(doc, len, &pos, "Contents", &s), 1);
    assert_int_equal(xml_child(s, "Key", &k), 1);
    assert_int_equal(xml_text(k, &b), 0);
    assert_string_equal(b.data, "a&b");
    assert_int_equal(xml_next(doc, len, &pos, "Contents", &s), 1);
    assert_int_equal(xml_child(s, "Missing", &k), 0);
    assert_int_equal(xml_next(doc, len, &pos, "Contents", &s), 0);
    xml_span whole = {doc, len};
    assert_int_equal(xml_child(whole, "NextContinuationToken", &k), 1);
    assert_int_equal(k.n, 0u);
    /* <Blob> must not match <Blobs> or <BlobPrefix>. */
    const char *az = "<Blobs><BlobPrefix><Name>p/</Name></BlobPrefix><Blob><Name>x</Name></Blob></Blobs>";
    pos = 0;
    assert_int_equal(xml_next(az, strlen(az), &pos, "Blob", &s), 1);
    assert_int_equal(xml_child(s, "Name", &k), 1);
    assert_int_equal((int)k.n, 1);
    assert_int_equal(k.p[0], 'x');
    os_buf_free(&b);
}

static void test_hostile(void **state)
{
    (void)state;
    const char *bad[] = {"<Contents>", "<Contents><Key>x</Key>", "<Contents", "<Contents x=\"1\"",
                         "<Contents><Key>x</Contents", NULL};
    for (int i = 0; bad[i]; i++) {
        size_t pos = 0;
        xml_span s;
        assert_int_equal(xml_next(bad[i], strlen(bad[i]), &pos, "Contents", &s), -1);
    }
    /* Random bytes, and random mutations of a valid document: no crash, no over-read
     * (ASan checks the exact-size copies), results always inside the input. */
    const char *valid = "<R><Contents><Key>a&#x41;</Key><Size>1</Size></Contents></R>";
    srand(12345);
    os_buf b = OS_BUF_INIT;
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand() % 96);
        char *d = malloc(n ? n : 1);
        if (round % 2 == 0 && n <= strlen(valid)) {
            memcpy(d, valid, n);
            for (int m = 0; m < 3 && n; m++)
                d[rand() % n] = "<>/&;#x\"a"[rand() % 9];
        } else {
            for (size_t i = 0; i < n; i++)
                d[i] = "<>/&;#xCotensKy"[rand() % 15];
        }
        size_t pos = 0;
        xml_span s, k;
        int guard = 0;
        while (xml_next(d, n, &pos, "Contents", &s) == 1 && guard++ < 100) {
            assert_true(s.p >= d && s.p + s.n <= d + n);
            assert_true(pos <= n);
            if (xml_child(s, "Key", &k) == 1) {
                assert_true(k.p >= s.p && k.p + k.n <= s.p + s.n);
                os_buf_reset(&b);
                (void)xml_text(k, &b);
            }
        }
        free(d);
    }
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
