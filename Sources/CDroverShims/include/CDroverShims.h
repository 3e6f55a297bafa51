#ifndef CDROVER_SHIMS_H
#define CDROVER_SHIMS_H

/* What Glibc hides from Swift without _GNU_SOURCE (which must not be defined in
 * this public header: it clashes with the Glibc module). Each wrapper is one call. */

#include <spawn.h>
#include <sys/types.h>

/* posix_spawn_file_actions_addchdir_np: the child's working directory. */
int cdrover_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/* posix_spawn_file_actions_addclosefrom_np: close every descriptor >= from in the child. */
int cdrover_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/* POSIX_SPAWN_SETSID, for a child that needs its own session (daemon, pty). */
short cdrover_spawn_setsid_flag(void);

/* pipe2(2) with O_CLOEXEC, optionally O_NONBLOCK on both ends. */
int cdrover_pipe_cloexec(int fds[2], int nonblocking);

/* fcntl(F_SETPIPE_SZ): ask for a larger pipe buffer; returns the size granted or -1. */
int cdrover_set_pipe_size(int fd, int size);

/* accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK. */
int cdrover_accept_cloexec(int socket);

/* getsockopt(SO_PEERCRED): the user id of a Unix socket's peer; 0 on success. */
int cdrover_peer_uid(int socket, unsigned int *uid);

/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants become our children. */
int cdrover_become_subreaper(void);

/* signalfd over the given signals (which the caller has blocked), CLOEXEC | NONBLOCK.
 * Returns the descriptor, or -1 with errno. */
int cdrover_signalfd(const int *signals, int count);

/* Reads one pending signal from a signalfd: its number, 0 if none, -1 on error. */
int cdrover_signalfd_read(int fd);

/* Blocks the given signals in the calling thread (and so in threads it starts). */
int cdrover_block_signals(const int *signals, int count);

/* epoll: create (CLOEXEC), add/modify/delete with a 64-bit token, wait. */
int cdrover_epoll_create(void);
int cdrover_epoll_control(int epoll, int op, int fd, unsigned int events, unsigned long long token);
int cdrover_epoll_wait(int epoll, unsigned long long *tokens, unsigned int *events, int capacity, int timeout_ms);

/* Constants whose macros do not import. */
int cdrover_epoll_add(void);
int cdrover_epoll_modify(void);
int cdrover_epoll_delete(void);
unsigned int cdrover_epoll_in(void);
unsigned int cdrover_epoll_out(void);
unsigned int cdrover_epoll_hangup(void);
unsigned int cdrover_epoll_error(void);

/* getrlimit/setrlimit(RLIMIT_NOFILE): the descriptor limits; 0 on success, -1 with errno. */
int cdrover_get_file_limit(unsigned long long *soft, unsigned long long *hard);
int cdrover_set_file_limit(unsigned long long soft, unsigned long long hard);

/* syncfs(2): what was written on the file system holding fd, on its way to disk. */
int cdrover_syncfs(int fd);

/// statfs(2)'s f_type for path (a filesystem's magic number), or -1 with errno set.
long long cdrover_filesystem_type(const char *path);

/* A new pseudo-terminal: posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK),
 * grantpt, unlockpt; the slave's path goes into `path`. Returns the master, or -1
 * with errno (nothing left open). */
int cdrover_open_pty(char *path, size_t length);

/* TIOCGWINSZ / TIOCSWINSZ (ioctl is variadic and does not import). 0 on success. */
int cdrover_get_window_size(int fd, unsigned short *rows, unsigned short *columns);
int cdrover_set_window_size(int fd, unsigned short rows, unsigned short columns);

/* SIGWINCH, which Glibc's module leaves out without _GNU_SOURCE on some versions. */
int cdrover_window_change_signal(void);

/* Wait-status decoding (the W* macros do not import). */
int cdrover_exited(int status);
int cdrover_exit_code(int status);
int cdrover_signaled(int status);
int cdrover_terminating_signal(int status);

#endif
