/* icx_vocab_cache.c - a compiled copy of a loaded vocabulary in a file of
 * the user's cache, so that a short-lived process (the CLI) does not parse
 * the ontology's Turtle on every call.
 *
 * Where: one file per ontology folder, <cache>/vocab-<hash of the folder's
 * absolute path>.bin, where <cache> is the folder given, else
 * $XDG_CACHE_HOME/icx, else $HOME/.cache/icx.  The cache is the user's own:
 * on a deployment with two accounts (doc/architecture.md, "Deployment")
 * each account has its own, so a reader never makes a file in a folder of
 * the writer's, nor reads one another account could have written.  Files
 * and folders are made only inside a folder the effective user owns (never
 * in a home or cache folder of another account, as root under sudo would),
 * and a cache file is read only when the effective user owns it and nobody
 * else may write it.
 *
 * When it is valid: the file records the ontology folder's fingerprint,
 * taken before the Turtle files were read: the folder's absolute path (base
 * IRIs depend on it) and, for each .ttl file the loader would read, in its
 * order, the name, size, modification and change times (nanoseconds),
 * device and inode, and one hash of all their bytes.  A change to any of
 * them is a miss.  The file also records the format of the cache and the
 * build of icx that wrote it (the package version and the size, times and
 * inode of the program or library holding this code): a file from any
 * other build is never used.
 *
 * The bytes of the file are icx_vocab_codec.c's.  A damaged file is
 * refused with a warning and rebuilt.
 *
 * Writing: a temporary file in the same folder, fsync, then rename over
 * the cache file, so a reader sees the old file or the new one, whole.
 * Any failure of the cache is logged and the vocabulary is read from its
 * Turtle files as without one: the cache never makes a load fail.
 */
#define _GNU_SOURCE 1               /* dladdr(), mkostemp() */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "icx_ctx_internal.h"
#include "icx_util.h"
#include "icx_vocab_internal.h"

/* A cache file larger than this is not read (the shipped vocabulary's is
 * about 120 kB). */
#define VCACHE_MAX_FILE (64u << 20)

/* --- the build and the folder ------------------------------------------------------ */

/* Appends what identifies this build of icx: the version, and the file
 * that holds this code (the shared library, or the program linked with
 * it) by size, times and inode, so any rebuild or reinstall is another
 * build. */
