/* Minimal stand-in for strongSwan's generated config.h: just enough for a
 * plugin that only includes public headers (values match Debian 12 glibc). */
#define CONFIG_H_INCLUDED 1
#define _GNU_SOURCE
#define HAVE_SYS_PARAM_H 1
#define HAVE_SIGWAITINFO 1
#define HAVE_CLOSEFROM 1
#define HAVE_GCC_ATOMIC_OPERATIONS
#define HAVE_EXPLICIT_BZERO 1
#define HAVE_MEMRCHR 1
#define HAVE_FMEMOPEN 1
#define HAVE_CLOCK_GETTIME 1
#define HAVE_CONDATTR_CLOCK_MONOTONIC 1
#define HAVE_STDBOOL_H 1
#define HAVE_ALLOCA_H 1
#define HAVE_QSORT_R 1
#define HAVE_QSORT_R_GNU 1
#define USE_IKEV1 1
#define USE_IKEV2 1
