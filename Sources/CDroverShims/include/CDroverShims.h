#ifndef CDROVER_SHIMS_H
#define CDROVER_SHIMS_H
/* Placeholder header; the wrappers are added as the POSIX layer needs them. */
int cdrover_placeholder(void);
#endif
