/* SPDX-License-Identifier: Apache-2.0 */
/* cli/config: INI parsing, validation with file:line messages, the secret
 * check, file location and flag > env > file > default precedence, and the
 * output of `gdreport config show`.
 *
 * cli/ is an executable, not a library, so its sources are compiled in here. */
#include "../../cli/config.c"
#include "../../cli/config_keys.c"
#include "../../cli/flags.c"
#include "../../cli/flags_table.c"
#include "../../cli/util.c"
#include "../../cli/cmd_config.c"
#include "t.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fake environment: NULL-terminated name/value pairs. */
static const char *fake_get(void *ud, const char *name)
{
    const char *const *kv = ud;
    for (; kv[0]; kv += 2)
        if (!strcmp(kv[0], name))
            return kv[1];
    return NULL;
}

static gd_config *parse_ok(const char *text)
{
    gd_config *cfg = NULL;
    gd_err err = {0};
    int rc = gd_config_parse("/etc/gdreport/config", text, strlen(text), 0600, &cfg, &err);
    CHECK_MSG(rc == 0, "parse failed: %s", err.msg);
    return cfg;
}

/* Parses text that must fail; returns the message (static). */
static const char *parse_fail(const char *text, unsigned mode)
{
    static gd_err err;
    gd_config *cfg = NULL;
    gd_err_clear(&err);
    int rc = gd_config_parse("/etc/gdreport/config", text, strlen(text), mode, &cfg, &err);
    CHECK_MSG(rc == GD_E_CONFIG, "expected GD_E_CONFIG for: %s", text);
    CHECK(cfg == NULL);
    return err.msg;
}

static const char *get(const gd_config *cfg, const char *section, const char *key, int *line)
{
    const char *v = NULL;
    return gd_config_get(cfg, section, key, &v, line) == 0 ? v : NULL;
}

static void test_config_parses_comments_whitespace_and_quotes(void)
{
    gd_config *cfg = parse_ok("\xEF\xBB\xBF# gdreport settings\n"
                              "; another comment\n"
                              "\n"
                              "  [ export ]  \r\n"
                              "redact=cost\r\n"
                              "\tmin-severity   =   high   \n"
                              "output = \"/srv/gd reports/r {date}.xlsx\"  # quoted keeps blanks\n"
                              "accounts = '111122223333,#444455556666' ; literal\n"
                              "[collect]\n"
                              "endpoint-url = http://127.0.0.1:9/#frag # cut only after a blank\n"
                              "profile = \"say \\\"hi\\\" \\\\ there\"\n"
                              "[export]\n"
                              "window = 7d\n");
    int line = 0;
    CHECK_STR(get(cfg, "export", "redact", &line), "cost");
    CHECK_INT(line, 5);
    CHECK_STR(get(cfg, "export", "min-severity", NULL), "high");
    CHECK_STR(get(cfg, "export", "output", NULL), "/srv/gd reports/r {date}.xlsx");
    CHECK_STR(get(cfg, "export", "accounts", NULL), "111122223333,#444455556666");
    CHECK_STR(get(cfg, "collect", "endpoint-url", NULL), "http://127.0.0.1:9/#frag");
    CHECK_STR(get(cfg, "collect", "profile", NULL), "say \"hi\" \\ there");
    CHECK_STR(get(cfg, "export", "window", &line), "7d");
    CHECK_INT(line, 13);
    CHECK(get(cfg, "export", "format", NULL) == NULL);
    CHECK(get(cfg, "collect", "redact", NULL) == NULL);
    CHECK_STR(gd_config_path(cfg), "/etc/gdreport/config");
    gd_config_free(cfg);
}

static void test_config_rejects_duplicate_key_in_a_section(void)
{
    const char *msg = parse_fail("[export]\nredact = cost\n[collect]\nfull = yes\n"
                                 "[export]\nredact = all\n",
                                 0600);
    CHECK_STR(msg, "/etc/gdreport/config:6: [export] duplicate key 'redact' (first set on line 2)");
    /* The same key in two sections is fine. */
    gd_config *cfg = parse_ok("[collect]\ndb = /a.db\n[export]\ndb = /b.db\n");
    CHECK_STR(get(cfg, "collect", "db", NULL), "/a.db");
    CHECK_STR(get(cfg, "export", "db", NULL), "/b.db");
    gd_config_free(cfg);
}

