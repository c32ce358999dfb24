/* check_icxd_access.c - unit tests of icxd_access: parsing access lists,
 * matching JIDs against them, the rights they give, and the [access] keys
 * of icxd.conf. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fixture_icxd.h"
#include "icxd_access.h"
#include "icxd_config.h"

START_TEST(bare_jids)
{
  char *b;

  b = icxd_bare_jid("Alice@Cloud1.ORG/Ops");
  ck_assert_str_eq(b, "alice@cloud1.org");
  free(b);
  b = icxd_bare_jid("service.example.test");
  ck_assert_str_eq(b, "service.example.test");
  free(b);
  ck_assert_ptr_null(icxd_bare_jid(NULL));
  ck_assert_ptr_null(icxd_bare_jid(""));
  ck_assert_ptr_null(icxd_bare_jid("@x.test"));
  ck_assert_ptr_null(icxd_bare_jid("a@/r"));
  ck_assert_ptr_null(icxd_bare_jid("/r"));
}
END_TEST

START_TEST(lists_match_jids_domains_and_everyone)
{
  char err[256];
  icxd_acl *acl = icxd_acl_parse(" Alice@Cloud1.org, cloud2.org\t*@cloud3.org ",
                                 err, sizeof err);

  ck_assert_msg(acl != NULL, "%s", err);
  ck_assert_str_eq(icxd_acl_text(acl), "alice@cloud1.org cloud2.org cloud3.org");
  ck_assert(icxd_acl_matches(acl, "alice@cloud1.org/laptop"));
  ck_assert(icxd_acl_matches(acl, "ALICE@cloud1.org"));
  ck_assert(!icxd_acl_matches(acl, "bob@cloud1.org"));
  ck_assert(!icxd_acl_matches(acl, "cloud1.org"));
  ck_assert(icxd_acl_matches(acl, "bob@cloud2.org/x"));
  ck_assert(icxd_acl_matches(acl, "cloud2.org"));       /* the domain itself */
  ck_assert(icxd_acl_matches(acl, "carol@cloud3.org"));
  ck_assert(!icxd_acl_matches(acl, "carol@sub.cloud3.org"));
  ck_assert(!icxd_acl_matches(acl, "carol@evilcloud2.org"));
  ck_assert(!icxd_acl_matches(acl, NULL));
  ck_assert(!icxd_acl_matches(acl, ""));
  icxd_acl_free(acl);

  acl = icxd_acl_parse("*", err, sizeof err);
  ck_assert(icxd_acl_matches(acl, "anyone@anywhere.test/r"));
  ck_assert(!icxd_acl_matches(acl, NULL));
  icxd_acl_free(acl);

  acl = icxd_acl_parse("", err, sizeof err);
  ck_assert_ptr_nonnull(acl);
  ck_assert(!icxd_acl_matches(acl, "anyone@anywhere.test"));
  ck_assert_str_eq(icxd_acl_text(acl), "");
  icxd_acl_free(acl);
  ck_assert(!icxd_acl_matches(NULL, "anyone@anywhere.test"));
  icxd_acl_free(NULL);
}
END_TEST

START_TEST(bad_entries_are_named)
{
  static const char *const bad[] = {
    "alice@cloud1.org/ops", "@cloud1.org", "alice@", "a@b@c", "ali*ce@x",
    "x<y", NULL
  };
  char err[256];
  size_t i;

  for (i = 0; bad[i]; i++) {
    char text[64];
    snprintf(text, sizeof text, "ok@x.test %s", bad[i]);
    err[0] = '\0';
    ck_assert_msg(icxd_acl_parse(text, err, sizeof err) == NULL, "%s accepted",
                  bad[i]);
    ck_assert_msg(strstr(err, bad[i]) != NULL, "'%s' not named in: %s", bad[i],
                  err);
  }
  icxd_acl_parse("alice@cloud1.org/ops", err, sizeof err);
  ck_assert_ptr_nonnull(strstr(err, "drop the resource"));
}
END_TEST