static void
vcache_build_identity(icx_buf *b)
{
  Dl_info info;
  struct stat st;
  const char *path = NULL;

  icx_buf_appendf(b, "icx %s", PACKAGE_VERSION);
  memset(&info, 0, sizeof info);
  /* glibc names the main program by argv[0], which a chdir could make
   * wrong: ask the kernel for the program instead. */
  if (dladdr((void *)&icx_vocab_load_cached, &info) && info.dli_fname &&
      strstr(info.dli_fname, ".so"))
    path = info.dli_fname;
  else
    path = "/proc/self/exe";
  if (stat(path, &st) == 0)
    icx_buf_appendf(b, ", code in %s: %lld bytes, %lld.%09ld, inode %llu", path,
                    (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                    (unsigned long long)st.st_ino);
}

/* The absolute form of dir (not resolved: the loader's base IRIs use the
 * path as given), as a new string on ctx, or NULL. */
static char *
vcache_abs_dir(icx_ctx *ctx, const char *dir)
{
  icx_buf b;
  char cwd[4096];

  icx_buf_init(&b, ctx);
  if (dir[0] != '/') {
    if (!getcwd(cwd, sizeof cwd))
      return NULL;
    icx_buf_appendf(&b, "%s/", cwd);
  }
  icx_buf_append(&b, dir);
  return icx_buf_take(&b);
}

/* Appends the fingerprint of the ontology folder dir (absolute) to b.
 * Returns 0, or -1 (with *why) when a file cannot be read: the loader will
 * say what, so the cache just stays out of the way. */
static int
vcache_fingerprint(icx_ctx *ctx, const char *dir, icx_buf *b, const char **why)
{
  char **files = NULL, buf[65536];
  size_t n_files = 0, i;
  uint64_t h = ICX_VOCAB_HASH_INIT;
  int rc = 0;

  if (icx_vocab_list_files(ctx, dir, &files, &n_files)) {
    icx_clear_error(ctx);
    *why = "the ontology folder cannot be listed";
    return -1;
  }
  icx_buf_appendf(b, "folder %s\n", dir);
  for (i = 0; i < n_files && !rc; i++) {
    icx_buf path;
    struct stat st;
    ssize_t got;
    int fd;

    icx_buf_init(&path, ctx);
    icx_buf_appendf(&path, "%s/%s", dir, files[i]);
    fd = icx_buf_failed(&path) ? -1 : open(path.data, O_RDONLY | O_CLOEXEC);
    icx_buf_free(&path);
    if (fd < 0 || fstat(fd, &st) != 0) {
      *why = "an ontology file cannot be read";
      rc = -1;
    } else {
      icx_buf_appendf(b, "%s %lld %lld.%09ld %lld.%09ld %llu %llu\n", files[i],
                      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                      (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
                      (long)st.st_ctim.tv_nsec, (unsigned long long)st.st_dev,
                      (unsigned long long)st.st_ino);
      while ((got = read(fd, buf, sizeof buf)) > 0)
        h = icx_vocab_hash(h, buf, (size_t)got);
      if (got < 0) {
        *why = "an ontology file cannot be read";
        rc = -1;
      }
    }
    if (fd >= 0)
      close(fd);
  }
  icx_buf_appendf(b, "content %016llx\n", (unsigned long long)h);
  icx_vocab_strv_free(ctx, files, n_files);
  return rc;
}

/* --- the cache folder ---------------------------------------------------------------- */

/* The cache folder to use, as a new string, or NULL (*why set). */
static char *
vcache_folder(icx_ctx *ctx, const char *given, const char **why)
{
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  icx_buf b;
  char *s;

  icx_buf_init(&b, ctx);
  if (given)
    icx_buf_append(&b, given);
  else if (xdg && xdg[0] == '/')      /* the XDG spec ignores relative paths */
    icx_buf_appendf(&b, "%s/icx", xdg);
  else if (home && home[0] == '/')
    icx_buf_appendf(&b, "%s/.cache/icx", home);
  else {
    icx_buf_free(&b);
    *why = "neither XDG_CACHE_HOME nor HOME names a folder";
    return NULL;
  }
  if (!(s = icx_buf_take(&b)))
    *why = "out of memory";
  return s;
}

/* Makes folder dir (0700) and any missing parent, each only inside a
 * folder the effective user owns.  0, or -1 with errno set (EPERM when a
 * folder on the way belongs to someone else). */
static int
vcache_mkdir(char *dir, int depth)
{
  struct stat st;
  char *slash;
  int rc;

  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      errno = ENOTDIR;
      return -1;
    }
    if (st.st_uid != geteuid()) {
      errno = EPERM;
      return -1;
    }
    return 0;
  }
  if (errno != ENOENT || depth > 8)
    return -1;
  slash = strrchr(dir, '/');
  if (!slash || slash == dir) {
    errno = EPERM;                    /* never make a folder at the root */
    return -1;
  }
  *slash = '\0';
  rc = vcache_mkdir(dir, depth + 1);
  *slash = '/';
  if (rc)
    return -1;
  return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* --- one load ----------------------------------------------------------------------- */

/* Reads file path whole into *data (on ctx).  0; 1 when there is none;
 * 2 with *why when it cannot be opened (a folder we may not enter); -1
 * with *why when it is not ours to trust or cannot be read. */
static int
vcache_read_file(icx_ctx *ctx, const char *path, char **data, size_t *len, const char **why)
{
  struct stat st;
  size_t got = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  *data = NULL;
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 1;
    *why = strerror(errno);
    return 2;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "it is not a regular file";
    goto fail;
  }
  if (st.st_uid != geteuid() || (st.st_mode & 022)) {
    *why = "another account owns it or may write it";
    goto fail;
  }
  if (st.st_size > (off_t)VCACHE_MAX_FILE) {
    *why = "it is too large";
    goto fail;
  }
  if (!(*data = icx_malloc(ctx, (size_t)st.st_size + 1))) {
    *why = "out of memory";
    goto fail;
  }
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, *data + got, (size_t)st.st_size - got);
    if (r <= 0) {
      *why = r == 0 ? "it ends early" : "it cannot be read";
      goto fail;
    }
    got += (size_t)r;
  }
  close(fd);
  *len = got;
  return 0;
fail:
  icx_free(ctx, *data);
  *data = NULL;
  close(fd);
  return -1;
}

/* Writes the cache file path for v: a temporary file beside it, then a
 * rename.  0, or -1 with errno set. */