static void test_config_errors_name_file_line_and_key(void)
{
    CHECK_STR(parse_fail("[export]\n\n# x\nredcat = all\n", 0600),
              "/etc/gdreport/config:4: [export] unknown key 'redcat'");
    CHECK_STR(parse_fail("[export]\nformat = csv\n", 0600),
              "/etc/gdreport/config:2: [export] 'format': 'csv' is not one of xlsx|json|md");
    CHECK_STR(parse_fail("[collect]\nparallel = many\n", 0600),
              "/etc/gdreport/config:2: [collect] 'parallel': not a whole number");
    CHECK_STR(parse_fail("[collect]\nparallel = 0\n", 0600),
              "/etc/gdreport/config:2: [collect] 'parallel': 0 is outside 1..32");
    CHECK_STR(parse_fail("[collect]\nfull = maybe\n", 0600),
              "/etc/gdreport/config:2: [collect] 'full': 'maybe' is not true or false");
    CHECK_STR(parse_fail("[collect]\noverlap = soon\n", 0600),
              "/etc/gdreport/config:2: [collect] 'overlap': 'soon' is not a duration such as "
              "7d, 12h, 30m or 90s");
    CHECK_STR(parse_fail("[run]\nformats = xlsx,,json\n", 0600),
              "/etc/gdreport/config:2: [run] 'formats': empty item in list");
    CHECK_STR(parse_fail("[run]\nformats = xlsx, pdf\n", 0600),
              "/etc/gdreport/config:2: [run] 'formats': 'pdf' is not one of xlsx|json|md");
    CHECK_STR(parse_fail("[export]\nredact =\n", 0600),
              "/etc/gdreport/config:2: [export] 'redact': empty value");
    CHECK_STR(parse_fail("[export]\noutput = \"/x\n", 0600),
              "/etc/gdreport/config:2: [export] 'output': missing closing quote");
    CHECK_STR(parse_fail("[export]\noutput = \"/x\" y\n", 0600),
              "/etc/gdreport/config:2: [export] 'output': text after the closing quote");
    CHECK_STR(parse_fail("redact = all\n", 0600),
              "/etc/gdreport/config:1: key 'redact' before any [section]");
    CHECK_STR(parse_fail("[reports]\n", 0600),
              "/etc/gdreport/config:1: unknown section [reports] (known: collect, export, run, "
              "prune)");
    CHECK_STR(parse_fail("[export\n", 0600), "/etc/gdreport/config:1: malformed section header");
    CHECK_STR(parse_fail("[export]\njust words\n", 0600),
              "/etc/gdreport/config:2: expected 'key = value' or '[section]'");
}

static void test_config_secret_in_readable_file_is_refused(void)
{
    static const char *const secrets[] = {
        "[collect]\naws_secret_access_key = abc\n",
        "[collect]\n# old key: AKIAIOSFODNN7EXAMPLE\n",
        "[collect]\nprofile = ASIAIOSFODNN7EXAMPLE\n",
        "[collect]\n#  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "[collect]\nsession_token = x\n",
        "[collect]\ndb_password = x\n",
        "[collect]\nAKIAIOSFODNN7EXAMPLE = x\n",
    };
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
        const char *msg = parse_fail(secrets[i], 0644);
        CHECK_MSG(strstr(msg, "/etc/gdreport/config:2: looks like it holds a secret") != NULL,
                  "%s", msg);
        CHECK_MSG(strstr(msg, "chmod 600 /etc/gdreport/config") != NULL, "%s", msg);
        CHECK(strstr(msg, "AKIA") == NULL && strstr(msg, "ASIA") == NULL);
        CHECK(strstr(msg, "wJalr") == NULL);
        parse_fail(secrets[i], 0640);   /* group-readable counts too */
    }
    /* Not secrets: a long path, a 12-digit account list, a word with AKIA inside. */
    gd_config *cfg = parse_ok("[run]\nout-dir = /var/lib/gdreport/reports/weekly/2026abcdEF\n"
                              "accounts = 111122223333,444455556666\n"
                              "profile = XAKIAIOSFODNN7EXAMPLE\n");
    gd_config_free(cfg);
    CHECK(!gd_config_looks_secret("/var/lib/gdreport/reports/weekly/2026abcdE"));
    CHECK(gd_config_looks_secret("x=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    CHECK(!gd_config_looks_secret("AKIAIOSFODNN7EXAMPL"));   /* 19 characters */
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    CHECK(chmod(path, mode) == 0);
}

static void test_config_secret_file_mode_decides(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/secret.ini", dir);
    write_file(path, "[export]\nredact = all\n# AKIAIOSFODNN7EXAMPLE\n", 0644);
    gd_config *cfg = NULL;
    gd_err err = {0};
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), GD_E_CONFIG);
    CHECK(cfg == NULL);
    CHECK(strstr(err.msg, "chmod 600") != NULL && strstr(err.msg, path) != NULL);
    CHECK(strstr(err.msg, "AKIA") == NULL);

    CHECK(chmod(path, 0600) == 0);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), 0);
    CHECK_STR(get(cfg, "export", "redact", NULL), "all");
    gd_config_free(cfg);

    /* Without secrets a world-readable file (e.g. /etc/gdreport/config 0644) is fine. */
    write_file(path, "[export]\nredact = all\n", 0644);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), 0);
    gd_config_free(cfg);
}

