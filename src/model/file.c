/* resjac: opening input files (see rj_file_open_read in include/resjac/model.h). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flint/flint.h>

#include "resjac/model.h"

int
rj_file_open_read(FILE **f, const char *path, const char *kind, rj_error_t err)
{
    rj_loc_t loc = { path, 0, 0 };
    struct stat sb;
    int fd, flags;

    *f = NULL;
    /* O_NONBLOCK: opening a FIFO with no writer returns at once instead of
       waiting for one; the descriptor is checked before anything is read */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "cannot open: %s", strerror(errno));
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "cannot open: %s", strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "is a directory, not %s", kind);
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return rj_error_set_loc(err, RJ_ERR_IO, loc,
                                "is not a regular file (a device, FIFO or socket), not %s",
                                kind);
    }
    flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1
        || (*f = fdopen(fd, "rb")) == NULL) {
        int e = errno;
        close(fd);
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "cannot open: %s", strerror(e));
    }
    return RJ_OK;
}

char *
rj_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (slash == NULL)
        return rj_strdup(".");
    if (slash == path)
        return rj_strdup("/");
    dir = flint_malloc(slash - path + 1);
    memcpy(dir, path, slash - path);
    dir[slash - path] = '\0';
    return dir;
}

char *
rj_path_join(const char *dir, const char *rel)
{
    size_t n;
    char *p;
    if (rel[0] == '/' || dir == NULL || dir[0] == '\0' || strcmp(dir, ".") == 0)
        return rj_strdup(rel);
    n = strlen(dir) + strlen(rel) + 2;
    p = flint_malloc(n);
    if (dir[strlen(dir) - 1] == '/')
        snprintf(p, n, "%s%s", dir, rel);
    else
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}