static int
vcache_write_file(icx_ctx *ctx, const char *path, const char *build, const char *print,
                  const icx_vocab *v)
{
  icx_buf tmp;
  char *bytes = NULL;
  size_t off = 0, len = 0;
  int fd = -1, rc = -1, made = 0, saved;
  const char *slash = strrchr(path, '/');

  icx_buf_init(&tmp, ctx);
  if (icx_vocab_cache_pack(ctx, v, build, print, &bytes, &len)) {
    icx_clear_error(ctx);
    errno = ENOMEM;
    return -1;
  }
  icx_buf_append_len(&tmp, path, slash ? (size_t)(slash - path) + 1 : 0);
  icx_buf_append(&tmp, ".vocab-XXXXXX");
  if (icx_buf_failed(&tmp)) {
    errno = ENOMEM;
    goto done;
  }
  if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0)
    goto done;
  made = 1;
  while (off < len) {
    ssize_t w = write(fd, bytes + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      goto done;
    off += (size_t)w;
  }
  if (fsync(fd) != 0)
    goto done;
  if (close(fd) != 0) {
    fd = -1;
    goto done;
  }
  fd = -1;
  if (rename(tmp.data, path) != 0)
    goto done;
  rc = 0;
done:
  saved = errno;
  if (fd >= 0)
    close(fd);
  if (rc && made)
    unlink(tmp.data);
  icx_free(ctx, bytes);
  icx_buf_free(&tmp);
  errno = saved;
  return rc;
}

icx_rc
icx_vocab_load_cached(icx_ctx *ctx, const char *dir, const char *cache_dir, icx_vocab **out)
{
  icx_buf build, print, file;
  char *abs = NULL, *folder = NULL, *data = NULL;
  const char *why = NULL, *payload;
  size_t len = 0, plen;
  int state;
  icx_rc rc;

  if (!ctx || !out)
    return ICX_ERR_MISUSE;
  *out = NULL;
  icx_clear_error(ctx);
  if (!dir)
    dir = icx_vocab_default_dir();
  icx_buf_init(&build, ctx);
  icx_buf_init(&print, ctx);
  icx_buf_init(&file, ctx);
  if (!(abs = vcache_abs_dir(ctx, dir))) {
    why = "the ontology folder has no absolute path";
    goto turtle;
  }
  if (!(folder = vcache_folder(ctx, cache_dir, &why)))
    goto turtle;
  vcache_build_identity(&build);
  if (vcache_fingerprint(ctx, abs, &print, &why))
    goto turtle;
  icx_buf_appendf(&file, "%s/vocab-%016llx.bin", folder,
                  (unsigned long long)icx_vocab_hash(ICX_VOCAB_HASH_INIT, abs, strlen(abs)));
  if (icx_buf_failed(&build) || icx_buf_failed(&print) || icx_buf_failed(&file)) {
    why = "out of memory";
    goto turtle;
  }
  state = vcache_read_file(ctx, file.data, &data, &len, &why);
  if (state == 0)
    state = icx_vocab_cache_check(data, len, build.data, print.data, &payload, &plen, &why);
  if (state == 0) {
    rc = icx_vocab_cache_decode(ctx, payload, plen, out, &why);
    if (rc == ICX_OK) {
      icx_log(ctx, ICX_LOG_INFO, "vocab",
              "vocabulary of %s read from its cache %s (%zu attributes, %zu individuals)", dir,
              file.data, (*out)->n_attrs, (*out)->n_inds);
      goto done;
    }
    if (rc == ICX_ERR_NOMEM)
      goto done;
    state = -1;
  }
  if (state < 0)
    icx_log(ctx, ICX_LOG_WARN, "vocab",
            "vocabulary cache %s is refused (%s); rebuilding it from the Turtle files", file.data,
            why);
  else if (state == 2)
    icx_log(ctx, ICX_LOG_INFO, "vocab", "cannot open the vocabulary cache %s (%s); reading the "
            "Turtle files", file.data, why);
  else if (state == 1 && !why)
    icx_log(ctx, ICX_LOG_INFO, "vocab", "no vocabulary cache at %s yet; reading the Turtle files",
            file.data);
  else
    icx_log(ctx, ICX_LOG_INFO, "vocab", "vocabulary cache %s is out of date (%s); rebuilding it",
            file.data, why);
  icx_free(ctx, data);
  data = NULL;
  if ((rc = icx_vocab_load(ctx, dir, out)))
    goto done;
  if (vcache_mkdir(folder, 0) != 0 ||
      vcache_write_file(ctx, file.data, build.data, print.data, *out) != 0)
    icx_log(ctx, ICX_LOG_INFO, "vocab",
            "cannot write the vocabulary cache %s: %s; the vocabulary was read from its Turtle "
            "files", file.data, errno == EPERM ? "a folder on the way belongs to another account"
                                               : strerror(errno));
  else
    icx_log(ctx, ICX_LOG_INFO, "vocab", "wrote the vocabulary cache %s", file.data);
  goto done;
turtle:
  icx_log(ctx, ICX_LOG_INFO, "vocab", "no vocabulary cache (%s); reading the Turtle files", why);
  rc = icx_vocab_load(ctx, dir, out);
done:
  icx_free(ctx, data);
  icx_free(ctx, abs);
  icx_free(ctx, folder);
  icx_buf_free(&build);
  icx_buf_free(&print);
  icx_buf_free(&file);
  return rc;
}