/* Issue 16: --config must be a regular file (a FIFO must not block), and a
 * file others can write is refused with its mode, as ssh does. */
static void test_config_file_type_and_mode(const char *dir)
{
    char path[512];
    gd_config *cfg = NULL;
    gd_err err = {0};
    snprintf(path, sizeof path, "%s/fifo.ini", dir);
    CHECK_INT(mkfifo(path, 0600), 0);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), GD_E_CONFIG); /* returns, no writer */
    CHECK(strstr(err.msg, "not a regular file") && strstr(err.msg, path));
    unlink(path);

    snprintf(path, sizeof path, "%s/writable.ini", dir);
    write_file(path, "[export]\nredact = all\n", 0666);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), GD_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "mode 0666") && strstr(err.msg, "chmod go-w"), "%s", err.msg);
    CHECK(chmod(path, 0620) == 0);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), GD_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "mode 0620") && strstr(err.msg, "group"), "%s", err.msg);
    CHECK(chmod(path, 0644) == 0);
    CHECK_INT(gd_config_load(path, NULL, &cfg, &err), 0);
    gd_config_free(cfg);
    unlink(path);
}

/* Error lines never echo something that looks like a key. */
static void test_error_lines_hide_secret_values(void)
{
    char msg[256];
    snprintf(msg, sizeof msg, "--redact: 'AKIAIOSFODNN7EXAMPLE' is not one of management|cost");
    gd_config_hide_secrets(msg);
    CHECK_STR(msg, "--redact: 'AKIA[hidden]' is not one of management|cost");
    snprintf(msg, sizeof msg, "GDREPORT_WINDOW: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' bad");
    gd_config_hide_secrets(msg);
    CHECK_STR(msg, "GDREPORT_WINDOW: '[hidden]' bad");
    snprintf(msg, sizeof msg, "/var/lib/gdreport/reports/weekly: ok");
    gd_config_hide_secrets(msg);
    CHECK_STR(msg, "/var/lib/gdreport/reports/weekly: ok");
}

static void test_config_location_order(const char *dir)
{
    char xdg[512], home[512], file[600], other[600];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    snprintf(home, sizeof home, "%s/home", dir);
    snprintf(file, sizeof file, "%s/gdreport", xdg);
    mkdir(xdg, 0700);
    mkdir(file, 0700);
    snprintf(file, sizeof file, "%s/gdreport/config", xdg);
    write_file(file, "[export]\nredact = cost\n", 0600);
    snprintf(other, sizeof other, "%s/other.ini", dir);
    write_file(other, "[export]\nredact = all\n", 0600);

    const char *env_xdg[] = {"XDG_CONFIG_HOME", xdg, "HOME", home, NULL};
    gd_env env = {fake_get, (void *)env_xdg};
    gd_config *cfg = NULL;
    gd_err err = {0};
    CHECK_INT(gd_config_load(NULL, &env, &cfg, &err), 0);
    CHECK_STR(gd_config_path(cfg), file);
    gd_config_free(cfg);

    const char *env_var[] = {"GDREPORT_CONFIG", other, "XDG_CONFIG_HOME", xdg, NULL};
    env.ud = (void *)env_var;
    CHECK_INT(gd_config_load(NULL, &env, &cfg, &err), 0);
    CHECK_STR(gd_config_path(cfg), other);
    gd_config_free(cfg);
    CHECK_INT(gd_config_load(file, &env, &cfg, &err), 0);   /* --config beats the variable */
    CHECK_STR(gd_config_path(cfg), file);
    gd_config_free(cfg);

    /* An explicit file must exist; a default one need not. */
    const char *env_missing[] = {"GDREPORT_CONFIG", "/nonexistent/gd.ini", NULL};
    env.ud = (void *)env_missing;
    CHECK_INT(gd_config_load(NULL, &env, &cfg, &err), GD_E_CONFIG);
    CHECK_STR(err.msg, "/nonexistent/gd.ini: configuration file not found (from GDREPORT_CONFIG)");
    CHECK_INT(gd_config_load("/nonexistent/x.ini", &env, &cfg, &err), GD_E_CONFIG);
    CHECK_STR(err.msg, "/nonexistent/x.ini: configuration file not found (from --config)");

    const char *env_home[] = {"HOME", home, NULL};
    env.ud = (void *)env_home;
    CHECK_INT(gd_config_load(NULL, &env, &cfg, &err), 0);
    if (access("/etc/gdreport/config", F_OK) != 0)
        CHECK(gd_config_path(cfg) == NULL);
    CHECK(get(cfg, "export", "redact", NULL) == NULL);
    gd_config_free(cfg);
}