START_TEST(rights)
{
  icxd_access a;
  char err[256];

  memset(&a, 0, sizeof a);
  ck_assert_int_eq(icxd_access_defaults(&a), 0);
  /* Defaults: anyone queries, nobody publishes or administers. */
  ck_assert(icxd_access_allows(&a, "x@y.test/r", ICXD_RIGHT_QUERY));
  ck_assert(!icxd_access_allows(&a, "x@y.test/r", ICXD_RIGHT_PUBLISH));
  ck_assert(!icxd_access_allows(&a, "x@y.test/r", ICXD_RIGHT_ADMIN));
  icxd_acl_free(a.query);
  a.query = icxd_acl_parse("friends.test", err, sizeof err);
  icxd_acl_free(a.publish);
  a.publish = icxd_acl_parse("cloud@clouds.test", err, sizeof err);
  icxd_acl_free(a.admin);
  a.admin = icxd_acl_parse("root@ops.test", err, sizeof err);
  ck_assert(!icxd_access_allows(&a, "x@y.test", ICXD_RIGHT_QUERY));
  ck_assert(icxd_access_allows(&a, "x@friends.test", ICXD_RIGHT_QUERY));
  ck_assert(icxd_access_allows(&a, "cloud@clouds.test/a", ICXD_RIGHT_PUBLISH));
  ck_assert(!icxd_access_allows(&a, "cloud@clouds.test/a", ICXD_RIGHT_QUERY));
  ck_assert(!icxd_access_allows(&a, "cloud@clouds.test/a", ICXD_RIGHT_ADMIN));
  /* An administrator may do everything. */
  ck_assert(icxd_access_allows(&a, "root@ops.test/x", ICXD_RIGHT_QUERY));
  ck_assert(icxd_access_allows(&a, "root@ops.test/x", ICXD_RIGHT_PUBLISH));
  ck_assert(icxd_access_allows(&a, "root@ops.test/x", ICXD_RIGHT_ADMIN));
  icxd_access_clear(&a);
  ck_assert_ptr_null(a.query);
}
END_TEST

/* The [access] keys of icxd.conf and the publishing limits: defaults, the
 * values read, and a bad entry refused with the key and the entry named. */
START_TEST(config_keys)
{
  icxd_config *cfg = icxd_config_new();
  char *path = tu_path(tu_icxd_tmp, "icxd.conf");
  char err[512];

  ck_assert_ptr_nonnull(cfg);
  ck_assert(icxd_access_allows(&cfg->access, "a@b.test", ICXD_RIGHT_QUERY));
  ck_assert(!icxd_access_allows(&cfg->access, "a@b.test", ICXD_RIGHT_PUBLISH));
  ck_assert_uint_eq(cfg->max_document_size, 131072);
  ck_assert_uint_eq(cfg->index_refresh_ms, 10000);
  tu_write(path, "[access]\nquery = example.test\npublish = *\n"
                 "admin = root@example.test\n"
                 "[exchange]\nmax_document_size = 2048\nmax_writes = 3\n"
                 "index_refresh_ms = 0\n");
  ck_assert_msg(icxd_config_load_file(cfg, path, err, sizeof err) == 0, "%s", err);
  ck_assert(!icxd_access_allows(&cfg->access, "a@b.test", ICXD_RIGHT_QUERY));
  ck_assert(icxd_access_allows(&cfg->access, "a@b.test", ICXD_RIGHT_PUBLISH));
  ck_assert(icxd_access_allows(&cfg->access, "root@example.test", ICXD_RIGHT_ADMIN));
  ck_assert_uint_eq(cfg->max_document_size, 2048);
  ck_assert_uint_eq(cfg->max_writes, 3);
  ck_assert_uint_eq(cfg->index_refresh_ms, 0);

  tu_write(path, "[access]\npublish = cloud@x.test/res\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, path, err, sizeof err), -1);
  ck_assert_msg(strstr(err, "[access] publish") && strstr(err, "cloud@x.test/res") &&
                strstr(err, ":2:"), "%s", err);
  /* The lists read before stay as they were. */
  ck_assert(icxd_access_allows(&cfg->access, "a@b.test", ICXD_RIGHT_PUBLISH));
  tu_write(path, "[exchange]\nmax_document_size = 12\n");
  ck_assert_int_eq(icxd_config_load_file(cfg, path, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "max_document_size"));
  icxd_config_free(cfg);
  free(path);
}
END_TEST

static Suite *access_suite(void)
{
  Suite *s = suite_create("icxd_access");
  TCase *tc = tcase_create("core");

  tcase_add_checked_fixture(tc, tu_icxd_tmp_setup, tu_icxd_tmp_teardown);
  tcase_add_test(tc, bare_jids);
  tcase_add_test(tc, lists_match_jids_domains_and_everyone);
  tcase_add_test(tc, bad_entries_are_named);
  tcase_add_test(tc, rights);
  tcase_add_test(tc, config_keys);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return tu_run(access_suite());
}
