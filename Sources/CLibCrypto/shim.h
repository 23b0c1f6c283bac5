#ifndef PACER_CLIBCRYPTO_SHIM_H
#define PACER_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