struct precedence_case {
    const char *flag;
    const char *env;
    int in_file;
    const char *value;
    const char *origin;
};

static void test_config_precedence_flag_env_file_default(void)
{
    gd_config *cfg = parse_ok("[export]\n\nwindow = 3d\n");
    static const struct precedence_case cases[] = {
        {"1d", "2d", 1, "1d", "flag"},
        {"1d", NULL, 1, "1d", "flag"},
        {"1d", "2d", 0, "1d", "flag"},
        {NULL, "2d", 1, "2d", "env GDREPORT_WINDOW"},
        {NULL, "2d", 0, "2d", "env GDREPORT_WINDOW"},
        {NULL, NULL, 1, "3d", "config /etc/gdreport/config:3"},
        {NULL, NULL, 0, "7d", "default"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *kv[] = {"GDREPORT_WINDOW", cases[i].env, NULL};
        gd_env env = {fake_get, (void *)(cases[i].env ? kv : kv + 2)};
        gd_config_value v;
        gd_err err = {0};
        CHECK_INT(gd_config_resolve(cases[i].in_file ? cfg : NULL, &env, "export", "window",
                                    cases[i].flag, &v, &err),
                  0);
        CHECK_STR(v.text, cases[i].value);
        CHECK_STR(v.origin, cases[i].origin);
    }
    gd_config_free(cfg);
}

static void test_config_resolve_types_and_bad_values(void)
{
    gd_config *cfg = parse_ok("[collect]\nparallel = 8\noverlap = 2h\nno-cost = yes\n");
    const char *kv[] = {"GDREPORT_DB", "/env.db", "GDREPORT_REGION_BUDGET", "15m",
                        "GDREPORT_REDACT", "everything", NULL};
    gd_env env = {fake_get, (void *)kv};
    gd_config_value v;
    gd_err err = {0};
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "parallel", NULL, &v, &err), 0);
    CHECK_INT(v.number, 8);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "overlap", NULL, &v, &err), 0);
    CHECK_INT(v.number, 2 * 3600 * 1000LL);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "no-cost", NULL, &v, &err), 0);
    CHECK_INT(v.number, 1);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "full", NULL, &v, &err), 0);
    CHECK_STR(v.origin, "default");
    CHECK_INT(v.number, 0);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "full", "true", &v, &err), 0);
    CHECK_INT(v.number, 1);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "region-budget", NULL, &v, &err), 0);
    CHECK_STR(v.origin, "env GDREPORT_REGION_BUDGET");
    CHECK_INT(v.number, 15 * 60 * 1000LL);
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "db", NULL, &v, &err), 0);
    CHECK_STR(v.text, "/env.db");
    CHECK_STR(v.origin, "env GDREPORT_DB");
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "regions", NULL, &v, &err), 0);
    CHECK(v.text == NULL);
    CHECK_STR(v.origin, "unset");

    /* A bad GDREPORT_<KEY> is a usage error (exit 2), like the same bad flag. */
    CHECK_INT(gd_config_resolve(cfg, &env, "export", "redact", NULL, &v, &err), GD_E_USAGE);
    CHECK_STR(err.msg, "GDREPORT_REDACT: 'everything' is not one of management|cost|all");
    CHECK_INT(gd_config_resolve(cfg, &env, "collect", "parallel", "0", &v, &err), GD_E_USAGE);
    CHECK_STR(err.msg, "--parallel: 0 is outside 1..32");
    CHECK_INT(gd_config_resolve(cfg, &env, "export", "nope", NULL, &v, &err), GD_E_INTERNAL);

    char name[64];
    gd_config_env_name("endpoint-url", name, sizeof name);
    CHECK_STR(name, "GDREPORT_ENDPOINT_URL");
    gd_config_free(cfg);
}

