#ifndef PACER_CLIBPQ_SHIM_H
#define PACER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
