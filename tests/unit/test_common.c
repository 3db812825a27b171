/* SPDX-License-Identifier: Apache-2.0 */
/* common/: buffer caps, time parsing/formatting, ISO weeks, durations, atomic files. */
#include "common/atomicfile.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "t.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_buf(void)
{
    gd_buf b;
    gd_buf_init(&b, 8);
    CHECK_INT(gd_buf_appends(&b, "1234"), 0);
    CHECK_INT(gd_buf_printf(&b, "%d", 5678), 0);
    CHECK_STR(gd_buf_cstr(&b), "12345678");
    CHECK_INT(gd_buf_appends(&b, "9"), GD_E_TOO_BIG);
    CHECK_STR(gd_buf_cstr(&b), "12345678");
    gd_buf_reset(&b);
    CHECK_STR(gd_buf_cstr(&b), "");
    gd_buf_free(&b);

    /* reserve: exactly the room asked for, at once; appends then fit */
    gd_buf_init(&b, 1000);
    CHECK_INT(gd_buf_cap_exact(&b, 600), 601);
    CHECK_INT(gd_buf_reserve(&b, 600), 0);
    CHECK_INT(b.cap, 601);
    CHECK_STR(gd_buf_cstr(&b), "");
    char *data = b.data;
    for (int i = 0; i < 60; i++)
        CHECK_INT(gd_buf_appends(&b, "0123456789"), 0);
    CHECK(b.data == data && b.cap == 601 && b.len == 600);
    CHECK_INT(gd_buf_reserve(&b, 10), 0); /* grows to len + 10 + 1 */
    CHECK_INT(b.cap, 611);
    CHECK_INT(gd_buf_reserve(&b, 5), 0);  /* already room: unchanged */
    CHECK_INT(b.cap, 611);
    CHECK_INT(gd_buf_cap_exact(&b, 401), 0);
    CHECK_INT(gd_buf_reserve(&b, 401), GD_E_TOO_BIG);
    CHECK(b.cap == 611 && b.len == 600);
    gd_buf_free(&b);
}

static void test_time(void)
{
    int64_t ms = 0;
    char out[40];
    CHECK_INT(gd_time_parse_iso("2023-05-05T06:12:49.891Z", &ms), 0);
    CHECK_INT(ms, 1683267169891LL);
    CHECK_STR(gd_time_format_iso_ms(ms, out, sizeof out), "2023-05-05T06:12:49.891Z");
    CHECK_INT(gd_time_parse_iso("2023-05-05T08:12:49+02:00", &ms), 0);
    CHECK_INT(ms, 1683267169000LL);
    CHECK_INT(gd_time_parse_iso("1970-01-01", &ms), 0);
    CHECK_INT(ms, 0);
    CHECK_INT(gd_time_parse_iso("2023-13-05T06:12:49Z", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("2023-05-05T06:12:49Zjunk", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("", &ms), GD_E_PARSE);
    CHECK_STR(gd_time_format_iso(-1000, out, sizeof out), "1969-12-31T23:59:59Z");

    int y, w;
    gd_time_parse_iso("2021-01-03", &ms); /* Sunday of 2020-W53 */
    gd_time_iso_week(ms, &y, &w);
    CHECK_INT(y, 2020);
    CHECK_INT(w, 53);
    gd_time_parse_iso("2026-11-29", &ms);
    gd_time_iso_week(ms, &y, &w);
    CHECK_INT(y, 2026);
    CHECK_INT(w, 48);
    gd_time_parse_iso("2024-12-30", &ms); /* Monday of 2025-W01 */
    gd_time_iso_week(ms, &y, &w);
    CHECK_INT(y, 2025);
    CHECK_INT(w, 1);

    CHECK_INT(gd_duration_parse("7d", &ms), 0);
    CHECK_INT(ms, 7 * 86400000LL);
    CHECK_INT(gd_duration_parse("90s", &ms), 0);
    CHECK_INT(ms, 90000);
    CHECK_INT(gd_duration_parse("7", &ms), GD_E_PARSE);
    CHECK_INT(gd_duration_parse("-1d", &ms), GD_E_PARSE);
}

static void test_atomic(void)
{
    char dir[] = "/tmp/gdtest.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.json", dir);
    gd_atomic_file af;
    gd_err err = {0};
    CHECK_INT(gd_atomic_open(&af, path, &err), 0);
    fputs("{}", af.fp);
    CHECK(access(path, F_OK) != 0); /* nothing under the final name yet */
    CHECK_INT(gd_atomic_commit(&af, &err), 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(st.st_size, 2);

    /* Abort leaves neither the temp file nor a final file. */
    char path2[256];
    snprintf(path2, sizeof path2, "%s/never.json", dir);
    CHECK_INT(gd_atomic_open(&af, path2, &err), 0);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", af.tmp_path);
    gd_atomic_abort(&af);
    CHECK(access(path2, F_OK) != 0);
    CHECK(access(tmp, F_OK) != 0);

    /* A missing directory is a one-line error naming the path. */
    CHECK_INT(gd_atomic_open(&af, "/nonexistent-dir/x.json", &err), GD_E_IO);
    CHECK(strstr(err.msg, "/nonexistent-dir/x.json") != NULL);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    test_buf();
    test_time();
    test_atomic();
    return t_done();
}