static void test_config_every_key_has_a_valid_default(void)
{
    size_t n = 0;
    const gd_config_key *keys = gd_config_keys(&n);
    CHECK(n > 30);
    for (size_t i = 0; i < n; i++) {
        int64_t num;
        gd_err err = {0};
        if (keys[i].dflt)
            CHECK_MSG(gd_config_check_value(&keys[i], keys[i].dflt, "default", &num, &err) == 0,
                      "%s", err.msg);
        CHECK(keys[i].help && keys[i].help[0]);
    }
}

/* Runs `gdreport config <args>` in-process with stdout sent to a file. */
static int run_show(const char *dir, char **argv, int argc, char *out, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/show.out", dir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int rc = gd_cmd_config.run(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(out, 1, n - 1, f) : 0;
    out[got] = '\0';
    if (f)
        fclose(f);
    return rc;
}

static void test_config_show_prints_value_and_origin(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/show.ini", dir);
    write_file(path, "[export]\nredact = cost\n[collect]\nprofile = AKIAIOSFODNN7EXAMPLE\n", 0600);
    setenv("GDREPORT_MIN_SEVERITY", "high", 1);
    static char out[65536];
    char *argv[] = {"config", "show", "--config", path, NULL};
    CHECK_INT(run_show(dir, argv, 4, out, sizeof out), GD_EXIT_OK);
    char want[700];
    snprintf(want, sizeof want, "# configuration file: %s\n", path);
    CHECK(strncmp(out, want, strlen(want)) == 0);
    snprintf(want, sizeof want, "redact = cost                            # config %s:2\n", path);
    CHECK_MSG(strstr(out, want) != NULL, "%s", out);
    CHECK(strstr(out, "\n[export]\n") != NULL && strstr(out, "\n[prune]\n") != NULL);
    CHECK(strstr(out, "min-severity = high                      # env GDREPORT_MIN_SEVERITY\n"));
    CHECK(strstr(out, "window = 7d                              # default\n"));
    CHECK(strstr(out, "# regions is unset: regions to collect, or to report on (default: every enabled region)\n"));
    CHECK(strstr(out, "AKIA") == NULL);

    char *argv_json[] = {"config", "show", "--json", "--config", path, NULL};
    CHECK_INT(run_show(dir, argv_json, 5, out, sizeof out), GD_EXIT_OK);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    CHECK_MSG(root != NULL, "%s", jerr.text);
    const char *value = NULL, *origin = NULL, *file = NULL;
    CHECK_INT(json_unpack(root, "{s:s, s:{s:{s:{s:s, s:s}}}}", "file", &file, "sections",
                          "export", "redact", "value", &value, "origin", &origin),
              0);
    CHECK_STR(file, path);
    CHECK_STR(value, "cost");
    CHECK(origin && strstr(origin, "config ") == origin);
    CHECK(json_is_null(json_object_get(
        json_object_get(json_object_get(json_object_get(root, "sections"), "collect"), "regions"),
        "value")));
    json_decref(root);

    unsetenv("GDREPORT_MIN_SEVERITY");
    char *argv_bad[] = {"config", "show", "--config", "/nonexistent/x", NULL};
    CHECK_INT(run_show(dir, argv_bad, 4, out, sizeof out), GD_EXIT_FATAL);
    char *argv_usage[] = {"config", "frobnicate", NULL};
    CHECK_INT(run_show(dir, argv_usage, 2, out, sizeof out), GD_EXIT_USAGE);
}

int main(void)
{
    char dir[] = "/tmp/gdreport-test-config-XXXXXX";
    if (!mkdtemp(dir))
        return t_skip("cannot create a temporary directory");
    gd_log_set_stream(stderr);

    test_config_parses_comments_whitespace_and_quotes();
    test_config_rejects_duplicate_key_in_a_section();
    test_config_errors_name_file_line_and_key();
    test_config_secret_in_readable_file_is_refused();
    test_config_secret_file_mode_decides(dir);
    test_config_file_type_and_mode(dir);
    test_error_lines_hide_secret_values();
    test_config_location_order(dir);
    test_config_precedence_flag_env_file_default();
    test_config_resolve_types_and_bad_values();
    test_config_every_key_has_a_valid_default();
    test_config_show_prints_value_and_origin(dir);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return t_done();
}
